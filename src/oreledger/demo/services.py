"""Loading the demo province: the generated bundle through the real importer, and logins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oreledger.accounts.models import User
from oreledger.core.bundle import BundleReport, import_bundle, supported_sheets
from oreledger.demo.appeals import create_demo_appeals
from oreledger.demo.catalogue import DEMO_USERS
from oreledger.demo.generator import write_bundle
from oreledger.demo.market import create_demo_market
from oreledger.demo.worklist import create_demo_worklist
from oreledger.registry.models import Enterprise

# Printed by `oreledger demo`; the demo is for laptops and training rooms, never production.
DEMO_PASSWORD = "demo-2026"  # noqa: S105
DEMO_SEED = 2026


@dataclass(frozen=True)
class DemoLogin:
    """A login to print for the person trying the demo."""

    username: str
    password: str
    description_zh: str
    description_en: str


def demo_is_loaded() -> bool:
    """Whether the database already holds a province (then the demo is not loaded again)."""
    return Enterprise.objects.exists()


def load_demo_province(*, seed: int = DEMO_SEED) -> BundleReport:
    """Generate the demo bundle and import it exactly as a county's workbook would be."""
    path = Path(settings.VAR_DIR) / f"demo-bundle-{seed}.xlsx"
    write_bundle(path, seed=seed, sheets=supported_sheets())
    return import_bundle(path, actor=None)


def open_demo_market(*, seed: int = DEMO_SEED) -> dict[str, int]:
    """Open listings and bids on top of the imported contracts (the market a demo shows)."""
    return create_demo_market(seed=seed, today=timezone.localdate())


def open_demo_appeals(*, seed: int = DEMO_SEED) -> dict[str, int]:
    """About a dozen enterprise appeals per county, in every stage of the appeals desk."""
    return create_demo_appeals(seed=seed, now=timezone.now())


def open_demo_worklist(*, seed: int = DEMO_SEED) -> dict[str, int]:
    """The magnesite joint action's groups, tasks, weekly confirmations and assessment."""
    return create_demo_worklist(seed=seed, today=timezone.localdate())


def ensure_demo_logins() -> list[DemoLogin]:
    """Give every demo user the demo password (the bundle carries no passwords)."""
    logins = []
    with transaction.atomic():
        for demo_user in DEMO_USERS:
            user = User.objects.filter(username=demo_user.username).first()
            if user is None:
                continue
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            logins.append(
                DemoLogin(
                    demo_user.username,
                    DEMO_PASSWORD,
                    demo_user.description_zh,
                    demo_user.description_en,
                )
            )
        admin, _created = User.objects.get_or_create(
            username="admin",
            defaults={
                "role": "admin",
                "is_staff": True,
                "is_superuser": True,
                "display_name": "系统管理员",
            },
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        logins.append(
            DemoLogin(
                "admin", DEMO_PASSWORD, "系统管理员（含后台）", "Administrator (with Django admin)"
            )
        )
    return logins
