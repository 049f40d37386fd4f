// The map layer of the alert list: one marker per located alert over the county outlines
// (core/counties.js; no tiles).
(function () {
  "use strict";
  var COLOURS = { high: "#c0392b", medium: "#d68910", low: "#2e86c1" };

  function draw() {
    var holder = document.getElementById("alert-map");
    var source = document.getElementById("alert-map-data");
    if (!holder || !source || typeof L === "undefined") { return; }
    var points = JSON.parse(source.textContent);
    if (!points.length) { holder.textContent = holder.dataset.empty || ""; return; }
    var map = L.map(holder, { attributionControl: false });
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 7, color: COLOURS[p.severity] || "#555", fillOpacity: 0.7
      }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.rule + " · " + p.subject;
      marker.bindPopup(link);
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
    if (window.olCounties && holder.dataset.boundaries) {
      window.olCounties.draw(map, { url: holder.dataset.boundaries });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.body.addEventListener("htmx:afterSettle", function () { /* list refresh keeps the map */ });
})();
