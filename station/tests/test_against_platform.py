"""The agent against a real running platform: `oreledger serve` on the test database, the
agent as its own process (`oreledger-station replay`), exactly as at a commissioning.

These tests need the server package (they provision a province through it); the agent's
own tests (test_frames, test_scale, …) do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streams
from oreledger.quotas.models import QuotaAccount
from oreledger.weighing.models import StationState, Ticket
from platform_support import (
    DATA,
    Cable,
    agent_command,
    finish,
    issue_waybills,
    kill,
    local_db,
    provision,
    serving,
    start_agent,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _platform_tickets(code: str) -> list[tuple[Any, ...]]:
    return list(
        Ticket.objects.filter(station__code=code)
        .order_by("seq")
        .values_list("seq", "plate", "gross_kg", "tare_kg", "net_kg", "release", "waybill_number")
    )


def _consumed(site: Any) -> int:
    return int(QuotaAccount.objects.get(holder_site=site.mine.site).consumed_kg)


def _secret(tmp_path: Path, code: str, secret: str) -> Path:
    path = tmp_path / f"{code}.secret"
    path.write_text(secret + "\n", encoding="utf-8")
    return path


def test_recorded_streams_of_both_formats_give_exactly_the_expected_tickets(
    world_tx: Any, tmp_path: Path
) -> None:
    # given a mine with two exit stations (one XK3190 indicator, one Toledo) and the
    # waybills the recorded operator scans
    site = provision(world_tx)
    codes = sorted(site.stations)
    stations = dict(zip(streams.RECORDED, codes, strict=True))
    expected: dict[str, list[streams.Expected]] = {}
    for fmt, (_baud, _prefix, _numbers) in streams.RECORDED.items():
        script = streams.recorded_script(fmt)
        expected[fmt] = script.tickets
        issue_waybills(site, [(t.plate, t.waybill) for t in script.tickets if t.waybill])
    with serving() as port:
        # when each committed capture is replayed (200× real time) to the platform
        outputs = {}
        for fmt, (baud, _prefix, _numbers) in streams.RECORDED.items():
            code = stations[fmt]
            log = tmp_path / f"{fmt}.log"
            command = agent_command(
                DATA / f"{fmt}-{baud}.bin", fmt=fmt, baud=baud,
                events=DATA / f"{fmt}-events.csv", station=code, server_port=port,
                secret_file=_secret(tmp_path, code, site.stations[code]),
                data_dir=tmp_path / fmt, speed=200,
            )  # fmt: skip
            outputs[fmt] = finish(start_agent(command, log), log)
    for fmt, lines in outputs.items():
        code = stations[fmt]
        want = expected[fmt]
        # then it printed one line per expected ticket: seq from 1, the weights, the answer
        # (released with a waybill; held as no_waybill without one)
        assert lines == [
            [str(seq), t.plate, str(t.gross_kg), str(t.tare_kg), str(t.net_kg), "accepted",
             "release" if t.waybill else "hold"]
            for seq, t in enumerate(want, start=1)
        ]  # fmt: skip
        # and the platform holds exactly those tickets, nothing from the noise, the phantom
        # 45 t frames, the rocking truck or the truck weighed on top of another
        assert _platform_tickets(code) == [
            (seq, t.plate, t.gross_kg, t.tare_kg, t.net_kg, bool(t.waybill), t.waybill or "")
            for seq, t in enumerate(want, start=1)
        ]
        # and the local refusals reached the platform in the heartbeat's status
        status = StationState.objects.get(station__code=code).device_status
        _code, last_plate = streams.recorded_script(fmt).refusals[-1]
        assert status.startswith("refused 2/24h: no_zero ") and last_plate in status
        log_text = (tmp_path / f"{fmt}.log").read_text(encoding="utf-8")
        assert f"拒绝称重：{last_plate}，重量 17500 kg。两车之间磅秤未回零" in log_text
    # the quota drawn is the released tickets' net, to the kilogram
    released = [t for fmt in expected for t in expected[fmt] if t.waybill]
    assert _consumed(site) == sum(t.net_kg for t in released)


def _hour_of_traffic(tmp_path: Path, site: Any, trucks: int, tag: str) -> tuple[Any, Path, Path]:
    script = streams.traffic(trucks, "辽C2" if tag == "H" else "辽C5", f"WB{tag}")
    capture = tmp_path / f"traffic-{tag}.bin"
    capture.write_bytes(streams.render(script, "xk3190", 1200, seed=5))
    events = tmp_path / f"traffic-{tag}.csv"
    events.write_bytes(streams.events_csv(script))
    issue_waybills(site, [(t.plate, t.waybill) for t in script.tickets if t.waybill])
    return script, capture, events


def test_an_hour_offline_then_back_delivers_every_ticket_once_in_order(
    world_tx: Any, tmp_path: Path
) -> None:
    # given an hour of traffic (44 trucks, each weighed empty then loaded)
    site = provision(world_tx)
    code = sorted(site.stations)[0]
    script, capture, events = _hour_of_traffic(tmp_path, site, 44, "H")
    assert 3600 <= script.duration <= 3700
    data_dir = tmp_path / "agent"
    ask = local_db(data_dir)
    with serving() as port:
        cable = Cable(port)
        try:
            command = agent_command(
                capture, fmt="xk3190", baud=1200, events=events, station=code,
                server_port=cable.port, secret_file=_secret(tmp_path, code, site.stations[code]),
                data_dir=data_dir, speed=900,
            )  # fmt: skip
            agent = start_agent(command, tmp_path / "agent.log")
            # when the uplink dies after the first answers and stays dead for the hour
            wait_for(lambda: ask("SELECT COUNT(*) FROM tickets WHERE state = 'answered'"),
                     "no ticket was answered")  # fmt: skip
            cable.unplug()
            wait_for(lambda: ask("SELECT finished FROM checkpoints WHERE source LIKE 'replay:%'"),
                     "the capture was not consumed", timeout=60)  # fmt: skip
            delivered_offline = len(_platform_tickets(code))
            waiting = ask("SELECT COUNT(*) FROM tickets WHERE state = 'queued'")
            # then everything weighed meanwhile waits in the station's queue (a batch whose
            # answer the cut lost is both stored there and queued here: it is resent)
            assert waiting > 20 and delivered_offline < len(script.tickets)
            assert delivered_offline + waiting >= len(script.tickets)
            # when the line comes back
            cable.plug()
            lines = finish(agent, tmp_path / "agent.log")
        finally:
            cable.close()
    # then every ticket reached the platform once, in seq order, with the expected weights
    want = [(seq, t.plate, t.gross_kg, t.tare_kg, t.net_kg, True, t.waybill)
            for seq, t in enumerate(script.tickets, start=1)]  # fmt: skip
    assert _platform_tickets(code) == want
    assert [line[:5] for line in lines] == [[str(w[0]), w[1], str(w[2]), str(w[3]), str(w[4])]
                                           for w in want]  # fmt: skip
    # (a batch stored just as the cable was pulled lost its answer: resent, it is a duplicate
    # carrying the stored decision)
    statuses = [line[5] for line in lines]
    assert set(statuses) <= {"accepted", "duplicate"} and statuses.count("duplicate") <= 50
    assert {line[6] for line in lines} == {"release"}
    # and the totals agree to the kilogram: tickets, and the mine's quota drawn
    total = sum(t.net_kg for t in script.tickets)
    assert sum(w[4] for w in _platform_tickets(code)) == total == _consumed(site)


def test_killed_in_the_middle_and_restarted_loses_nothing_and_doubles_nothing(
    world_tx: Any, tmp_path: Path
) -> None:
    # given half an hour of traffic, replayed while the uplink is down
    site = provision(world_tx)
    code = sorted(site.stations)[1]
    script, capture, events = _hour_of_traffic(tmp_path, site, 20, "K")
    data_dir = tmp_path / "agent"
    ask = local_db(data_dir)
    log = tmp_path / "agent.log"
    with serving() as port:
        cable = Cable(port)
        try:
            command = agent_command(
                capture, fmt="xk3190", baud=1200, events=events, station=code,
                server_port=cable.port, secret_file=_secret(tmp_path, code, site.stations[code]),
                data_dir=data_dir, speed=300,
            )  # fmt: skip
            agent = start_agent(command, log)
            answered = "SELECT COUNT(*) FROM tickets WHERE state = 'answered'"
            wait_for(lambda: (ask(answered) or 0) >= 2, "no ticket was answered")
            cable.unplug()
            # when the agent is killed (SIGKILL) with tickets queued and the capture half read
            wait_for(lambda: (ask("SELECT COUNT(*) FROM tickets") or 0) >= 8, "too few tickets")
            kill(agent)
            made = ask("SELECT COUNT(*) FROM tickets")
            assert 8 <= made < len(script.tickets)
            assert ask("SELECT COUNT(*) FROM tickets WHERE state = 'queued'") > 0
            # and started again with the same command, the line back
            cable.plug()
            lines = finish(start_agent(command, log), log)
        finally:
            cable.close()
    # then it resumed where it stood: every ticket once, seq without gaps, weights exact
    want = [(seq, t.plate, t.gross_kg, t.tare_kg, t.net_kg, True, t.waybill)
            for seq, t in enumerate(script.tickets, start=1)]  # fmt: skip
    assert _platform_tickets(code) == want
    assert [int(line[0]) for line in lines] == list(range(1, len(want) + 1))
    assert [line[1] for line in lines] == [t.plate for t in script.tickets]
    assert "从断点继续回放" in log.read_text(encoding="utf-8")
    assert _consumed(site) == sum(t.net_kg for t in script.tickets)
