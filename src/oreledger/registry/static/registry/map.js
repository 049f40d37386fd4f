// Registry maps: sites and stations on a plain background (no tile server), county circles
// for orientation. Data comes from the page's <script type="application/json" id="map-data">.
(function () {
  "use strict";
  var COLOURS = {
    operating: "#2e7d32",
    suspended: "#d68910",
    rectifying: "#d68910",
    shut_down: "#c0392b"
  };
  var COUNTY_RADIUS_M = 25000;

  function draw(element, data) {
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
    // Vector layers project against the map's view, so a view must exist before they are added.
    map.setView([40.9, 122.7], 8);
    var bounds = [];
    (data.regions || []).forEach(function (region) {
      L.circle(region.at, {
        radius: COUNTY_RADIUS_M, color: "#7f8fa6", weight: 1, dashArray: "4 4",
        fillColor: "#dfe6ee", fillOpacity: 0.35, interactive: false
      }).addTo(map);
      L.marker(region.at, {
        icon: L.divIcon({ className: "map-region-label", html: "", iconSize: null }),
        interactive: false
      }).addTo(map).getElement().textContent = region.name;
      var area = L.latLng(region.at).toBounds(COUNTY_RADIUS_M * 2);
      bounds.push(area.getNorthEast(), area.getSouthWest());
    });
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
      marker.bindTooltip(site.code + " " + site.name + " · " + site.enterprise + " · " + site.status_label);
      marker.on("click", function () { window.location.href = site.url; });
      bounds.push(site.at);
    });
    (data.stations || []).forEach(function (station) {
      var marker = L.circleMarker(station.at, {
        radius: 4, color: station.active ? "#1f4e79" : "#9aa5b1", weight: 2,
        fillColor: "#fff", fillOpacity: 1
      }).addTo(map);
      marker.bindTooltip(station.code + " " + station.name);
      marker.on("click", function () { window.location.href = station.url; });
      bounds.push(station.at);
    });
    if (bounds.length) {
      map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 12 });
    } else {
      map.setView([40.9, 122.7], 8);
    }
  }

  function start() {
    var source = document.getElementById("map-data");
    var element = document.querySelector("[data-map]");
    if (!source || !element || typeof L === "undefined") { return; }
    draw(element, JSON.parse(source.textContent));
    element.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
