// Dashboard filters: a changed choice applies at once; the dates show only for a custom period.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  if (!form) return;
  var period = form.elements.namedItem("period");
  function showDates() {
    var custom = period && period.value === "custom";
    form.querySelectorAll("label.custom").forEach(function (label) {
      label.hidden = !custom;
      label.querySelector("input").disabled = !custom;
    });
  }
  showDates();
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target === period) {
      showDates();
      if (period.value === "custom") return;  // wait for the dates
    }
    if (target.tagName === "SELECT") form.requestSubmit();
  });
})();
