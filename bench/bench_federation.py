"""Changes per second from a node to the hub on PostgreSQL (goal ≥ 5,000/s).

Run from the project root against a scratch database (it is migrated and overwritten):
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/ol_fed_bench \\
    .venv/bin/python bench/bench_federation.py [CHANGES]`

It registers node 210381 on a hub (OL_NODE_ROLE=hub), writes CHANGES enterprise changes in
the protocol's format (two of every three create a record, one renames an earlier one, each
refers to its county by UUID), and posts them signed in batches of 1,000 through the hub's
endpoint (Django's test client: the view, the signature, the JSON, one transaction per
batch with bulk statements). It prints changes/s, and the same for a resend of every batch
(all at or below the acked seq: ignored).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid

import django
import psycopg

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
os.environ["OL_NODE_ROLE"], os.environ["OL_NODE_CODE"] = "hub", "210000"
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set DATABASE_URL=postgres://… to a scratch database")

# A scratch database: dropped and created afresh each run.
_url, _name = os.environ["DATABASE_URL"].rsplit("/", 1)
with psycopg.connect(f"{_url}/postgres", autocommit=True) as _conn:
    _conn.execute(f'DROP DATABASE IF EXISTS "{_name}" WITH (FORCE)')
    _conn.execute(f'CREATE DATABASE "{_name}"')

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from oreledger.accounts.models import Region  # noqa: E402
from oreledger.federation.services.hub import add_node  # noqa: E402
from oreledger.registry.models import Enterprise  # noqa: E402
from oreledger.weighing.signing import sign  # noqa: E402

NODE = "210381"
PATH = "/api/v1/federation/changes"


def changes(count: int, county: str) -> list[dict[str, object]]:
    """`count` enterprise changes, seqs 1…count."""
    made: list[tuple[str, int]] = []
    out = []
    for seq in range(1, count + 1):
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


def post_all(client: Client, secret: str, all_changes: list[dict[str, object]]) -> float:
    """Seconds to post every batch of 1,000; each must be acked."""
    started = time.perf_counter()
    for i in range(0, len(all_changes), 1000):
        part = all_changes[i : i + 1000]
        body = json.dumps({"node": NODE, "from_seq": part[0]["seq"], "changes": part}).encode()
        stamp = str(int(time.time()))
        answer = client.post(
            PATH,
            data=body,
            content_type="application/json",
            HTTP_X_OL_NODE=NODE,
            HTTP_X_OL_TIMESTAMP=stamp,
            HTTP_X_OL_SIGNATURE=sign(secret, stamp, "POST", PATH, body),
        )
        assert answer.status_code == 200, answer.content[:300]
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    call_command("migrate", verbosity=0)
    province, _ = Region.objects.get_or_create(
        code="210000", defaults={"name_zh": "辽宁省", "level": "province"}
    )
    county, _ = Region.objects.get_or_create(
        code=NODE, defaults={"name_zh": "海城市", "level": "county", "parent": province}
    )
    _node, secret = add_node(code=NODE, name="海城市")
    batch = changes(count, str(county.uuid))
    client = Client(SERVER_NAME="localhost")
    first = post_all(client, secret, batch)
    again = post_all(client, secret, batch)
    held = Enterprise.objects.filter(owner_node=NODE).count()
    print(f"changes: {count:,}  records on the hub: {held:,}")
    print(f"applied: {count / first:,.0f} changes/s ({first:.1f} s)")
    print(f"resent (all ignored): {count / again:,.0f} changes/s ({again:.1f} s)")


if __name__ == "__main__":
    main()
