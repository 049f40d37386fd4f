// The operator's screen: polls the agent's state twice a second and sends the truck's plate
// and waybill. No framework: the page is small and must work on an old weighbridge PC.
"use strict";

const token = document.querySelector('meta[name="station-token"]').content;
const $ = (id) => document.getElementById(id);

function text(id, value) {
  $(id).textContent = value === null || value === undefined || value === "" ? "—" : value;
}

function cell(row, value, cls) {
  const td = document.createElement("td");
  td.textContent = value === null || value === undefined ? "" : value;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function kg(value) {
  return value === null || value === undefined ? "" : value.toLocaleString("zh-CN");
}

function renderAnswer(answer) {
  const box = $("release");
  $("reasons").replaceChildren();
  if (!answer) {
    box.textContent = "等待车辆";
    box.className = "release";
    $("answer-detail").textContent = "";
    return;
  }
  box.textContent = answer.release_text;
  box.className = "release " + (answer.release === null ? "wait" : answer.release ? "go" : "stop");
  $("answer-detail").textContent =
    `${answer.plate}　磅单 ${answer.ticket_no}　净重 ${kg(answer.net_kg)} kg　${answer.status}`;
  for (const reason of answer.reasons) {
    const li = document.createElement("li");
    li.textContent = reason;
    $("reasons").appendChild(li);
  }
}

function renderTickets(tickets) {
  const body = $("ticket-rows");
  body.replaceChildren();
  for (const t of tickets) {
    const row = document.createElement("tr");
    cell(row, t.time);
    cell(row, t.ticket_no);
    cell(row, t.seq === null ? "待编号" : t.seq, "num");
    cell(row, t.plate);
    cell(row, t.waybill);
    cell(row, kg(t.gross_kg), "num");
    cell(row, kg(t.tare_kg), "num");
    cell(row, kg(t.net_kg), "num");
    cell(row, t.status);
    const answer = cell(row, t.release_text, t.release === null ? "wait" : t.release ? "go" : "stop");
    if (t.reasons.length) answer.title = t.reasons.join("；");
    const action = cell(row, "");
    const button = document.createElement("button");
    button.textContent = "补打";
    button.addEventListener("click", () => post("/api/reprint", { local_no: t.local_no }));
    action.appendChild(button);
    body.appendChild(row);
  }
}

function renderRefusals(refusals) {
  const body = $("refusal-rows");
  body.replaceChildren();
  for (const r of refusals) {
    const row = document.createElement("tr");
    cell(row, r.time);
    cell(row, r.plate);
    cell(row, r.weight_kg === null ? "" : kg(r.weight_kg), "num");
    cell(row, r.text, "reason");
    cell(row, r.reported);
    body.appendChild(row);
  }
}

function render(s) {
  text("station", s.station);
  $("direction").textContent = `${s.direction}・${s.weighing}`;
  $("link").textContent = s.link;
  $("link-box").className = "link " + s.link_state;
  $("clock").textContent = s.clock;
  $("weight").textContent = s.weight_kg === null ? "—" : kg(s.weight_kg);
  const state = $("scale-state");
  state.textContent = s.scale_text;
  state.className = "flag " + (s.stable ? "good" : "warn");
  const zero = $("zero");
  zero.textContent = s.zero_text;
  zero.className = "flag " + (s.zero_seen ? "good" : "bad");
  text("frames", s.frames);
  text("bad-frames", s.bad_frames);
  text("cur-plate", s.plate);
  text("cur-waybill", s.waybill);
  const notice = $("notice");
  notice.textContent = s.notice ? `${s.notice.time}　${s.notice.text}` : "";
  notice.className = "notice " + (s.notice ? s.notice.kind : "");
  renderAnswer(s.answer);
  renderTickets(s.tickets);
  renderRefusals(s.refusals);
  text("queue", s.queue);
  text("passes", s.passes);
}

async function refresh() {
  try {
    const response = await fetch("/api/state", { cache: "no-store" });
    render(await response.json());
  } catch (error) {
    $("link").textContent = "称重终端程序未响应";
  }
}

async function post(path, data) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Station-Token": token },
    body: JSON.stringify(data),
  });
  const answer = await response.json();
  const message = $("message");
  message.textContent = answer.ok ? answer.message : answer.error;
  message.className = "message " + (answer.ok ? "" : "error");
  refresh();
  return answer.ok;
}

$("truck-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ok = await post("/api/truck", { plate: $("plate").value, waybill: $("waybill").value });
  if (ok) {
    $("plate").value = "";
    $("waybill").value = "";
    $("plate").focus();
  }
});
$("clear").addEventListener("click", () => post("/api/clear", {}));
// A scanner types the waybill number and Enter: go straight to confirming.
$("waybill").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    $("truck-form").requestSubmit();
  }
});

refresh();
setInterval(refresh, 500);
