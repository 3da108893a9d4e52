// A registry job's page: poll its progress every second while it runs, move the bar and the count, and
// reload the page when the job ends so that its report shows (the server renders the report).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var bar = box.querySelector("progress");
  var count = box.querySelector("[data-job-count]");
  var status = box.querySelector("[data-job-status]");
  var hint = box.querySelector("[data-job-reload-hint]");
  // The words come from the page, translated there (data-* attributes: no inline script under the CSP).
  if (hint) {
    hint.textContent = box.getAttribute("data-hint-following");
  }
  var countText = box.getAttribute(box.getAttribute("data-unit") === "steps" ? "data-count-steps" : "data-count-rows");

  function update(state) {
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
      bar.textContent = (state.percent || 0) + " %";
      count.textContent = countText.replace("{done}", state.done).replace("{total}", state.total);
    }
    status.textContent = state.status_label;
  }

  function poll() {
    fetch(box.getAttribute("data-job-progress"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        update(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000); // a blip: try again, a little later
      });
  }
  window.setTimeout(poll, 500);
})();
