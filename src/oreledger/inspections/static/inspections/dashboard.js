// The campaign dashboard's bar chart: in scope, inspected, findings and open orders per row.
// Data comes from the json_script element #campaign-chart-data (strict CSP: no inline scripts).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("campaign-chart");
    var source = document.getElementById("campaign-chart-data");
    if (!box || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: data.series.map(function (s) { return s.name; }) },
      grid: { left: 56, right: 24, top: 40, bottom: 64 },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
