// The "select all" box of the awaiting-approval list.
"use strict";
document.querySelectorAll("[data-check-all]").forEach(function (master) {
  var name = master.getAttribute("data-check-all");
  master.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = master.checked;
    });
  });
});
