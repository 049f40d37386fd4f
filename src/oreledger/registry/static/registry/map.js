// Registry maps: sites and stations over the county outlines (core/counties.js; no tile
// server). Data comes from the page's <script type="application/json" id="map-data">.
(function () {
  "use strict";
  var COLOURS = {
    operating: "#2e7d32",
    suspended: "#d68910",
    rectifying: "#d68910",
    shut_down: "#c0392b"
  };

  // Leaflet writes a string tooltip as HTML: names typed by enterprises go in as text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function draw(element, data) {
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
    // Vector layers project against the map's view, so a view must exist before they are added.
    map.setView([40.9, 122.7], 8);
    var bounds = [];
    var use = {};
    (data.regions || []).forEach(function (region) { use[region.code] = region; });
    (data.sites || []).forEach(function (site) {
      var colour = COLOURS[site.status] || "#66717e";
      if (site.boundary) {
        L.geoJSON(site.boundary, {
          style: { color: colour, weight: 1.5, fillOpacity: 0.15 }, interactive: false
        }).addTo(map);
      }
      var marker = L.circleMarker(site.at, {
        radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95
      }).addTo(map);
      marker.bindTooltip(text(site.code + " " + site.name + " · " + site.enterprise + " · " + site.status_label));
      marker.on("click", function () { window.location.href = site.url; });
      bounds.push(site.at);
    });
    (data.stations || []).forEach(function (station) {
      var marker = L.circleMarker(station.at, {
        radius: 4, color: station.active ? "#1f4e79" : "#9aa5b1", weight: 2,
        fillColor: "#fff", fillOpacity: 1
      }).addTo(map);
      marker.bindTooltip(text(station.code + " " + station.name));
      marker.on("click", function () { window.location.href = station.url; });
      bounds.push(station.at);
    });
    // Not animated: Leaflet drops a view asked for during a zoom animation.
    var fit = function (outlines) {
      var all = L.latLngBounds(bounds);
      if (outlines) { all.extend(outlines); }
      if (all.isValid()) { map.fitBounds(all.pad(0.05), { maxZoom: 12, animate: false }); }
    };
    fit(null);
    var codes = Object.keys(use);
    if (!codes.length || !window.olCounties) { return Promise.resolve(); }
    return window.olCounties.draw(map, {
      url: element.getAttribute("data-boundaries"), codes: codes,
      use: data.shaded ? use : null,
      label: function (f, region) {
        var pct = region.used_pct;
        return f.properties.name + (data.shaded ? " · " + (pct === null || pct === undefined ? "—" : pct + "%") : "");
      }
    }).then(fit);
  }

  function start() {
    var source = document.getElementById("map-data");
    var element = document.querySelector("[data-map]");
    if (!source || !element || typeof L === "undefined") { return; }
    draw(element, JSON.parse(source.textContent)).then(function () {
      element.setAttribute("data-ready", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
