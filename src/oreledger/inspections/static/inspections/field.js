// The field inspection form keeps a draft on the device until the server has stored it:
// a flaky connection loses nothing typed, and the submission key makes a resend land on
// the inspection already stored (the server answers 200 instead of 201).
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("inspection-form");
    if (!form) { return; }
    var status = document.getElementById("draft-status");
    var store = form.dataset.draft;
    var say = function (text) { if (status) { status.textContent = text || ""; } };

    function collect() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
        if (el.type === "radio") { if (el.checked) { values[el.name] = el.value; } return; }
        values[el.name] = el.value;
      });
      return values;
    }
    function save() {
      try { window.localStorage.setItem(store, JSON.stringify(collect())); say(form.dataset.msgSaved); }
      catch (e) { /* storage full or refused: the form still posts */ }
    }
    function restore() {
      var raw = window.localStorage.getItem(store);
      if (!raw) { return; }
      var values = JSON.parse(raw);
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || !(el.name in values) || el.type === "file") { return; }
        if (el.type === "radio") { el.checked = el.value === values[el.name]; }
        else if (el.name !== "csrfmiddlewaretoken") { el.value = values[el.name]; }
      });
      say(form.dataset.msgRestored);
    }
    restore();
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save();
      say(form.dataset.msgSending);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action || window.location.href, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (answer.ok) {
          window.localStorage.removeItem(store);
          window.location.assign(answer.body.url);
          return;
        }
        say(answer.body.error ? answer.body.error.message : "");
        if (button) { button.disabled = false; }
      }).catch(function () {
        say(form.dataset.msgOffline);
        if (button) { button.disabled = false; }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
