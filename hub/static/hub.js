/* Returnhub page behaviour, served as a file so the Content-Security-Policy needs no inline script. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // "Select all" on the needs-attention overview ticks every return's box.
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    all.addEventListener("click", function () {
      for (const box of document.querySelectorAll(all.dataset.selectAll)) box.checked = all.checked;
    });
  }
  // Read-only addresses (the webhook URL) are selected whole on click, ready to copy.
  for (const field of document.querySelectorAll("input[data-select-on-click]")) {
    field.addEventListener("click", function () { field.select(); });
  }
  // The language menu in the header applies the choice at once.
  for (const menu of document.querySelectorAll("select[data-autosubmit]")) {
    menu.addEventListener("change", function () { menu.form.submit(); });
  }
});
