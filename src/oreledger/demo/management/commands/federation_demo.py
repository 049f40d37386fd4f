"""`oreledger federation-demo`: the province's platform and two county sub-platforms on this
machine (three databases, three `serve`), the stations sending to the counties, the
province's dashboards filling up from them. Ctrl-C stops every process.

`--tickets N` runs until the hub holds N tickets, then stops the stations, lets the nodes
push what is left, and exits 0 if the hub's tickets per county equal the nodes' (a check
that the whole chain works; the test runs it).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.core.supervisor import Child, Supervisor
from oreledger.demo.federation import (
    COUNTIES,
    DemoFailed,
    Platform,
    logins,
    platforms,
    ready_file,
    serve_child,
    set_up_hub,
    set_up_node,
    stations_child,
    sync_node,
    ticket_counts,
    wait_until_up,
)
from oreledger.demo.services import DEMO_SEED

# Seconds between looks at the hub's tickets in --tickets mode (each look starts processes).
CHECK_EVERY = 10.0


class Command(BaseCommand):
    """Run the federation demo: a hub and the Haicheng and Dashiqiao nodes."""

    help = "Run a provincial hub and two county nodes with the demo province split between them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100, help="the hub's; nodes: +1, +2")
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--dir", type=Path, default=None, help="the three platforms' files")
        parser.add_argument(
            "--hub-database", default="", help="the hub's DATABASE_URL (default: SQLite)"
        )
        parser.add_argument("--history-days", type=int, default=1)
        parser.add_argument("--speed", type=float, default=3.0, help="live traffic speed-up")
        parser.add_argument(
            "--tickets", type=int, default=0, help="stop once the hub holds this many tickets"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["dir"] or Path(settings.VAR_DIR) / "federation-demo"
        hub, *nodes = platforms(
            directory,
            host=options["host"],
            port=options["port"],
            hub_database=options["hub_database"],
        )
        hub_child = serve_child(hub)
        try:
            set_up_hub(hub, directory, seed=options["seed"], say=self.stdout.write)
            hub_child.start()
            wait_until_up(hub)
            for node in nodes:
                set_up_node(node, directory, say=self.stdout.write)
        except DemoFailed as failed:
            Supervisor([hub_child]).stop()
            raise CommandError(str(failed)) from failed
        for node in nodes:
            ready_file(node).unlink(missing_ok=True)
        stations = [
            stations_child(
                node,
                seed=options["seed"],
                speed=options["speed"],
                history_days=options["history_days"],
            )
            for node in nodes
        ]
        children = [hub_child, *(serve_child(node) for node in nodes), *stations]
        supervisor = Supervisor(children)
        watch = Watch(self, supervisor, hub, nodes, stations, options["tickets"])
        self.stdout.write(
            "the stations send their history first; the addresses follow | "
            "计量站正在补传历史磅单，完成后显示访问地址"
        )
        supervisor.run(until_done=watch)
        if watch.failure:
            raise CommandError(watch.failure)


class Watch:
    """Called on every round of the supervisor: announces the addresses once the stations'
    history is in; with a ticket target, checks the hub and ends the run."""

    def __init__(
        self,
        command: BaseCommand,
        supervisor: Supervisor,
        hub: Platform,
        nodes: list[Platform],
        stations: list[Child],
        target: int,
    ) -> None:
        self.command, self.supervisor = command, supervisor
        self.hub, self.nodes, self.stations, self.target = hub, nodes, stations, target
        self.announced = False
        self.next_check = 0.0
        self.failure = ""

    def __call__(self) -> bool:
        """Whether there is nothing more to do here (the supervisor stops asking)."""
        try:
            if not self.announced:
                if not all(ready_file(node).exists() for node in self.nodes):
                    return False
                self._announce()
                self.announced = True
            if not self.target:
                return True
            if time.monotonic() < self.next_check:
                return False
            self.next_check = time.monotonic() + CHECK_EVERY
            return self._check()
        except DemoFailed as failed:
            self.failure = str(failed)
            self.supervisor.stopping = True
            return True

    def _announce(self) -> None:
        out, style = self.command.stdout, self.command.style
        out.write("")
        for platform in (self.hub, *self.nodes):
            name = "省级平台 province hub" if platform.role == "hub" else (
                "{} {} node".format(*COUNTIES[platform.code])
            )  # fmt: skip
            out.write(style.SUCCESS(f"{name}: {platform.url}/"))
            for username, password, zh, en in logins(platform):
                out.write(f"  {username:<22} {password}  {zh} · {en}")
        out.write("Ctrl-C stops all | 按 Ctrl-C 全部停止")
        out.write("")

    def _check(self) -> bool:
        for node in self.nodes:
            sync_node(node)
        on_hub = ticket_counts(self.hub)
        self.command.stdout.write(f"hub tickets by county: {on_hub}")
        if sum(on_hub.values()) < self.target:
            return False
        # Enough: the stations stop, the nodes push what is left, then hub and nodes agree.
        for child in self.stations:
            self.supervisor.children.remove(child)
        Supervisor(self.stations).stop()
        expected = {}
        for node in self.nodes:
            sync_node(node)
            expected[node.code] = ticket_counts(node)[node.code]
            sync_node(node)
        on_hub = ticket_counts(self.hub)
        self.command.stdout.write(f"nodes: {json.dumps(expected)}; hub: {json.dumps(on_hub)}")
        if on_hub != expected:
            self.failure = (
                f"the hub's tickets per county {on_hub} differ from the nodes' {expected}"
            )
        self.supervisor.stopping = True
        return True
