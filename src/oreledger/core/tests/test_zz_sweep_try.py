import time
import pytest
from oreledger.core.testing.sweep import build_dashiqiao

@pytest.mark.django_db
def test_build(world):
    t = time.time()
    d = build_dashiqiao(world)
    print("build", time.time() - t)
    print(d.waybill.number, d.ticket.pk, d.alert.rule, d.case.number, d.listing.number, d.bid.pk, d.contract.number, d.submitted.number, d.submitted.status)
