"""The federation demo: the province's platform (hub) and two county sub-platforms (nodes)
on one machine, each with its own database and `serve`, the stations sending to the nodes
and the nodes' job workers pushing to the hub (docs/specs/federation-protocol.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oreledger.core.supervisor import Child
from oreledger.demo.anomalies import demo_specs
from oreledger.demo.split import write_split_bundles

HUB_CODE = "210000"
# The two county sub-platforms of the demo: Haicheng and Dashiqiao, the magnesite counties.
COUNTIES = {"210381": ("海城市", "Haicheng"), "210882": ("大石桥市", "Dashiqiao")}
# The tickets of each platform, by county (a node's are all its own county's).
COUNT_TICKETS = """
import json
from oreledger.accounts.models import Region
from oreledger.weighing.models import Ticket
counts = {}
for code in %r:
    county = Region.objects.filter(code=code).first()
    counts[code] = (
        Ticket.objects.filter(region__path__startswith=county.path).count() if county else 0
    )
print("COUNTS" + json.dumps(counts))
"""
LOGINS = """
import json
from oreledger.demo.services import ensure_demo_logins
print("LOGINS" + json.dumps([[l.username, l.password, l.description_zh, l.description_en]
                             for l in ensure_demo_logins()]))
"""


class DemoFailed(Exception):
    """A step of the demo's setup failed; the message says which and why."""


@dataclass(frozen=True)
class Platform:
    """One platform of the demo: its role, region code, port, directory and environment."""

    label: str
    code: str
    role: str
    host: str
    port: int
    directory: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        """Where it answers."""
        return f"http://{self.host}:{self.port}"


def _base_env() -> dict[str, str]:
    """This process's environment without its own platform's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("OL_") and k != "DATABASE_URL"}


def platforms(directory: Path, *, host: str, port: int, hub_database: str = "") -> list[Platform]:
    """The hub on `port`, the counties' nodes on the ports after it."""
    hub_dir = directory / "hub"
    hub_env = {**_base_env(), "OL_VAR_DIR": str(hub_dir), "OL_NODE_ROLE": "hub"}
    hub_env["OL_NODE_CODE"] = HUB_CODE
    if hub_database:
        hub_env["DATABASE_URL"] = hub_database
    found = [Platform("hub", HUB_CODE, "hub", host, port, hub_dir, hub_env)]
    for n, code in enumerate(COUNTIES, start=1):
        node_dir = directory / code
        env = {
            **_base_env(),
            "OL_VAR_DIR": str(node_dir),
            "OL_NODE_ROLE": "node",
            "OL_NODE_CODE": code,
            "OL_HUB_URL": found[0].url,
            "OL_HUB_SECRET_FILE": str(node_dir / "hub-secret.json"),
        }
        found.append(Platform(code, code, "node", host, port + n, node_dir, env))
    return found


def run_command(platform: Platform, *args: str, code: str = "") -> str:
    """One `oreledger` command on the platform; its output, or DemoFailed with its errors."""
    argv = [sys.executable, "-m", "oreledger", *args]
    if code:
        argv = [sys.executable, "-m", "oreledger", "shell", "-c", code]
    platform.directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(  # noqa: S603 (our own command)
        argv, env=platform.env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise DemoFailed(
            f"{platform.label}: {' '.join(args) or 'shell'} failed\n" + "\n".join(tail)
        )
    return done.stdout


def _payload(output: str, marker: str) -> Any:
    return json.loads(output.split(marker, 1)[1])


def serve_child(platform: Platform) -> Child:
    """The platform's `serve`: web, one job worker and the scheduler (the node's sync job)."""
    argv = [sys.executable, "-m", "oreledger", "serve", "--host", platform.host]
    argv += ["--port", str(platform.port), "--web-workers", "1", "--threads", "8"]
    return Child(f"{platform.label}-serve", argv, env=platform.env)


def stations_child(node: Platform, *, seed: int, speed: float, history_days: int) -> Child:
    """The county's weighbridges sending to its node: history first, then live."""
    argv = [sys.executable, "-m", "oreledger", "simulate-stations", "--url", node.url]
    argv += ["--history-days", str(history_days), "--live", "--speed", str(speed)]
    argv += ["--seed", str(seed), "--ready-file", str(ready_file(node))]
    argv += [arg for spec in demo_specs() for arg in ("--anomaly", spec)]
    return Child(f"{node.label}-stations", argv, env=node.env)


def ready_file(node: Platform) -> Path:
    """Written by the node's station simulator once its history is in."""
    return node.directory / "stations.ready"


def wait_until_up(platform: Platform, *, seconds: float = 180.0) -> None:
    """Wait for the platform's login page, or DemoFailed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{platform.url}/accounts/login/", timeout=3)  # noqa: S310
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise DemoFailed(f"{platform.label} did not answer on {platform.url}")


def set_up_hub(hub: Platform, directory: Path, *, seed: int, say: Callable[[str], None]) -> None:
    """Migrate the hub, load the province's reference data once, register the two nodes."""
    bundles = write_split_bundles(directory / "bundles", seed=seed, counties=COUNTIES)
    say("hub 210000: migrate, province reference data | 省级平台：迁移数据库、导入省级基础数据")
    run_command(hub, "migrate", "--verbosity", "0")
    loaded = hub.directory / "loaded"
    if not loaded.exists():
        run_command(hub, "import-bundle", str(bundles["hub"]))
        loaded.touch()
    for code, (name_zh, _name_en) in COUNTIES.items():
        secret = directory / code / "hub-secret.json"
        if not secret.exists():
            secret.parent.mkdir(parents=True, exist_ok=True)
            out = ["--name", name_zh, "--secret-out", str(secret)]
            run_command(hub, "federation-add-node", code, *out)


def set_up_node(node: Platform, directory: Path, say: Callable[[str], None]) -> None:
    """Migrate a node, pull the province's reference data, load its county once."""
    say(
        f"node {node.code}: migrate, pull, county data | 县分平台：迁移、下拉省级数据、导入本县数据"
    )
    run_command(node, "migrate", "--verbosity", "0")
    error = link_error(sync_node(node))
    if error:
        raise DemoFailed(f"{node.label}: the first pull from the hub failed: {error}")
    loaded = node.directory / "loaded"
    if not loaded.exists():
        run_command(node, "import-bundle", str(directory / "bundles" / f"{node.code}.xlsx"))
        loaded.touch()


def sync_node(node: Platform) -> str:
    """Push and pull now (the job does it every minute)."""
    return run_command(node, "federation-status", "--sync")


def link_error(status: str) -> str:
    """The last error `federation-status` printed ("" when none)."""
    for line in status.splitlines():
        if line.startswith("last error"):
            error = line.removeprefix("last error").strip()
            return "" if error == "—" else error
    return ""


def ticket_counts(platform: Platform) -> dict[str, int]:
    """The platform's tickets per demo county."""
    counts: dict[str, int] = _payload(
        run_command(platform, code=COUNT_TICKETS % (list(COUNTIES),)), "COUNTS"
    )
    return counts


def logins(platform: Platform) -> list[list[str]]:
    """The demo logins of the platform's users (the demo password set)."""
    found: list[list[str]] = _payload(run_command(platform, code=LOGINS), "LOGINS")
    return found
