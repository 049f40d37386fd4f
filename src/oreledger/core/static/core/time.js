// Times in the browser as the pages write them (core/formats.py): Asia/Shanghai whatever the
// browser's own time zone, "2026-12-05 16:24" for a date-time, "16:24:05" for a clock and
// "2026年12月5日" for the big screen's date. Every script that shows a time uses these.
(function () {
  "use strict";
  var ZONE = "Asia/Shanghai";
  var parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: ZONE, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit"
  });

  function fields(date) {
    var out = {};
    parts.formatToParts(date).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }

  window.olTime = {
    zone: ZONE,
    // "2026-12-05 16:24" (core.formats.DATETIME)
    dateTime: function (date) { var f = fields(date); return f.year + "-" + f.month + "-" + f.day + " " + f.hour + ":" + f.minute; },
    // "16:24:05"
    clock: function (date) { var f = fields(date); return f.hour + ":" + f.minute + ":" + f.second; },
    // "2026年12月5日"
    longDate: function (date) { var f = fields(date); return f.year + "年" + Number(f.month) + "月" + Number(f.day) + "日"; },
    // A clock that follows the server's: `serverMs` is the server's time when the page was made.
    source: function (serverMs) {
      var offset = serverMs ? serverMs - Date.now() : 0;
      return function () { return new Date(Date.now() + offset); };
    }
  };
})();
