// oreledger shell behaviour: confirmation prompts and chart/map bootstrapping hooks.
// No inline scripts anywhere (strict CSP): pages mark elements with data- attributes.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.textContent = box.getAttribute("data-message") + " (" + event.detail.xhr.status + ")";
      box.hidden = false;
    }
  });
})();
