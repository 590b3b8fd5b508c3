// Spreadsheet import pages: once a form is sent, its buttons are disabled and the
// pressed one says what is happening, so a large file is not uploaded or
// imported twice by an impatient second click. The server is safe either way.
"use strict";
(function () {
  document.querySelectorAll("form[data-import-form]").forEach(function (form) {
    var pressed = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[type=submit]");
      if (button) { pressed = button; }
    });
    form.addEventListener("submit", function (event) {
      var button = pressed || event.submitter || form.querySelector("button[type=submit]");
      if (button && button.name) {
        // A disabled button is not sent; keep its name and value in the form.
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = button.name;
        hidden.value = button.value;
        form.appendChild(hidden);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (each) { each.disabled = true; });
        if (button && button.getAttribute("data-busy-text")) {
          button.textContent = button.getAttribute("data-busy-text");
        }
      }, 0);
    });
  });
})();
