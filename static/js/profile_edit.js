// The profile edit page (templates/profiles/profile_edit.html). Everything here improves
// a form that works without it: the project-lead select becomes a search by name, pinyin
// or initials; the projects' up/down/remove/add buttons move rows in place (and rows can
// be dragged) instead of asking the server; 主要事迹 is written in Quill instead of HTML.
// The server still checks everything and cleans the text with nh3.
"use strict";
(function () {
  var form = document.getElementById("profile-form");
  if (!form) {
    return;
  }

  // Tell the page (and data-warn-unsaved) that something changed.
  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // --- 项目负责人: search the team's members -------------------------------------------------
  var select = document.getElementById("id_lead_member");
  var picker = form.querySelector("[data-lead-picker]");
  var leadPicker = null;
  if (select && picker) {
    var search = document.getElementById("lead-search");
    var list = document.getElementById("lead-options");
    var chosen = document.getElementById("lead-chosen");
    var people = Array.prototype.map.call(select.options, function (option) {
      return {
        value: option.value,
        label: option.textContent,
        name: (option.dataset.name || "").toLowerCase(),
        number: (option.dataset.number || "").toLowerCase(),
        pinyin: option.dataset.pinyin || "",
        initials: option.dataset.initials || "",
      };
    });
    var wrapper = form.querySelector("[data-lead-select]");
    wrapper.hidden = true;
    picker.hidden = false;

    var showChosen = function () {
      var option = select.options[select.selectedIndex];
      chosen.textContent = picker.dataset.chosenLabel + (option ? option.textContent : "");
    };
    var matches = function (person, query) {
      if (!query || person.value === "") {
        return true;
      }
      var compact = query.replace(/\s+/g, "");
      return (
        person.name.indexOf(query) !== -1 ||
        person.number.indexOf(compact) !== -1 ||
        person.pinyin.indexOf(compact) === 0 ||
        person.pinyin.indexOf(compact) !== -1 ||
        person.initials.indexOf(compact) === 0
      );
    };
    var render = function () {
      var query = search.value.trim().toLowerCase();
      list.textContent = "";
      people.forEach(function (person) {
        if (!matches(person, query)) {
          return;
        }
        var item = document.createElement("li");
        item.className = "list-group-item p-0";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item-action btn text-start w-100 border-0 rounded-0";
        button.textContent = person.label;
        button.dataset.value = person.value;
        var isChosen = person.value === select.value;
        button.setAttribute("aria-pressed", isChosen ? "true" : "false");
        if (isChosen) {
          button.classList.add("active");
        }
        button.addEventListener("click", function () {
          select.value = person.value;
          changed(select);
          showChosen();
          render();
          var again = list.querySelector('[data-value="' + person.value + '"]');
          if (again) {
            again.focus();
          }
        });
        item.appendChild(button);
        list.appendChild(item);
      });
    };
    search.addEventListener("input", render);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter picks the first member found rather than submitting the form.
        event.preventDefault();
        var first = list.querySelector('button[data-value]:not([data-value=""])');
        if (first) {
          first.click();
        }
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        var next = list.querySelector("button");
        if (next) {
          next.focus();
        }
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var index = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && index < buttons.length - 1) {
        event.preventDefault();
        buttons[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? buttons[index - 1] : search).focus();
      }
    });
    showChosen();
    render();
    leadPicker = search;
  }

  // --- 经常开展的志愿服务项目: order by buttons or by dragging -------------------------------
  var projects = document.getElementById("project-list");
  var addSelect = document.getElementById("id_add_category");
  var template = document.getElementById("project-template");
  var empty = document.getElementById("no-projects");
  var addButton = form.querySelector('[data-move="add"]');

  function refreshProjects() {
    var rows = projects.querySelectorAll("[data-project]");
    empty.hidden = rows.length > 0;
    addButton.disabled = addSelect.options.length === 0;
  }

  function moveRow(row, verb, button) {
    if (verb === "up" && row.previousElementSibling) {
      projects.insertBefore(row, row.previousElementSibling);
    } else if (verb === "down" && row.nextElementSibling) {
      projects.insertBefore(row.nextElementSibling, row);
    } else if (verb === "remove") {
      var option = document.createElement("option");
      option.value = row.dataset.project;
      option.textContent = row.querySelector(".project-name").textContent;
      addSelect.appendChild(option);
      row.remove();
      refreshProjects();
      changed(addSelect);
      addSelect.focus();
      return;
    } else {
      return;
    }
    changed(row.querySelector("input"));
    button.focus();
  }

  function wire(row) {
    row.querySelectorAll("[data-move]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        moveRow(row, button.dataset.move, button);
      });
    });
    row.addEventListener("dragstart", function (event) {
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.project);
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      changed(row.querySelector("input"));
    });
  }

  if (projects && addSelect && template) {
    projects.querySelectorAll("[data-project]").forEach(wire);
    projects.addEventListener("dragover", function (event) {
      var dragging = projects.querySelector(".dragging");
      if (!dragging) {
        return;
      }
      event.preventDefault();
      var after = null;
      projects.querySelectorAll("[data-project]:not(.dragging)").forEach(function (row) {
        var box = row.getBoundingClientRect();
        if (after === null && event.clientY < box.top + box.height / 2) {
          after = row;
        }
      });
      projects.insertBefore(dragging, after);
    });
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var option = addSelect.options[addSelect.selectedIndex];
      if (!option) {
        return;
      }
      var row = template.content.firstElementChild.cloneNode(true);
      var name = option.textContent;
      row.dataset.project = option.value;
      row.querySelector("input").value = option.value;
      row.querySelector(".project-name").textContent = name;
      row.querySelectorAll("[data-move]").forEach(function (button) {
        button.value = button.dataset.move + ":" + option.value;
        button.setAttribute("aria-label", button.getAttribute("aria-label").replace("__NAME__", name));
      });
      projects.appendChild(row);
      wire(row);
      option.remove();
      refreshProjects();
      changed(row.querySelector("input"));
      row.querySelector('[data-move="up"]').focus();
    });
    refreshProjects();
  }

  // --- 主要事迹: Quill, limited to what nh3 keeps --------------------------------------------
  var textarea = form.querySelector("textarea[data-rich-text]");
  var quill = null;
  if (textarea && window.Quill) {
    var editor = document.createElement("div");
    editor.className = "rich-text-editor";
    textarea.parentNode.insertBefore(editor, textarea);
    textarea.hidden = true;
    quill = new window.Quill(editor, {
      theme: "snow",
      // Only formats nh3 keeps (profiles/forms.py ALLOWED_TAGS), none drawn with style="".
      formats: ["bold", "italic", "underline", "header", "list", "blockquote", "link"],
      modules: {
        toolbar: [
          [{ header: [3, 4, false] }],
          ["bold", "italic", "underline"],
          [{ list: "ordered" }, { list: "bullet" }, "blockquote"],
          ["link", "clean"],
        ],
        keyboard: {
          // Tab leaves the editor (as in any form field) instead of typing a tab.
          bindings: { tab: { key: "Tab", handler: function () { return true; } } },
        },
      },
    });
    quill.setContents(quill.clipboard.convert({ html: textarea.value }), "silent");
    quill.history.clear();
    var label = form.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      label.id = label.id || textarea.id + "-label";
      quill.root.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () {
        quill.focus();
      });
    }
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    if (textarea.getAttribute("aria-describedby")) {
      quill.root.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    // Quill's toolbar buttons have icons only: give them names people can hear.
    var toolbar = editor.previousElementSibling;
    var names = JSON.parse(document.getElementById("quill-labels").textContent);
    // The heading picker shows its choices in the page's language (Quill's CSS reads data-label).
    var headings = names.headings;
    delete names.headings;
    toolbar.querySelectorAll(".ql-header .ql-picker-item").forEach(function (item) {
      item.setAttribute("data-label", headings[item.getAttribute("data-value") || ""]);
    });
    var current = toolbar.querySelector(".ql-header .ql-picker-item.ql-selected");
    if (current) {
      toolbar.querySelector(".ql-header .ql-picker-label").setAttribute(
        "data-label",
        current.getAttribute("data-label")
      );
    }
    Object.keys(names).forEach(function (selector) {
      toolbar.querySelectorAll(selector).forEach(function (control) {
        control.setAttribute("aria-label", names[selector]);
        control.setAttribute("title", names[selector]);
      });
    });
    var sync = function () {
      var html = quill.getLength() > 1 ? quill.getSemanticHTML() : "";
      // getSemanticHTML writes every space as &nbsp;, which would stop lines wrapping.
      textarea.value = html.replace(/&nbsp;/g, " ");
    };
    quill.on("text-change", function (delta, old, source) {
      sync();
      if (source === "user") {
        changed(textarea);
      }
    });
    form.addEventListener("submit", sync);
  }

  // --- "去修改" from a 纠错: focus the part it is about -------------------------------------
  var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  if (target) {
    if (target === select && leadPicker) {
      leadPicker.focus();
    } else if (target === textarea && quill) {
      quill.focus();
      editor.scrollIntoView({ block: "center" });
    } else if (target.id === "projects" && addSelect) {
      target.scrollIntoView({ block: "start" });
      (projects.querySelector("button") || addSelect).focus();
    } else {
      target.focus();
    }
  }

  // The editor and the picker are in place: what the form would send now is the starting
  // point for the unsaved-changes warning (static/js/site.js).
  form.dispatchEvent(new Event("site:form-ready"));
})();
