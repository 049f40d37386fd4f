"""Changes per second from a node to the hub on PostgreSQL (goal ≥ 5,000/s), over real HTTP.

Run from the project root against a scratch database (it is dropped and created):
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_fed_bench \\
    .venv/bin/python bench/bench_federation.py [--changes 30000] [--rounds 3]`

The hub (OL_NODE_ROLE=hub) runs as `oreledger serve` (one gunicorn process, one thread) on
that database; the node (OL_NODE_ROLE=node) is a SQLite file in a temporary folder
(bench/federation_pair.py). Each round writes CHANGES enterprise changes to the node's
outbox (two of every three create a record, one renames an earlier one, each refers to its
county by UUID) and the node's own `push()` sends them, signed, in batches of 1,000 until
the outbox is empty. Per round: changes/s, and the CPU per 1,000 changes of the hub's
processes, of its PostgreSQL backends and of the node, with the load average; then the
median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from federation_pair import NODE, Hub, Node, describe, measure, run, workdir

# Run in the hub: the province and the node's county, whose UUID the changes name.
_SEED = """
from oreledger.accounts.models import Region
province, _ = Region.objects.get_or_create(
    code="210000", defaults={"name_zh": "辽宁省", "level": "province"})
county, _ = Region.objects.get_or_create(
    code="210381", defaults={"name_zh": "海城市", "level": "county", "parent": province})
print("COUNTY" + str(county.uuid))
"""


def changes(count: int, county: str, first: int = 1) -> list[dict[str, object]]:
    """`count` enterprise changes, seqs first…first + count - 1."""
    made: list[tuple[str, int]] = []
    out = []
    for seq in range(first, first + count):
        if seq % 3 == 0 and made:
            key, version = made[seq // 3 % len(made)]
            version += 1
            made[seq // 3 % len(made)] = (key, version)
        else:
            key, version = str(uuid.uuid4()), 1
            made.append((key, 1))
        out.append(
            {
                "seq": seq,
                "model": "registry.enterprise",
                "uuid": key,
                "version": version,
                "op": "upsert",
                "at": "2025-11-14T07:42:11+00:00",
                "data": {
                    "uuid": key,
                    "owner_node": NODE,
                    "version": version,
                    "created_at": "2025-11-14T07:00:00+00:00",
                    "updated_at": "2025-11-14T07:42:11+00:00",
                    "uscc": f"91210381MA{seq:08d}" if version == 1 else None,
                    "name": f"海城矿业{seq}",
                    "kind": "mine_operator",
                    "industry": "magnesite",
                    "region": county,
                    "legal_rep": "张三",
                    "status": "operating",
                },
            }
        )
    # A rename keeps the record's USCC (the full state at that version).
    usccs = {c["uuid"]: c["data"]["uscc"] for c in out if c["version"] == 1}  # type: ignore[index]
    for c in out:
        c["data"]["uscc"] = usccs[c["uuid"]]  # type: ignore[index]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=30_000, help="changes per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… to a scratch database")
    folder = workdir()
    hub = Hub(os.environ["DATABASE_URL"], folder)
    county = run(hub.env, code=_SEED).split("COUNTY", 1)[1].strip()
    hub.register_node()
    node = Node(hub, folder)
    hub.start()
    figures = []
    try:
        for round_ in range(args.rounds):
            node.fill(changes(args.changes, county, first=round_ * args.changes + 1))
            figures.append(measure(hub, node))
            print(f"round {round_ + 1}: {describe(figures[-1])}", flush=True)
    finally:
        hub.stop()
    median = {k: statistics.median(f[k] for f in figures) for k in figures[0]}
    print(f"median: {describe(median)}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
