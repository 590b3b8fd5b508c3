/* The region overview: at most five teams can be ticked for comparison.
   Once five are ticked the other boxes are disabled; the button needs two. */
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) {
    return;
  }
  var max = parseInt(form.getAttribute("data-max"), 10) || 5;
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.compare-check"));
  var counter = document.getElementById("compare-count");
  var button = document.getElementById("compare-button");

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    boxes.forEach(function (box) {
      box.disabled = !box.checked && ticked >= max;
    });
    counter.textContent = String(ticked);
    button.disabled = ticked < 2;
  }

  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();
