// oreledger shell behaviour. No inline scripts anywhere (strict CSP): pages mark elements
// with data- attributes. Irreversible actions are confirmed by a server-side step
// (core.confirmation), which works with no script at all.
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.textContent = box.getAttribute("data-message") + " (" + event.detail.xhr.status + ")";
      box.hidden = false;
    }
  });
})();
