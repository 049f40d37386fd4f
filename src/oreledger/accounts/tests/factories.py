"""Factories of accounts records."""

from __future__ import annotations

from typing import Any

import factory

from oreledger.accounts.models import Department, DepartmentKind, Region, User


class RegionFactory(factory.django.DjangoModelFactory):
    """A county under a city under a province, unless told otherwise."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{219000 + n}")
    name_zh = factory.Sequence(lambda n: f"测试县{n}")
    name_en = factory.Sequence(lambda n: f"Test County {n}")
    level = "county"
    parent = None


def department(kind_code: str, region: Region) -> Department:
    """The department of a kind in a region (kinds are seeded by migration)."""
    dept, _ = Department.objects.get_or_create(
        kind=DepartmentKind.objects.get(code=kind_code), region=region
    )
    return dept


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a usable password ("secret-pass-1")."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = "county_operator"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.set_password(extracted or "secret-pass-1")
        if create:
            obj.save()
