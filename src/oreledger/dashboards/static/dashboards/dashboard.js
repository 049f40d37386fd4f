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

  // A truck drawn as a path (an emoji is a box on a machine without a colour-emoji font).
  var TRUCK = "path://M0,2h14v10H0z M15,5h5l4,4v3H15z M5,13.5a2.5,2.5,0,1,0,0.01,0z M19,13.5a2.5,2.5,0,1,0,0.01,0z";

  function number(v, digits) {
    return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: digits || 0 });
  }

  function base(dark) {
    var c = palette(dark);
    var size = dark ? 15 : 12;
    return {
      textStyle: { color: c.text, fontSize: size },
      // containLabel: axis labels are measured, never clipped at the chart's edge.
      grid: { left: 6, right: 6, top: dark ? 42 : 40, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, itemWidth: 16, itemHeight: 10, itemGap: dark ? 14 : 12,
        textStyle: { color: c.text, fontSize: size }, pageTextStyle: { color: c.text }, pageIconColor: c.text },
      axisLabel: { color: c.text, fontSize: size, hideOverlap: true }
    };
  }

  function axis(o, c, extra) {
    var a = { axisLine: { lineStyle: { color: c.axis } }, axisLabel: o.axisLabel, nameTextStyle: { color: c.text, fontSize: o.textStyle.fontSize } };
    Object.keys(extra).forEach(function (k) { a[k] = extra[k]; });
    return a;
  }

  var builders = {
    daily: function (data, dark, el) {
      // Series names come from the page, in its language (data-label-*).
      function label(key) { return el.getAttribute("data-label-" + key) || key; }
      var c = palette(dark), o = base(dark), rows = data.rows || [];
      o.xAxis = axis(o, c, { type: "category", data: rows.map(function (r) { return r.day.slice(5); }) });
      o.yAxis = [axis(o, c, { type: "value", name: "t", splitLine: { lineStyle: { color: c.grid } } }),
        axis(o, c, { type: "value", name: label("trucks"), minInterval: 1, splitLine: { show: false } })];
      o.series = [
        { name: label("out"), type: "bar", data: rows.map(function (r) { return r.out_t; }), itemStyle: { color: c.out } },
        { name: label("in"), type: "bar", data: rows.map(function (r) { return r.in_t; }), itemStyle: { color: c.in } },
        { name: label("trucks"), type: "line", yAxisIndex: 1, smooth: true, legendIcon: TRUCK, symbol: "circle", symbolSize: 5,
          data: rows.map(function (r) { return r.trucks; }), itemStyle: { color: c.trucks } }
      ];
      // A line series draws its own legend icon unless the legend item names one.
      o.legend.data = o.series.map(function (s) { return s.legendIcon ? { name: s.name, icon: s.legendIcon } : s.name; });
      return o;
    },
    grades: function (data, dark) {
      var c = palette(dark), o = base(dark), rows = data.rows || [];
      o.tooltip = { trigger: "item", valueFormatter: function (v) { return number(v) + " t"; } };
      o.legend.show = false;
      // Labels aligned to the chart's edges with room kept for them: none is cut or overlaps.
      o.series = [{ type: "pie", radius: ["34%", "56%"], center: ["50%", "52%"], minShowLabelAngle: 2,
        avoidLabelOverlap: true, labelLayout: { hideOverlap: true },
        label: { color: c.text, fontSize: dark ? 15 : 12, lineHeight: dark ? 20 : 16, alignTo: "edge", edgeDistance: 4,
          formatter: function (p) { return p.name + "\n" + number(p.value) + " t"; } },
        labelLine: { length: 8, length2: 0, maxSurfaceAngle: 80 },
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
      o.legend.itemGap = 8;
      o.legend.itemWidth = 12;
      o.xAxis = axis(o, c, { type: "category", boundaryGap: false, data: (data.weeks || []).map(function (w) { return w.slice(5); }) });
      o.yAxis = axis(o, c, { type: "value", scale: true, splitNumber: 4, splitLine: { lineStyle: { color: c.grid } } });
      o.series = rows.map(function (r) { return { name: r.grade, type: "line", smooth: true, connectNulls: true, symbolSize: 5,
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
      // On the scaled big screen the canvas is drawn at the scale's resolution (crisp at 4K).
      var ratio = (window.devicePixelRatio || 1) * stageScale();
      if (!charts[name]) { charts[name] = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas", devicePixelRatio: ratio }); }
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
    var dark = el.getAttribute("data-dark") === "1";
    var map = window.L.map(el, { zoomControl: !dark, attributionControl: false, preferCanvas: !dark, zoomSnap: dark ? 0 : 0.25 });
    map.setView([41.1, 123.0], 7);  // layers project against a view: one must exist first
    var points = [];
    var use = {};
    (data.counties || []).forEach(function (c) { use[c.code] = c; });
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
    // Not animated: a view asked for during a zoom animation is dropped by Leaflet, and the
    // outlines arrive while the first fit may still be animating.
    var fit = function (outlines) {
      var bounds = window.L.latLngBounds(points);
      if (outlines) { bounds.extend(outlines); }
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], maxZoom: 12, animate: false }); } else { map.setView([41.1, 123.0], 7); }
    };
    fit(null);
    var codes = Object.keys(use);
    if (codes.length && window.olCounties) {
      window.olCounties.draw(map, {
        url: el.getAttribute("data-boundaries"), codes: codes, use: data.counties[0].shaded ? use : null, dark: dark,
        label: function (f, c) {
          if (!c.shaded) { return f.properties.name; }
          var pct = c.used_pct === null || c.used_pct === undefined ? "—" : c.used_pct + "%";
          // The big screen's map is small for six counties: the name and the figure only.
          return dark ? f.properties.name + " " + pct : f.properties.name + " · " + t("quota") + " " + pct;
        },
        onClick: function (code) { window.location.search = "?region=" + code; }
      }).then(function (outlines) { if (outlines) { fit(outlines); } el.setAttribute("data-ready", "true"); });
    } else {
      el.setAttribute("data-ready", "true");
    }
  }

  function clock() {
    // Shanghai time from the server's clock, whatever the browser's zone or clock says.
    var time = document.querySelector("[data-clock=time]");
    var date = document.querySelector("[data-clock=date]");
    if (!time || !window.olTime) { return; }
    var now = window.olTime.source(Number(time.getAttribute("data-server-now")));
    var tick = function () {
      var d = now();
      time.textContent = window.olTime.clock(d);
      if (date) { date.textContent = window.olTime.longDate(d); }
    };
    tick();
    setInterval(tick, 1000);
  }

  function stageScale() {
    return document.getElementById("stage") ? Math.min(window.innerWidth / 1920, window.innerHeight / 1080) : 1;
  }

  function fitStage() {
    // The big screen is laid out at 1920×1080 and scaled to the display, centred.
    var stage = document.getElementById("stage");
    if (!stage) { return; }
    var scale = stageScale();
    var x = (window.innerWidth - 1920 * scale) / 2, y = (window.innerHeight - 1080 * scale) / 2;
    stage.style.transform = "translate(" + x + "px," + y + "px) scale(" + scale + ")";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = readJSON("dashboard-data");
    fitStage();
    drawCharts(all);
    document.querySelectorAll("[data-map]").forEach(drawMap);
    clock();
    var scale = stageScale();
    window.addEventListener("resize", function () {
      fitStage();
      if (stageScale() !== scale) {
        // A new scale needs canvases of a new resolution: draw the charts afresh.
        scale = stageScale();
        Object.keys(charts).forEach(function (k) { charts[k].dispose(); delete charts[k]; });
        drawCharts(all);
      } else {
        Object.keys(charts).forEach(function (k) { charts[k].resize(); });
      }
    });
    var every = Number(document.body.getAttribute("data-refresh-seconds") || 60);
    setInterval(function () { refreshCharts(all); }, every * 1000);
  });
})();
