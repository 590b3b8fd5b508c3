// Behaviour every page may use (loaded by base.html on every page):
// - a button marked data-print prints the page;
// - <form data-confirm="text">, or a submit button with data-confirm="text", asks
//   window.confirm(text) before the form is sent; "Cancel" sends nothing;
// - <form data-warn-unsaved> makes the browser ask before leaving the page once the
//   form differs from what the page showed (or the page came back with its errors), until
//   it is sent;
// - a table's scroll box (.table-responsive) that is too narrow for its table can be
//   focused, so that it scrolls from the keyboard too.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});

(function () {
  var watched = [];

  // What a form would send, as one string: compared with the state when the page loaded,
  // so that changes made by scripts (the participant picker's "select all") count too,
  // and a change undone is no change.
  function formState(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      var text = typeof value === "string" ? value : value.name + ":" + value.size;
      parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(text));
    });
    return parts.join("&");
  }

  function watch() {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
      watched.push({
        form: form,
        initial: formState(form),
        // A form shown again with its errors holds what was typed and was not saved.
        bounced: form.querySelector(".is-invalid, .errorlist, .invalid-feedback") !== null,
        sent: false,
      });
    });
  }

  // Listening on the document, after the form's own handlers: a submission another
  // script already stopped (its own checks) asks nothing and does not count as sent.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    var form = event.target;
    var button = event.submitter;
    var question =
      (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    watched.forEach(function (entry) {
      if (entry.form === form) {
        entry.sent = true;
      }
    });
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = watched.some(function (entry) {
      return !entry.sent && (entry.bounced || formState(entry.form) !== entry.initial);
    });
    if (unsaved) {
      // Browsers show their own text; both calls are needed by one browser or another.
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Page scripts after this one may still fill their forms in: the state is taken once
  // every script of the page has run.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();

(function () {
  var boxes = document.querySelectorAll(".table-responsive");
  if (!boxes.length) {
    return;
  }
  function update() {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  update();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 100);
  });
})();
