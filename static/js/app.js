// Triage Desk: small progressive enhancements. No inline scripts (CSP), no build step.
(function () {
  "use strict";
  // Ctrl+Enter submits the form that holds the focus (or the page's main form).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = (document.activeElement && document.activeElement.form) ||
        document.querySelector("form[data-main-form]");
      if (form) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
      }
    }
  });
  // Forms that must not be sent twice: disable submit buttons once submitted.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) { return; }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }, true);
  // Drafts of calls hold personal data: none survives a logout or reaches the next person
  // to log in on a shared control-room PC.
  function clearDrafts() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && /-draft$/.test(key)) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* storage off */ }
  }
  // The dwelling panel offers the known dwellings at a postcode: picking one puts its
  // standard address in the address field, which reloads the panel and the suggestion.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-pick-address]") : null;
    var field = document.getElementById("id_address");
    if (!button || !field) { return; }
    event.preventDefault();
    field.value = button.getAttribute("data-pick-address");
    field.focus();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
  if (document.querySelector("[data-clear-drafts]")) { clearDrafts(); }
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-clear-drafts-on-submit")) { clearDrafts(); }
  }, true);
})();
