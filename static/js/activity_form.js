// The participant picker: search as you type, select shown / by rank, a running
// count, and hours for all chosen members at once. Without JavaScript the
// table still works (tick boxes and type hours); this only makes it quick.
// As the start date is typed, members not registered on it are marked with the
// reason and cannot be ticked (the server checks it too: activities/forms.py).
"use strict";
(function () {
  var table = document.getElementById("participant-table");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-search]"));
  var search = document.getElementById("participant-search");
  var chosenOnly = document.getElementById("show-selected-only");
  var counter = document.getElementById("selected-count");
  var activityHours = document.getElementById("id_hours");
  var startDate = document.getElementById("id_start_date");

  function box(row) { return row.querySelector(".participant-check"); }
  function hoursInput(row) { return row.querySelector(".participant-hours"); }

  // "Registered on 2018-12-01" or "Left on 2018-06-30" when the member was not
  // registered on the start date; "" when they were, or no full date is typed.
  function unavailable(row, start) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) { return ""; }
    var registered = row.getAttribute("data-registered");
    var left = row.getAttribute("data-left");
    if (registered > start) {
      return table.getAttribute("data-text-registered").replace("{date}", registered);
    }
    if (left && left < start) {
      return table.getAttribute("data-text-left").replace("{date}", left);
    }
    return "";
  }

  // A ticked member stays ticked (so that correcting the date keeps the choice);
  // the note says why saving will refuse them.
  function markAvailability() {
    var start = startDate ? startDate.value : "";
    rows.forEach(function (row) {
      var reason = unavailable(row, start);
      var note = row.querySelector(".unavailable");
      note.textContent = reason;
      note.hidden = !reason;
      box(row).disabled = Boolean(reason) && !box(row).checked;
    });
  }
  function canTick(row) { return !box(row).disabled; }

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
    if (event.target.classList.contains("participant-check")) { refresh(); markAvailability(); }
  });
  // Typing hours for a member chooses them.
  table.addEventListener("input", function (event) {
    if (event.target.classList.contains("participant-hours") && event.target.value) {
      var row = event.target.closest("tr");
      if (!box(row).checked && canTick(row)) { box(row).checked = true; refresh(); }
    }
  });
  if (startDate) {
    startDate.addEventListener("input", markAvailability);
    startDate.addEventListener("change", markAvailability);
  }
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
        else if (!row.hidden && canTick(row)) { box(row).checked = true; }
      });
      refresh();
      markAvailability();
    });
  });
  document.querySelectorAll("[data-select-rank]").forEach(function (button) {
    button.addEventListener("click", function () {
      var rank = button.getAttribute("data-select-rank");
      rows.forEach(function (row) {
        if (row.getAttribute("data-rank") === rank && canTick(row)) { box(row).checked = true; }
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
  markAvailability();
  refresh();
})();
