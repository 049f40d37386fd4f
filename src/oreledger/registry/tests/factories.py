"""Factories of registry records with valid identifiers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from oreledger.registry.identifiers import make_uscc
from oreledger.registry.models import Enterprise, Permit, PermitType, Site, Station, Vehicle


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An operating mine operator with a checksum-valid USCC in its region."""

    class Meta:
        model = Enterprise
        django_get_or_create = ("uscc",)

    uscc = factory.LazyAttributeSequence(lambda o, n: make_uscc(o.region.code[:6], 5000 + n))
    name = factory.Sequence(lambda n: f"测试镁矿有限公司{n}")
    kind = "mine_operator"
    region = None
    legal_rep = "张三"


class SiteFactory(factory.django.DjangoModelFactory):
    """A mine of the enterprise, in the enterprise's region."""

    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-M-{n:03d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = "mine"
    name = factory.Sequence(lambda n: f"测试矿{n}")
    region = factory.LazyAttribute(lambda o: o.enterprise.region)
    lat = Decimal("40.880000")
    lon = Decimal("122.680000")
    capacity_t = 600_000


class StationFactory(factory.django.DjangoModelFactory):
    """The weighbridge at a site's exit."""

    class Meta:
        model = Station
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-ST-{n:03d}")
    name = factory.Sequence(lambda n: f"测试计量站{n}")
    site = factory.SubFactory(SiteFactory)
    region = factory.LazyAttribute(lambda o: o.site.region)
    lat = Decimal("40.881000")
    lon = Decimal("122.681000")


class VehicleFactory(factory.django.DjangoModelFactory):
    """A six-axle ore truck."""

    class Meta:
        model = Vehicle
        django_get_or_create = ("plate",)

    plate = factory.Sequence(lambda n: f"辽C{10000 + n:05d}")
    owner = None
    axles = 6
    tare_kg = 16_000


class PermitFactory(factory.django.DjangoModelFactory):
    """A valid permit of a type, held by an enterprise."""

    class Meta:
        model = Permit
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"C2100002010{n:06d}")
    type = factory.LazyFunction(lambda: PermitType.objects.get(code="mining_licence"))
    holder = None
    site = None
    department = None
    region = factory.LazyAttribute(lambda o: o.holder.region)
    valid_from = datetime.date(2024, 1, 1)
    valid_to = datetime.date(2029, 12, 31)
