// The monthly review: filters that apply as soon as they change.
"use strict";
document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
  select.addEventListener("change", function () {
    select.form.submit();
  });
});
