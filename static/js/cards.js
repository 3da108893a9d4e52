// On a phone, wide tables are drawn as cards (static/css/phone.css): each cell shows its column's
// heading before its value. The headings are copied here once, so templates keep a plain table.
(function () {
  "use strict";
  document.querySelectorAll("table.cards").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        if (cell.colSpan === 1 && headings[index] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
  });
})();
