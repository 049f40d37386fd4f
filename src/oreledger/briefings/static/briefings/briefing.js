// The briefing's charts: the same series the PDF and Word draw as bars, here with ECharts.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("briefing-charts");
    if (!data || !window.echarts) { return; }
    var charts = JSON.parse(data.textContent);
    document.querySelectorAll(".briefing-chart").forEach(function (el) {
      var chart = charts[Number(el.dataset.chart)];
      window.echarts.init(el).setOption({
        title: { text: chart.title, textStyle: { fontSize: 14 } },
        grid: { left: 140, right: 60, top: 40, bottom: 20 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: chart.labels, inverse: true },
        tooltip: { trigger: "axis" },
        series: [{ type: "bar", data: chart.values, label: { show: true, position: "right" } }]
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
