// Keyboard shortcuts for the coding queue. Progressive enhancement: every control is also a
// normal form control reachable with Tab, and the page works without this file.
(function () {
  "use strict";

  function typing(target) {
    return target.matches("input[type=text], input:not([type]), textarea, select, [contenteditable]");
  }

  function toggle(box) {
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  document.addEventListener("keydown", function (event) {
    const unit = document.getElementById("coding-unit");
    if (!unit || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    const key = event.key.toLowerCase();
    const sentiments = { p: "positive", n: "negative", m: "mixed" };
    let handled = true;
    if (/^[1-9]$/.test(key)) {
      const suggestion = unit.querySelector('[data-shortcut="' + key + '"]');
      if (suggestion) {
        toggle(unit.querySelector('input[name="themes"][value="' + suggestion.dataset.themeId + '"]'));
      }
    } else if (sentiments[key]) {
      const radio = unit.querySelector('input[name="sentiment"][value="' + sentiments[key] + '"]');
      if (radio) { radio.checked = true; }
    } else if (key === "q") {
      toggle(unit.querySelector('input[name="notable"]'));
    } else if (key === "s") {
      const form = unit.querySelector("form");
      if (form) { form.requestSubmit(); }
    } else if (key === "k") {
      const skip = document.getElementById("skip-link");
      if (skip) { skip.click(); }
    } else if (key === "b") {
      const back = document.getElementById("back-link");
      if (back) { back.click(); }
    } else {
      handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  // After htmx swaps in the next answer, put focus on its question so reading starts there.
  document.body.addEventListener("htmx:afterSettle", function () {
    const heading = document.getElementById("unit-heading");
    if (heading) { heading.focus(); }
  });
})();
