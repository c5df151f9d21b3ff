"""The adapter against the emulator: tokens redacted, lookups by each setting, clear errors for bad input."""
from __future__ import annotations

import logging

import pytest
from conftest import make_return
from returnhub_mijnwebwinkel.emulator import PARTNER_TOKEN, STORE_TOKEN
from returnhub_mijnwebwinkel.settings import parse_status_decisions

from hub.errors import AuthError, PermanentError, TransientError
from hub.model import Decision


def test_tokens_go_in_the_query_and_never_into_errors_or_logs(make_shop, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    make_shop().check()
    first = emulator.requests()[0]
    assert first["query"]["partner_token"] == [PARTNER_TOKEN] and first["query"]["token"] == [STORE_TOKEN]
    with pytest.raises(AuthError) as err:
        make_shop(token="wrong-" + STORE_TOKEN).check()
    text = str(err.value) + caplog.text
    assert "401" in str(err.value) and "invalid or missing token" in str(err.value)
    assert STORE_TOKEN not in text and PARTNER_TOKEN not in text
    assert "token=***" in caplog.text  # httpx's own URL log line, redacted


def test_wrong_partner_token_is_refused_even_for_statuses(make_shop):
    with pytest.raises(AuthError):
        make_shop(partner_token="nope").statuses()


@pytest.mark.parametrize("where, value, template", [
    ("internal_comment", "MO7", "{marketplace_order_id}"),
    ("customer_comment", "bol-MO7", "bol-{marketplace_order_id}"),
    ("reference", "MO7", "{marketplace_order_id}"),
])
def test_order_found_where_the_setting_says(make_shop, emulator, where, value, template):
    emulator.order("MO77", where=where)  # a longer number that contains the wanted one must not match
    order = emulator.order(value, where=where)
    shop = make_shop(order_lookup=where, order_lookup_template=template)
    assert shop.find_order(make_return("MO7")) == str(order["number"])
    assert shop.find_order(make_return("MO8")) is None


def test_lookup_by_order_number(make_shop, emulator):
    order = emulator.order("x")
    shop = make_shop(order_lookup="number")
    assert shop.find_order(make_return(str(order["number"]))) == str(order["number"])
    assert shop.find_order(make_return("999999")) is None and shop.find_order(make_return("MO1")) is None


def test_two_orders_with_the_same_number_are_an_error(make_shop, emulator):
    emulator.order("MO5")
    emulator.order("MO5")
    with pytest.raises(PermanentError, match="2 Mijnwebwinkel orders hold 'MO5'"):
        make_shop().find_order(make_return("MO5"))


def test_unknown_status_in_the_mapping_lists_the_stores_statuses(make_shop):
    with pytest.raises(PermanentError) as err:
        make_shop(status_decisions="21=accepted, 99=rejected").check()
    assert "status 99 is not a status of this store" in str(err.value) and "21 Retour geaccepteerd" in str(err.value)
    with pytest.raises(PermanentError, match="credit-order status"):
        make_shop(status_decisions="30=accepted").check()


def test_bad_mapping_text_is_refused_by_the_form():
    assert parse_status_decisions("21=accepted; 22 : rejected") == {21: Decision.ACCEPTED, 22: Decision.REJECTED}
    for bad in ("21=approve", "x=accepted", "21=accepted, 21=kept"):
        with pytest.raises(ValueError):
            parse_status_decisions(bad)


def test_html_answer_gives_a_clear_error(make_shop, serve_emulator):
    from flask import Flask
    app = Flask("maintenance")

    @app.get("/v1/store")
    def page():
        return "<html><body>Onderhoud</body></html>", 200, {"Content-Type": "text/html"}
    handle = serve_emulator(app)
    with pytest.raises(TransientError, match="answered GET /v1/store with text/html instead of JSON"):
        make_shop(api_url=handle.url).check()


def test_wrong_address_is_a_clear_error(make_shop, serve_emulator):
    from flask import Flask
    handle = serve_emulator(Flask("elsewhere"))
    with pytest.raises(PermanentError, match="GET /v1/store -> 404"):
        make_shop(api_url=handle.url).check()


def test_emulator_refuses_what_the_api_refuses(emulator, make_shop):
    import httpx
    order = emulator.order("MO1")
    base = f"{emulator.url}/v1"
    auth = {"partner_token": PARTNER_TOKEN, "token": STORE_TOKEN}
    assert httpx.get(f"{base}/orders", params={**auth, "limit": 101}).status_code == 400
    assert httpx.get(f"{base}/orders", params={**auth, "status_changed_start_date": "2026-11-01T10:00"}
                     ).status_code == 400
    assert httpx.get(f"{base}/orders", params={**auth, "language": "xx_XX"}).status_code == 400
    assert httpx.get(f"{emulator.url}/v3/store", params=auth).status_code == 404
    assert httpx.get(f"{base}/orders/424242", params=auth).status_code == 404
    url = f"{base}/orders/{order['number']}"
    assert httpx.patch(url, params=auth, json={"status": 99}).status_code == 400
    assert httpx.patch(url, params=auth, json={"status": 30}).status_code == 400  # a credit status
    assert httpx.patch(url, params=auth, json={"reference": "X"}).status_code == 400  # B2C order
    assert httpx.patch(url, params=auth, json={"comments": {"customer": "x"}}).status_code == 400
    assert httpx.patch(url, params=auth, json={"colour": "red"}).status_code == 400


def test_accepted_create_keeps_the_status_and_a_second_create_writes_nothing(make_shop, emulator):
    emulator.order("MO3")
    shop = make_shop()
    ret = make_return("MO3")
    ret.shop_order_id = shop.find_order(ret)
    first = shop.create_return(ret, accepted=True)
    assert shop.create_return(ret) == first
    order = emulator.store.orders[int(ret.shop_order_id)]
    assert order["status"] == 3 and len(emulator.sent("PATCH")) == 1
