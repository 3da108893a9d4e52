// Lesion rows added and removed in place. Without JavaScript the form still works: each saved row
// has a "remove when saving" checkbox. A removed row stays in the form (hidden, marked for deletion) so
// the formset's numbering never changes under the server.
(function () {
  "use strict";
  var rows = document.getElementById("lesion-rows");
  var template = document.getElementById("lesion-template");
  var addButton = document.getElementById("add-lesion");
  var empty = document.getElementById("no-lesions");
  if (!rows || !template || !addButton) { return; }
  var total = document.querySelector("input[name='lesions-TOTAL_FORMS']");

  function visibleRows() {
    return Array.prototype.filter.call(rows.querySelectorAll("[data-lesion-row]"), function (row) {
      return !row.hidden;
    });
  }

  function renumber() {
    var visible = visibleRows();
    visible.forEach(function (row, index) {
      row.querySelectorAll("[data-lesion-number]").forEach(function (span) { span.textContent = index + 1; });
    });
    if (empty) { empty.hidden = visible.length > 0; }
  }

  function enhance(row) {
    var check = row.querySelector("[data-delete-check]");
    var button = row.querySelector("[data-remove-lesion]");
    if (check) { check.hidden = true; }
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = check && check.querySelector("input[type=checkbox]");
      if (box) { box.checked = true; }
      row.hidden = true;
      renumber();
      // Keep keyboard focus in a sensible place: the next lesion's site, or the add button.
      var next = visibleRows().filter(function (other) {
        return row.compareDocumentPosition(other) & Node.DOCUMENT_POSITION_FOLLOWING;
      })[0];
      (next ? next.querySelector("select") : addButton).focus();
    });
  }

  rows.querySelectorAll("[data-lesion-row]").forEach(function (row) {
    var box = row.querySelector("[data-delete-check] input[type=checkbox]");
    if (box && box.checked) { row.hidden = true; }
    enhance(row);
  });
  renumber();

  addButton.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    enhance(row);
    renumber();
    row.querySelector("select").focus();
  });
})();
