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
})();
