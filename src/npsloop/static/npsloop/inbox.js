// The cases inbox from the keyboard: j and k move between cases, Enter opens the focused
// one, x selects it; the header box selects every case of the page; the bulk form shows
// only the choice its action needs.
(function () {
  "use strict";
  var table = document.getElementById("cases");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]"));
  var all = document.getElementById("select-page");
  var boxes = rows.map(function (row) { return row.querySelector("input[name=case]"); })
    .filter(Boolean);

  function syncAll() {
    if (!all) return;
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = checked > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", syncAll); });

  function typing(target) {
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && target.type !== "checkbox";
  }
  function move(row, step) {
    var next = rows[row ? rows.indexOf(row) + step : 0];
    if (next) next.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var row = event.target.closest ? event.target.closest("tr[data-href]") : null;
    if (event.key === "j") { move(row, 1); event.preventDefault(); }
    else if (event.key === "k") { move(row, -1); event.preventDefault(); }
    else if (row && event.key === "Enter" && event.target === row) {
      window.location.assign(row.dataset.href);
    } else if (row && event.key === "x") {
      var box = row.querySelector("input[name=case]");
      if (box) {
        box.checked = !box.checked;
        syncAll();
        event.preventDefault();
      }
    }
  });
  rows.forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, input, label")) return;
      window.location.assign(row.dataset.href);
    });
  });

  var action = document.getElementById("bulk-action");
  if (!action) return;
  function showChoice() {
    document.querySelectorAll("#bulk label[data-for]").forEach(function (label) {
      label.hidden = label.dataset.for !== action.value;
    });
  }
  action.addEventListener("change", showChoice);
  showChoice();
})();
