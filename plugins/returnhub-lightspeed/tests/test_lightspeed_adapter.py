"""The adapter against the emulator over HTTP: credentials, lookup, webhook parsing, settings, rate-limit headers."""
import hashlib
import json

import httpx
import pytest
from conftest import make_return
from marshmallow import ValidationError
from returnhub_lightspeed.client import exhausted_wait
from returnhub_lightspeed.emulator import API_SECRET
from returnhub_lightspeed.webhooks import signature

from hub.errors import AuthError, PermanentError


def test_bad_credentials_are_refused(make_shop):
    with pytest.raises(AuthError):
        make_shop(api_secret="wrong-secret").check()
    make_shop().check()


def test_an_unknown_language_or_custom_status_is_refused(make_shop):
    with pytest.raises(ValidationError, match="language"):
        make_shop(language="xx")
    with pytest.raises(PermanentError, match="custom status 99"):
        make_shop(status_decisions="99=accepted").check()


def test_settings_need_a_decision_convention(make_shop):
    with pytest.raises(ValidationError, match="status_decisions"):
        make_shop(status_decisions="")
    with pytest.raises(ValidationError, match="status_decisions"):
        make_shop(status_decisions="12=maybe")


@pytest.mark.parametrize("where", ["memo", "comment", "number"])
def test_the_order_is_found_where_the_channel_tool_keeps_it(make_shop, emulator, where):
    emulator.order("MO12", where=where)
    order = emulator.order("MO1", where=where)
    assert make_shop(order_lookup=where).find_order(make_return("MO1")) == str(order["id"])
    assert make_shop(order_lookup=where).find_order(make_return("MO7")) is None


def test_two_orders_holding_the_number_is_an_error(make_shop, emulator):
    emulator.order("MO1")
    emulator.order("MO1")
    with pytest.raises(PermanentError, match="2 Lightspeed orders"):
        make_shop().find_order(make_return("MO1"))


def test_order_webhook_names_the_returns_in_the_memo(make_shop, emulator):
    shop = make_shop()
    order = emulator.order("MO1")
    ret = make_return("MO1", shop_order_id=str(order["id"]))
    rid = shop.create_return(ret)
    payload = {"order": emulator.shop.orders[order["id"]]}
    body = json.dumps(payload).encode()
    headers = {"X-Signature": signature(body, API_SECRET), "X-Group": "orders", "X-Action": "updated"}
    result = shop.parse_webhook(headers, body)
    assert result.shop_return_ids == [rid] and result.topic == "orders/updated"
    assert result.delivery_id == hashlib.sha256(body).hexdigest()
    with pytest.raises(AuthError):
        shop.parse_webhook(headers, body + b" ")
    with pytest.raises(AuthError):
        shop.parse_webhook({"X-Signature": signature(body, "other")}, body)
    with pytest.raises(AuthError):
        shop.parse_webhook({}, body)


def test_create_twice_writes_once(make_shop, emulator):
    shop = make_shop()
    order = emulator.order("MO1")
    ret = make_return("MO1")
    assert shop.create_return(ret) == shop.create_return(ret)
    assert emulator.shop.orders[order["id"]]["memo"].count(f"[{ret.reference}]") == 1
    assert len(emulator.sent("PUT")) == 1


def test_rate_limit_headers_are_read():
    headers = httpx.Headers({"X-RateLimit-Remaining": "0,2900,11900", "X-RateLimit-Reset": "42,3000,80000"})
    assert exhausted_wait(headers) == 42
    assert exhausted_wait(httpx.Headers({"X-RateLimit-Remaining": "5,5,5", "X-RateLimit-Reset": "1,2,3"})) is None
    assert exhausted_wait(httpx.Headers({})) is None


def test_a_long_exhausted_window_ends_the_job_for_a_retry(make_shop, emulator):
    from hub.errors import TransientError
    shop = make_shop(rate_limit_wait_max=10)
    emulator.handle.hook("/ratelimit", {"exhausted_for": 3600})
    shop.client.get("/shop")  # answered with the window exhausted for an hour
    with pytest.raises(TransientError) as caught:
        shop.client.get("/shop")
    assert caught.value.retry_after > 3000
