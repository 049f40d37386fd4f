import pytest
from oreledger.core.testing.personas import PASSWORD
from oreledger.registry.tests.conftest import build_records

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shot(world_tx, page):
    r = build_records(world_tx)
    for region, (lat, lon) in ((world_tx.haicheng, ("40.88", "122.68")), (world_tx.dashiqiao, ("40.64", "122.51"))):
        region.lat, region.lon = lat, lon
        region.save()
    errors = []
    page.on("console", lambda m: errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "province_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + f"/registry/enterprises/{r.hc.uscc}/")
    page.wait_for_timeout(1500)
    print("ERRORS", errors)
    page.screenshot(path="/tmp/ol-file.png", full_page=True)
    page.goto(page.base_url + "/registry/procedures/")
    page.screenshot(path="/tmp/ol-proc.png", full_page=True)
    page.goto(page.base_url + "/registry/map/")
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/ol-map.png")
    page.goto(page.base_url + "/registry/permits/")
    page.screenshot(path="/tmp/ol-permits.png")
