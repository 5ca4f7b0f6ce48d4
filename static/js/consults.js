// The consult queue: each question's waiting time counts up every second in the browser;
// the list itself is fetched again only when the server says it changed (204 otherwise),
// so a link the practitioner has focused is not replaced under them.
(function () {
  "use strict";

  function words(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (h) { return h + " h " + m + " min"; }
    if (m) { return m + " min " + s + " s"; }
    return s + " s";
  }

  function stamp(root) {
    root.querySelectorAll("[data-waited]").forEach(function (el) {
      if (!el.dataset.t0) { el.dataset.t0 = String(Date.now()); }
    });
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-waited]").forEach(function (el) {
      var base = parseFloat(el.getAttribute("data-waited")) || 0;
      el.textContent = words(base + (now - parseFloat(el.dataset.t0 || now)) / 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    stamp(document);
    document.body.addEventListener("htmx:afterSwap", function () { stamp(document); });
    window.setInterval(tick, 1000);
  });
})();
