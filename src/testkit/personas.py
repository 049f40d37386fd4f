"""The fixed personas every app's tests use, in a small two-county province."""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, cast

from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from oreledger.accounts.models import Region, User
from oreledger.accounts.services import issue_api_token
from oreledger.accounts.tests.factories import RegionFactory, UserFactory, department
from oreledger.registry.tests.factories import EnterpriseFactory

PASSWORD = "secret-pass-1"  # noqa: S105 (test persona)

# The names every test uses; "anonymous" is the person who is not logged in.
PERSONAS = (
    "province_officer",
    "haicheng_operator",
    "dashiqiao_operator",
    "department_officer",
    "enterprise_user",
    "anonymous",
)


@dataclass
class Province:
    """Liaoning with Anshan/Haicheng and Yingkou/Dashiqiao, and one persona per role."""

    province: Region
    anshan: Region
    haicheng: Region
    yingkou: Region
    dashiqiao: Region
    users: dict[str, User] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def user(self, name: str) -> User:
        """The persona's account."""
        return self.users[name]

    def client(self, name: str) -> Client:
        """A browser-like client logged in as the persona (or anonymous)."""
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client

    def api(self, name: str) -> APIClient:
        """An API client authenticating with the persona's token (none for anonymous)."""
        client = APIClient()
        if name != "anonymous":
            if name not in self._tokens:
                self._tokens[name] = issue_api_token(actor=None, user=self.users[name])
            client.credentials(HTTP_AUTHORIZATION=f"Token {self._tokens[name]}")
        return client


def reseed_catalogues() -> None:
    """Restore what data migrations seed (a transactional test flushes it).

    Every oreledger data migration exposes an idempotent `seed(apps, schema_editor)`; they
    are run again in migration order.
    """
    for config in apps.get_app_configs():
        if not config.name.startswith("oreledger."):
            continue
        try:
            package = import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = import_module(f"{package.__name__}.{info.name}")
            seed = getattr(module, "seed", None)
            if callable(seed):
                seed(apps, None)


def _region(**attrs: Any) -> Region:
    return cast(Region, RegionFactory(**attrs))


def build_province() -> Province:
    """Create the regions and personas (inside the test's database)."""
    reseed_catalogues()
    province = _region(
        code="210000", name_zh="辽宁省", name_en="Liaoning", level="province", parent=None
    )
    anshan = _region(
        code="210300", name_zh="鞍山市", name_en="Anshan", level="city", parent=province
    )
    haicheng = _region(
        code="210381", name_zh="海城市", name_en="Haicheng", level="county", parent=anshan
    )
    yingkou = _region(
        code="210800", name_zh="营口市", name_en="Yingkou", level="city", parent=province
    )
    dashiqiao = _region(
        code="210882", name_zh="大石桥市", name_en="Dashiqiao", level="county", parent=yingkou
    )
    world = Province(province, anshan, haicheng, yingkou, dashiqiao)
    mine_operator = EnterpriseFactory(name="海城市华鑫镁矿有限公司", region=haicheng)
    specs: dict[str, dict[str, Any]] = {
        "province_officer": {
            "role": "province_office",
            "region": province,
            "display_name": "省办 李明",
        },
        "haicheng_operator": {
            "role": "county_operator",
            "region": haicheng,
            "display_name": "海城 王芳",
        },
        "dashiqiao_operator": {
            "role": "county_operator",
            "region": dashiqiao,
            "display_name": "大石桥 赵强",
        },
        "department_officer": {
            "role": "department_officer",
            "region": haicheng,
            "department": department("natural_resources", haicheng),
            "display_name": "海城自然资源局 孙丽",
        },
        "enterprise_user": {
            "role": "enterprise_user",
            "region": haicheng,
            "enterprise": mine_operator,
            "display_name": "华鑫 周工",
        },
    }
    for name, attrs in specs.items():
        world.users[name] = cast(User, UserFactory(username=name, password=PASSWORD, **attrs))
    return world
