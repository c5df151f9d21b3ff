"""Magento 1 certifies with the Returnhub conformance kit at silver. The traffic check against an API description
is skipped: it reads OpenAPI/Swagger/GraphQL only, and SOAP messages are held to the WSDL's schema instead (zeep
builds and reads every message on both sides; see test_magento1_wsdl.py)."""
import pytest
from returnhub_magento1.adapter import Magento1Shop

from hub import clock as hub_clock
from hub.model import Decision
from hub.testing import ShopSuite

pytest_plugins = ["hub.testing"]


@pytest.fixture
def clock():
    """The kit's fake clock, put in force: the shared rate limiter's pause after a 429 takes no real time."""
    with hub_clock.use(hub_clock.FakeClock()) as fake:
        yield fake


class TestMagento1(ShopSuite):
    adapter = Magento1Shop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        client = app.test_client()
        order = shop_return_id.split("/")[1]
        if decision in (Decision.ACCEPTED, Decision.KEPT):  # the merchant refunds: a credit memo
            assert client.post(f"/_emulator/orders/{order}/creditmemos", json={}).status_code == 200
        if decision != Decision.ACCEPTED:
            response = client.post(f"/_emulator/orders/{order}/comments", json={"comment": f"returnhub:{decision}"})
            assert response.status_code == 200
