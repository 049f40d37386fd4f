"""`oreledger simulate-stations`: weighbridge traffic over the station protocol, for demos."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone

from oreledger.accounts.models import ApiToken
from oreledger.accounts.services import issue_api_token, revoke_api_token
from oreledger.simulator.anomalies import parse_anomalies
from oreledger.simulator.client import SHANGHAI, HttpTransport, StationClient, Unplugged
from oreledger.simulator.driver import PastWaybills, Simulator, WaybillIssuer
from oreledger.simulator.traffic import TrafficModel
from oreledger.simulator.world import load_world

TOKEN_NAME = "station-simulator"  # noqa: S105 (a label, not a secret)


class Command(BaseCommand):
    """Simulate the province's weighbridges: past days of history, then a live trickle."""

    simulator: Simulator | None = None  # the last run's, for tests that call the command
    help = (
        "Simulate weighbridge stations over HTTP: signed batches, offline buffering, "
        "heartbeats, history and live traffic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the platform")
        parser.add_argument("--history-days", type=int, default=0,
                            help="send this many past days (and today so far) first")  # fmt: skip
        parser.add_argument("--force-history", action="store_true",
                            help="send history even if stations hold tickets")  # fmt: skip
        parser.add_argument("--history-volume", type=float, default=1.0,
                            help="history traffic as a multiple of the realistic rate")  # fmt: skip
        parser.add_argument("--live", action="store_true", help="keep traffic going until stopped")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--speed", type=float, default=1.0,
                            help="live traffic as a multiple of the realistic rate")  # fmt: skip
        parser.add_argument("--stations", default="", help="only these station codes (a,b,…)")
        parser.add_argument("--offline-drill", action="store_true",
                            help="take a few stations offline now and then")  # fmt: skip
        parser.add_argument("--anomaly", action="append", default=[], metavar="KIND=RATE",
                            help="misbehaviour in a share of trips: overload=0.02")  # fmt: skip
        parser.add_argument("--progress-every", type=float, default=30.0, help="seconds")
        parser.add_argument("--wait", type=float, default=120.0,
                            help="seconds to wait for the platform to answer at start")  # fmt: skip
        parser.add_argument("--duration", type=float, default=None,
                            help="stop live mode after this many seconds")  # fmt: skip
        parser.add_argument("--ready-file", default="",
                            help="write this file once the history is in (or skipped)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["history_days"] < 0 or options["speed"] <= 0 or options["history_volume"] <= 0:
            raise CommandError("--history-days must be ≥ 0, --speed and --history-volume > 0")
        try:
            anomalies = parse_anomalies(options["anomaly"])
            transport = HttpTransport(options["url"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        only = {c.strip() for c in options["stations"].split(",") if c.strip()} or None
        today = timezone.now().astimezone(SHANGHAI).date()
        loaded = load_world(today=today, only=only)
        world = loaded.world
        if not world.contracts or not world.trucks:
            self._ready(options, "nothing to simulate")
            raise CommandError(
                "nothing to simulate: no approved contract between two stations' sites, "
                "or no registered haulier truck | 没有可模拟的合同或车辆"
            )
        tokens: dict[str, str] = {}
        keys: dict[int, str] = {}
        for number, user in loaded.issuers.items():
            if user.pk not in keys:
                keys[user.pk] = issue_api_token(actor=None, user=user, name=TOKEN_NAME)
            tokens[number] = keys[user.pk]
        self.stdout.write(
            f"simulating {len(loaded.secrets)} stations, {len(world.contracts)} contracts, "
            f"{len(world.trucks)} trucks ({len(loaded.skipped)} contracts/stations sit out) "
            f"| 模拟计量站 {len(loaded.secrets)} 个，合同 {len(world.contracts)} 份，"
            f"车辆 {len(world.trucks)} 辆"
        )
        # The simulator speaks HTTP from here on; do not hold a database connection open.
        connections.close_all()
        clients = {
            code: StationClient(code, secret, Unplugged(transport))
            for code, secret in sorted(loaded.secrets.items())
        }
        model = TrafficModel(world, seed=options["seed"], anomalies=anomalies)
        simulator = Simulator(
            model=model, clients=clients, issuer=WaybillIssuer(transport, tokens),
            past=PastWaybills(loaded.issuers), out=self.stdout.write, seed=options["seed"],
        )  # fmt: skip

        def stop(signum: int, frame: Any) -> None:
            simulator.stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.simulator = simulator
        try:
            self._run(simulator, options)
        finally:
            simulator.finish()
            simulator.progress()
            transport.close()
            self._revoke(set(keys.values()))
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run(self, simulator: Simulator, options: dict[str, Any]) -> None:
        held = self._wait_for_platform(simulator, options["wait"])
        days = options["history_days"]
        now = timezone.now()
        if days and held and not options["force_history"]:
            self.stdout.write(
                f"history skipped: the stations already hold {held} tickets "
                "(--force-history sends it anyway) | 已有历史磅单，跳过历史数据"
            )
            self._ready(options, "history skipped")
            if not options["live"]:
                return
            days = 0
        elif days or not options["live"]:
            simulator.run_history(
                days=days, now=now, keep_open=options["live"], volume=options["history_volume"]
            )
            # What was buffered reaches the platform before anyone is told it is there.
            simulator.flush_all(force=True)
            self._ready(options, "history sent")
        else:
            self._ready(options, "no history asked for")
        if options["live"] and not simulator.stopping:
            self.stdout.write(
                f"live traffic at {options['speed']:g}× | 实时模拟，倍速 {options['speed']:g}"
            )
            simulator.run_live(
                speed=options["speed"], drill=options["offline_drill"],
                progress_every=options["progress_every"], stop_after=options["duration"],
                since=now if days else None,
            )  # fmt: skip

    def _ready(self, options: dict[str, Any], what: str) -> None:
        """Tell whoever waits (`oreledger demo`) that the history is in the platform."""
        if options["ready_file"]:
            from pathlib import Path

            Path(options["ready_file"]).write_text(what + "\n", encoding="utf-8")

    def _wait_for_platform(self, simulator: Simulator, wait: float) -> int:
        """Heartbeat until the platform answers (it may still be starting); tickets held."""
        deadline = time.monotonic() + wait
        while True:
            held = simulator.sync()
            if any(c.online for c in simulator.clients.values()):
                return held
            if time.monotonic() >= deadline or simulator.stopping:
                first = next(iter(simulator.clients.values()))
                raise CommandError(f"the platform does not answer: {first.last_error}")
            time.sleep(2)

    def _revoke(self, keys: set[str]) -> None:
        hashes = [ApiToken.hash_key(key) for key in keys]
        for token in ApiToken.objects.filter(key_hash__in=hashes, revoked_at__isnull=True):
            revoke_api_token(actor=None, token=token)
