// Grade mix charts: a pie of the jurisdiction's assays by grade and stacked bars per site.
// Data comes from the json_script element #mix-data (strict CSP: no inline scripts).
(function () {
  "use strict";
  function empty(box) { box.classList.add("chart-empty"); box.textContent = box.getAttribute("data-empty"); }
  function draw() {
    var source = document.getElementById("mix-data");
    var pieBox = document.getElementById("mix-pie");
    var barBox = document.getElementById("mix-sites");
    if (!source || !pieBox || !barBox || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.grades.length) { empty(pieBox); empty(barBox); return; }
    var pie = window.echarts.init(pieBox);
    pie.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"],
        data: data.grades.map(function (g, i) { return { name: g, value: data.totals[i] }; }) }]
    });
    var bars = window.echarts.init(barBox);
    bars.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 100, right: 20, top: 36, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: data.sites, inverse: true },
      series: data.series.map(function (s) {
        return { name: s.grade, type: "bar", stack: "n", data: s.counts };
      })
    });
    window.addEventListener("resize", function () { pie.resize(); bars.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
