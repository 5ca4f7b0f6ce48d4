// The call handler's screen: keep a draft, show what applies, pre-fill what to tell the caller.
(function () {
  "use strict";

  function clearDrafts() {
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      try { window.localStorage.removeItem(el.getAttribute("data-clear-draft")); } catch (e) { /* storage off */ }
    });
  }

  function serialise(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name + "::" + el.value] = el.checked;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        var key = el.name + "::" + el.value;
        if (key in data) { el.checked = data[key]; }
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    });
  }

  function valueOf(form, name) {
    var el = form.elements[name];
    if (!el) { return ""; }
    if (el instanceof RadioNodeList) { return el.value; }
    return el.value;
  }

  // The Section 136 questions are asked only for a handover (CSS shows them without
  // JavaScript too); hidden, they are disabled so that nothing in them is sent.
  function applyVisibility(form) {
    var s136 = valueOf(form, "fact_concern_type") === "s136_handover";
    form.querySelectorAll(".s136-only").forEach(function (group) {
      group.hidden = !s136;
      group.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !s136; });
    });
    var override = valueOf(form, "decision") === "override";
    var overrideBox = document.getElementById("override-fields");
    if (overrideBox) { overrideBox.hidden = !override; }
    var attend;
    if (override) {
      attend = valueOf(form, "final_police_attend") === "yes";
    } else {
      var body = document.getElementById("suggestion-body");
      attend = body ? body.getAttribute("data-police-attend") === "true" : true;
    }
    var tell = document.getElementById("tell-caller");
    if (tell) { tell.hidden = attend; }
  }

  // The suggestion's advice; after an override, the advice for the agency chosen instead.
  function prefillAdvice(form) {
    var body = document.getElementById("suggestion-body");
    var text = form.elements.caller_told_text;
    if (!body || !text) { return; }
    var advice = body.getAttribute("data-caller-advice") || "";
    if (valueOf(form, "decision") === "override") {
      var agency = valueOf(form, "final_agency").toLowerCase();
      var byAgency = document.getElementById("agency-advice");
      advice = (agency && byAgency && byAgency.getAttribute("data-advice-" + agency)) || "";
    }
    if (!text.value || text.value === text.dataset.prefilled) {
      text.value = advice;
      text.dataset.prefilled = advice;
    }
  }

  // A link to a question (error summary, suggestion panel): focus the control and show
  // its label or legend with it (the GOV.UK error summary's behaviour).
  function focusTarget(link) {
    var id = (link.getAttribute("href") || "").slice(1);
    var target = id && document.getElementById(id);
    if (!target) { return false; }
    var box = target.closest("fieldset, .field") || target;
    var legend = box.querySelector("legend, label");
    (legend || box).scrollIntoView({block: "start"});
    target.focus({preventScroll: true});
    return true;
  }

  // Alt+M: the question for the mental-health team (New call screen and call page; the
  // call page's panel arrives by htmx, so it is looked up at the key press).
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || (event.code !== "KeyM" && event.key.toLowerCase() !== "m")) { return; }
    var question = document.getElementById("consult-question");
    if (question) { event.preventDefault(); question.focus(); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-focus-link]");
    if (link && focusTarget(link)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    clearDrafts();
    var form = document.querySelector("form[data-draft]");
    if (!form) { return; }
    var key = form.getAttribute("data-draft");
    var summary = document.getElementById("error-summary");
    var hasServerErrors = !!summary;
    if (!hasServerErrors) {
      try {
        var saved = window.localStorage.getItem(key);
        if (saved) { restore(form, JSON.parse(saved)); form.dataset.restored = "1"; }
      } catch (e) { /* a broken draft is ignored, never fatal */ }
    }
    var timer = null;
    function save() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        try { window.localStorage.setItem(key, JSON.stringify(serialise(form))); } catch (e) { /* full or off */ }
      }, 150);
    }
    form.addEventListener("input", save);
    // Esc hides the help shown over the next questions, until the question is left.
    form.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var field = event.target.closest(".field");
      if (field) { field.classList.add("hint-off"); }
    });
    form.addEventListener("focusout", function (event) {
      var field = event.target.closest(".field");
      if (field) { field.classList.remove("hint-off"); }
    });
    form.addEventListener("change", function () { save(); applyVisibility(form); prefillAdvice(form); });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "suggestion") {
        prefillAdvice(form);
        applyVisibility(form);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (!event.altKey || event.ctrlKey) { return; }
      var k = event.key.toLowerCase();
      if (k === "a") { event.preventDefault(); form.elements.address.focus(); }
      if (k === "d") {
        event.preventDefault();
        var first = form.querySelector("input[name=decision]");
        if (first) { first.focus(); }
      }
    });
    applyVisibility(form);
    prefillAdvice(form);
    if (summary) {
      // After a failed save the handler starts from the list of what to fix.
      summary.focus();
    }
    if (form.dataset.restored === "1" && window.htmx) {
      // Bring the panels up to date with the restored answers.
      htmx.trigger(form.elements.address, "input");
      htmx.trigger(document.getElementById("intake-questions"), "change");
    }
  });
})();
