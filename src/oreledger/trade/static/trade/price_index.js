// The weekly price index chart: one contract line and one delivered line per grade.
// Data comes from the page's json_script element (strict CSP: no inline scripts).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("price-chart");
    var source = document.getElementById("price-index-data");
    if (!holder || !source || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var series = [];
    data.series.forEach(function (grade) {
      series.push({ name: grade.name + " · " + data.labels.approved, type: "line",
                    connectNulls: true, data: grade.approved.map(toNumber) });
      series.push({ name: grade.name + " · " + data.labels.delivered, type: "line",
                    connectNulls: true, lineStyle: { type: "dashed" },
                    data: grade.delivered.map(toNumber) });
    });
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 60, right: 20, top: 50, bottom: 30 },
      xAxis: { type: "category", data: data.weeks },
      yAxis: { type: "value", name: data.labels.axis },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function toNumber(value) {
    return value === null ? null : Number(value);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
