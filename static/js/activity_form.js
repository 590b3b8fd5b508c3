// The participant picker: search as you type, select shown / by rank, a running
// count, and hours for all chosen members at once. Without JavaScript the
// table still works (tick boxes and type hours); this only makes it quick.
"use strict";
(function () {
  var table = document.getElementById("participant-table");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-search]"));
  var search = document.getElementById("participant-search");
  var chosenOnly = document.getElementById("show-selected-only");
  var counter = document.getElementById("selected-count");
  var activityHours = document.getElementById("id_hours");

  function box(row) { return row.querySelector(".participant-check"); }
  function hoursInput(row) { return row.querySelector(".participant-hours"); }

  function refresh() {
    var chosen = 0;
    rows.forEach(function (row) {
      var on = box(row).checked;
      if (on) { chosen += 1; }
      row.classList.toggle("table-primary", on);
    });
    counter.textContent = String(chosen);
  }

  function applyFilter() {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search").toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      if (chosenOnly.checked && !box(row).checked) { match = false; }
      row.hidden = !match;
    });
  }

  function setPlaceholders() {
    var value = activityHours && activityHours.value ? activityHours.value : "";
    rows.forEach(function (row) { hoursInput(row).placeholder = value; });
  }

  table.addEventListener("change", function (event) {
    if (event.target.classList.contains("participant-check")) { refresh(); }
  });
  // Typing hours for a member chooses them.
  table.addEventListener("input", function (event) {
    if (event.target.classList.contains("participant-hours") && event.target.value) {
      var row = event.target.closest("tr");
      if (!box(row).checked) { box(row).checked = true; refresh(); }
    }
  });
  search.addEventListener("input", applyFilter);
  search.addEventListener("keydown", function (event) {
    // Enter in the search box must not submit the whole form.
    if (event.key === "Enter") { event.preventDefault(); }
  });
  chosenOnly.addEventListener("change", applyFilter);

  document.querySelectorAll("[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var mode = button.getAttribute("data-select");
      rows.forEach(function (row) {
        if (mode === "none") { box(row).checked = false; }
        else if (!row.hidden) { box(row).checked = true; }
      });
      refresh();
    });
  });
  document.querySelectorAll("[data-select-rank]").forEach(function (button) {
    button.addEventListener("click", function () {
      var rank = button.getAttribute("data-select-rank");
      rows.forEach(function (row) {
        if (row.getAttribute("data-rank") === rank) { box(row).checked = true; }
      });
      refresh();
      applyFilter();
    });
  });
  document.getElementById("apply-bulk-hours").addEventListener("click", function () {
    var value = document.getElementById("bulk-hours").value;
    rows.forEach(function (row) {
      if (box(row).checked) { hoursInput(row).value = value; }
    });
  });
  if (activityHours) { activityHours.addEventListener("input", setPlaceholders); }

  setPlaceholders();
  refresh();
})();
