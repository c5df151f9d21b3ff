"""The signature recipe against Miravia's own worked example, and the emulator refusing what the gateway refuses:
a bad sign, a stale timestamp, a missing, unknown or expired access token, unknown enums, over-quantity."""
from __future__ import annotations

import json

import httpx
import pytest
from returnhub_miravia.emulator import APP_KEY, APP_SECRET, REFRESH_TOKEN

from hub import clock
from hub.errors import AuthError
from hub.sdk.signing import lazada_signature

LIST = "/reverse/getreverseordersforseller"


def test_signature_matches_miravias_worked_example():
    # "Miravia - Call API with HTTP request" (Open Platform docs): app secret "helloworld", GetOrder (/order/get)
    params = [("app_key", "123456"), ("access_token", "test"), ("timestamp", "1517820392000"),
              ("sign_method", "sha256"), ("order_id", "1234")]
    assert lazada_signature("helloworld", "/order/get", params) == \
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"


def call(emu, api_path, *, method="GET", form=None, secret=APP_SECRET, stamp=None, token="", sign_method="sha256",
         **params):
    params = {"app_key": APP_KEY, "sign_method": sign_method,
              "timestamp": str(stamp if stamp is not None else int(clock.time() * 1000)), **params}
    if token:
        params["access_token"] = token
    params["sign"] = lazada_signature(secret, api_path, [*params.items(), *(form or {}).items()])
    return httpx.request(method, f"{emu.url}/rest{api_path}", params=params, data=form).json()


def token(emu) -> str:
    answer = call(emu, "/auth/token/refresh", method="POST", form={"refresh_token": REFRESH_TOKEN})
    assert answer["code"] == "0" and answer["expires_in"] > 0
    return answer["access_token"]


def test_a_well_signed_call_with_a_live_token_is_answered(emu, state):
    state.seed(3)
    answer = call(emu, LIST, token=token(emu), page_no="1", page_size="2")
    assert answer["code"] == "0" and answer["data"]["total"] == 3 and len(answer["data"]["items"]) == 2


@pytest.mark.parametrize("fault, code", [
    ("secret", "IncompleteSignature"), ("stale", "InvalidTimestamp"), ("no_token", "MissingAccessToken"),
    ("unknown_token", "IllegalAccessToken"), ("sign_method", "InvalidSignMethod")])
def test_bad_requests_are_refused(emu, fault, code):
    live = token(emu)
    kw = {"secret": {"secret": "wrong"}, "stale": {"stamp": int(clock.time() * 1000) - 301_000},
          "no_token": {}, "unknown_token": {"token": "50000forged"},
          "sign_method": {"sign_method": "md5"}}[fault]
    answer = call(emu, LIST, **{"token": live, **kw} if fault != "no_token" else {})
    assert answer["code"] == code


def test_an_expired_access_token_and_a_used_refresh_token_are_refused(emu, fake_clock):
    live = token(emu)
    fake_clock.advance(7 * 86400 + 1)
    assert call(emu, LIST, token=live)["code"] == "IllegalAccessToken"
    answer = call(emu, "/auth/token/refresh", method="POST", form={"refresh_token": REFRESH_TOKEN})
    assert answer["code"] == "IllegalRefreshToken"  # rotated away by the first refresh


def test_decisions_refuse_unknown_enums_and_over_quantity(emu, state):
    ret = state.seed(1, lines=2)[0]
    live = token(emu)
    order, (first, second) = str(ret["trade_order_id"]), ret["reverse_order_lines"]
    items = json.dumps([first["trade_order_line_id"]])

    def decide(verb, **form):
        return call(emu, f"/v2/order/returnRefund/{verb}", method="POST", token=live, form=form)

    assert decide("reject", OrderId=order, OrderItemIdList=items, reasonId="9999", comment="x")["code"] \
        == "InvalidParameter"  # a reason the list does not offer
    assert decide("accept", OrderId=order, OrderItemIdList=items,
                  RefundAmount=str(first["refund_amount"] + 1))["code"] == "InvalidParameter"  # more than refundable
    assert decide("accept", OrderId=order, OrderItemIdList=json.dumps([123]), RefundAmount="1")["code"] \
        == "InvalidParameter"  # an item not in this order's reverse order
    assert call(emu, LIST, token=live, reverse_status_list="TELEPORTED")["code"] == "InvalidParameter"
    assert state.decisions == []
    assert decide("accept", OrderId=order, OrderItemIdList=items, RefundAmount=str(first["refund_amount"]))["code"] \
        == "0"
    assert decide("accept", OrderId=order, OrderItemIdList=items, RefundAmount="1")["code"] == "InvalidStatus"
    assert first["reverse_status"] == "SELLER_AGREE_RETURN" and second["reverse_status"] == "REQUEST_INITIATE"


def test_the_adapter_maps_refusals(make_adapter, state, emu):
    with pytest.raises(AuthError):
        make_adapter(app_secret="not-the-secret").check()
    with pytest.raises(AuthError):
        make_adapter(refresh_token="50001unknown").check()
    with pytest.raises(AuthError, match="not connected"):
        make_adapter(refresh_token=None).check()
