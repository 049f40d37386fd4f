// Burn-down chart of a quota account: remaining tonnes per day against the allocation.
// Data comes from the json_script element #burndown-data (strict CSP: no inline scripts).
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("burndown");
    var source = document.getElementById("burndown-data");
    if (!box || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.days.length) {
      box.classList.add("chart-empty");
      box.textContent = box.getAttribute("data-empty");
      return;
    }
    var points = [[data.start, data.allocated_t]];
    for (var i = 0; i < data.days.length; i++) { points.push([data.days[i], data.remaining_t[i]]); }
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [box.getAttribute("data-label-remaining"), box.getAttribute("data-label-allocated")] },
      grid: { left: 70, right: 24, top: 36, bottom: 36 },
      xAxis: { type: "time", min: data.start, max: data.end },
      yAxis: { type: "value", min: 0 },
      series: [
        { name: box.getAttribute("data-label-remaining"), type: "line", step: "end", showSymbol: false,
          areaStyle: { opacity: 0.15 }, data: points },
        { name: box.getAttribute("data-label-allocated"), type: "line", showSymbol: false,
          lineStyle: { type: "dashed" }, data: [[data.start, data.allocated_t], [data.end, 0]] }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
