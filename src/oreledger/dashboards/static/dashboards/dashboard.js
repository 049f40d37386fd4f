// Dashboards: ECharts charts, the Leaflet map, the big screen's clock, scale and refresh.
// No inline scripts (strict CSP): data comes from json_script blocks and the JSON API.
(function () {
  "use strict";
  var charts = {};

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function palette(dark) {
    return dark
      ? { text: "#cfe3ff", axis: "#3b5b8a", grid: "#1b2f52", out: "#33d1ff", in: "#ffb340", trucks: "#7dffb0" }
      : { text: "#1d2733", axis: "#9aa7b5", grid: "#e6ebf1", out: "#2f6da3", in: "#d68910", trucks: "#2e7d32" };
  }

  function base(dark) {
    var c = palette(dark);
    var size = dark ? 18 : 12;
    return {
      textStyle: { color: c.text, fontSize: size },
      grid: { left: 60, right: 30, top: 40, bottom: 40 },
      tooltip: { trigger: "axis" },
      legend: { textStyle: { color: c.text, fontSize: size } }
    };
  }

  var builders = {
    daily: function (data, dark, el) {
      // Series names come from the page, in its language (data-label-*).
      function label(key) { return el.getAttribute("data-label-" + key) || key; }
      var c = palette(dark), o = base(dark), rows = data.rows || [];
      o.xAxis = { type: "category", data: rows.map(function (r) { return r.day.slice(5); }),
        axisLine: { lineStyle: { color: c.axis } } };
      o.yAxis = [{ type: "value", name: "t", splitLine: { lineStyle: { color: c.grid } } },
        { type: "value", name: label("trucks"), splitLine: { show: false } }];
      o.series = [
        { name: label("out"), type: "bar", data: rows.map(function (r) { return r.out_t; }), itemStyle: { color: c.out } },
        { name: label("in"), type: "bar", data: rows.map(function (r) { return r.in_t; }), itemStyle: { color: c.in } },
        { name: label("trucks"), type: "line", yAxisIndex: 1, smooth: true, data: rows.map(function (r) { return r.trucks; }), itemStyle: { color: c.trucks } }
      ];
      return o;
    },
    grades: function (data, dark) {
      var c = palette(dark), o = base(dark), rows = data.rows || [];
      o.tooltip = { trigger: "item" };
      o.legend.show = false;
      o.series = [{ type: "pie", radius: ["38%", "62%"], label: { color: c.text, fontSize: dark ? 18 : 12, formatter: "{b}\n{c} t" },
        data: rows.map(function (r) { return { name: r.grade, value: r.out_t }; }) }];
      return o;
    },
    quota: function (data, dark) {
      var c = palette(dark);
      var pct = data.used_pct === null || data.used_pct === undefined ? 0 : data.used_pct;
      return { series: [{ type: "gauge", min: 0, max: 100, progress: { show: true, width: dark ? 22 : 14 },
        axisLine: { lineStyle: { width: dark ? 22 : 14, color: [[0.8, "#2e7d32"], [0.9, "#d68910"], [1, "#c0392b"]] } },
        axisLabel: { show: false }, splitLine: { show: false }, axisTick: { show: false },
        pointer: { show: false }, title: { color: c.text }, detail: { valueAnimation: true, formatter: "{value}%", color: c.text, fontSize: dark ? 30 : 20, offsetCenter: [0, "0%"] },
        data: [{ value: pct }] }] };
    },
    prices: function (data, dark) {
      var c = palette(dark), o = base(dark), rows = data.rows || [];
      o.xAxis = { type: "category", data: (data.weeks || []).map(function (w) { return w.slice(5); }), axisLine: { lineStyle: { color: c.axis } } };
      o.yAxis = { type: "value", scale: true, splitLine: { lineStyle: { color: c.grid } } };
      o.series = rows.map(function (r) { return { name: r.grade, type: "line", smooth: true, connectNulls: true,
        data: r.series.map(function (v) { return v === null ? null : Number(v); }) }; });
      return o;
    }
  };

  function drawCharts(all) {
    if (!window.echarts || !all) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var data = all[name];
      if (!data || !builders[name]) { return; }
      var dark = el.getAttribute("data-dark") === "1";
      if (!charts[name]) { charts[name] = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" }); }
      var option = builders[name](data, dark, el);
      if (dark) { option.backgroundColor = "transparent"; }
      charts[name].setOption(option, true);
    });
  }

  function refreshCharts(all) {
    var api = (all && all.api) || {};
    Object.keys(charts).forEach(function (name) {
      if (!api[name]) { return; }
      fetch(api[name], { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { all[name] = data; drawCharts(all); } })
        .catch(function () { /* keep the last picture; the next tick tries again */ });
    });
  }

  function heat(pct) {
    // Green → amber → red as a county's quota is used up.
    if (pct === null || pct === undefined) { return "#8899aa"; }
    var p = Math.max(0, Math.min(100, pct)) / 100;
    var r = Math.round(46 + p * (192 - 46)), g = Math.round(125 + (p < 0.5 ? p : 1 - p) * 120 - p * 60);
    return "rgb(" + r + "," + Math.max(40, g) + ",43)";
  }

  function popup(el, title, lines, url, label) {
    var box = document.createElement("div");
    var h = document.createElement("strong");
    h.textContent = title;
    box.appendChild(h);
    lines.forEach(function (t) { var d = document.createElement("div"); d.textContent = t; box.appendChild(d); });
    if (url) { var a = document.createElement("a"); a.href = url; a.textContent = label; box.appendChild(a); }
    return box;
  }

  function drawMap(el) {
    if (!window.L) { return; }
    var data = readJSON(el.getAttribute("data-map"));
    if (!data) { return; }
    var t = function (k) { return el.getAttribute("data-l-" + k) || k; };
    var map = window.L.map(el, { zoomControl: true, attributionControl: false, preferCanvas: true });
    var points = [];
    (data.counties || []).forEach(function (c) {
      if (c.lat === null) { return; }
      window.L.circle([c.lat, c.lon], { radius: 18000, color: heat(c.used_pct), weight: 1, fillColor: heat(c.used_pct), fillOpacity: 0.35 })
        .addTo(map).bindTooltip(c.name + " · " + t("quota") + " " + (c.used_pct === null ? "—" : c.used_pct + "%"), { permanent: true, direction: "center", className: "county-label" })
        .on("click", function () { window.location.search = "?region=" + c.code; });
      points.push([c.lat, c.lon]);
    });
    (data.sites || []).forEach(function (s) {
      var stop = s.status !== "operating";
      window.L.circleMarker([s.lat, s.lon], { radius: 7, color: s.alerts ? "#ff3b30" : "#ffffff", weight: s.alerts ? 4 : 1,
        fillColor: stop ? "#c0392b" : (s.kind === "mine" ? "#2e7d32" : "#1f77b4"), fillOpacity: 0.9 })
        .addTo(map).bindPopup(popup(el, s.name, [s.enterprise, t("alerts") + ": " + s.alerts], s.url, t("open")));
      points.push([s.lat, s.lon]);
    });
    (data.stations || []).forEach(function (s) {
      var color = { online: "#2ecc71", silent: "#f39c12", never: "#7f8c8d" }[s.status];
      window.L.circleMarker([s.lat, s.lon], { radius: 4, color: s.alerts ? "#ff3b30" : color, weight: s.alerts ? 3 : 1, fillColor: color, fillOpacity: 1 })
        .addTo(map).bindPopup(popup(el, s.name, [t("station") + " " + s.code, t("alerts") + ": " + s.alerts], s.url, t("open")));
    });
    if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 12 }); } else { map.setView([41.1, 123.0], 7); }
  }

  function clock() {
    var time = document.querySelector("[data-clock=time]");
    if (!time) { return; }
    var pad = function (n) { return n < 10 ? "0" + n : "" + n; };
    setInterval(function () {
      var d = new Date();
      time.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    }, 1000);
  }

  function fitStage() {
    // The big screen is laid out at 1920×1080 and scaled to whatever display shows it.
    var stage = document.getElementById("stage");
    if (!stage) { return; }
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = "scale(" + scale + ")";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = readJSON("dashboard-data");
    drawCharts(all);
    document.querySelectorAll("[data-map]").forEach(drawMap);
    clock();
    fitStage();
    window.addEventListener("resize", function () {
      fitStage();
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    var every = Number(document.body.getAttribute("data-refresh-seconds") || 60);
    setInterval(function () { refreshCharts(all); }, every * 1000);
  });
})();
