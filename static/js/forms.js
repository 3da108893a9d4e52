// After a failed submit, move keyboard and screen-reader focus to the error summary, so the first thing
// read is what to correct (not the top of the page). Its links then lead to each field.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
})();
