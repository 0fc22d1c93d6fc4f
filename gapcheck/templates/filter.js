// Filters the findings by status and checklist. Without script the form stays hidden and every finding shows.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var findings = document.querySelectorAll(".finding[data-status]");
  function apply() {
    var wanted = {};
    form.querySelectorAll("input[name=status]").forEach(function (box) { wanted[box.value] = box.checked; });
    var list = form.elements.checklist.value;
    var shown = 0;
    document.querySelectorAll("[data-status]").forEach(function (el) {
      var visible = wanted[el.dataset.status] && (!list || el.dataset.checklist === list);
      el.hidden = !visible;
      if (visible && el.classList.contains("finding")) { shown += 1; }
    });
    document.querySelectorAll("[data-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-status]:not([hidden])");
    });
    form.elements.shown.value = "Showing " + shown + " of " + findings.length + " findings";
  }
  form.addEventListener("change", apply);
  form.hidden = false;
  apply();
}());
