// The print page's "Print" button (no inline handlers: the Content-Security-Policy forbids them), and every
// <details> ("Why this rule") printed open: on a page marked data-open-details at once, on any page that
// loads this script while it prints (restored afterwards).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  function openAll() {
    var opened = [];
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
    return opened;
  }

  if (document.body.hasAttribute("data-open-details")) {
    openAll();
  }
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = openAll();
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) {
      details.open = false;
    });
    openedForPrint = [];
  });
})();
