"""Webhook subscription, delivery and verification; throttling; against the emulator over HTTP."""
import pytest

from hub import clock
from hub.errors import AuthError, TransientError


def test_register_webhooks_is_idempotent(make_shop, emulator, receiver):
    shop = make_shop()
    ids = shop.register_webhooks(receiver.hook_url)
    assert len(ids) == 8 and all(i.startswith("gid://shopify/WebhookSubscription/") for i in ids)
    assert shop.register_webhooks(receiver.hook_url) == []
    assert {s["topic"] for s in emulator.store.subscriptions} >= {"RETURNS_DECLINE", "REFUNDS_CREATE"}


def test_newer_versions_subscribe_with_uri(make_shop, emulator, receiver):
    make_shop(api_version="2025-10").register_webhooks(receiver.hook_url, ["RETURNS_CLOSE"])
    [doc] = [d for d in emulator.documents() if d["operation"] == "SubscribeWebhook"]
    assert "uri: $url" in doc["query"] and "callbackUrl" not in doc["query"]


def _deliveries(receiver, count):
    """The emulator delivers a merchant action's webhooks before the action's hook answers."""
    assert len(receiver.received) == count, receiver.received
    return receiver.received


def test_merchant_decline_arrives_signed_and_parses(make_shop, emu, receiver, new_return):
    shop = make_shop()
    shop.register_webhooks(receiver.hook_url)
    emu.order(name="1043965710")
    ret = new_return("1043965710")
    rid = ret.shop_return_id = shop.create_return(ret)
    receiver.received.clear()
    emu.action(rid, "decline", reason="FINAL_SALE")
    [hook] = _deliveries(receiver, 1)
    result = shop.parse_webhook(hook["headers"], hook["body"])
    assert result.topic == "returns/decline" and result.shop_return_ids == [rid]
    assert result.delivery_id == hook["headers"]["X-Shopify-Webhook-Id"]
    [decisions] = shop.fetch_decisions([ret], None)  # what the core does next
    assert decisions.lines[0].decision == "rejected"


def test_refund_webhook_names_the_return(make_shop, emu, receiver, new_return):
    shop = make_shop()
    shop.register_webhooks(receiver.hook_url, ["REFUNDS_CREATE"])
    emu.order(name="1043965710")
    rid = shop.create_return(new_return("1043965710"), accepted=True)
    emu.action(rid, "refund")
    [hook] = _deliveries(receiver, 1)
    result = shop.parse_webhook(hook["headers"], hook["body"])
    assert (result.topic, result.shop_return_ids) == ("refunds/create", [rid])


def test_bad_signature_is_rejected(make_shop, emu, receiver, new_return):
    shop = make_shop()
    shop.register_webhooks(receiver.hook_url, ["RETURNS_APPROVE"])
    emu.order(name="1043965710")
    rid = shop.create_return(new_return("1043965710"))
    emu.post("/webhooks", {"bad_signature": True})
    emu.action(rid, "approve")
    [hook] = _deliveries(receiver, 1)
    with pytest.raises(AuthError):
        shop.parse_webhook(hook["headers"], hook["body"])
    good = make_shop(client_secret="emulator-client-secret-wrong")  # the key the emulator used
    assert good.parse_webhook(hook["headers"], hook["body"]).shop_return_ids == [rid]
    with pytest.raises(AuthError):
        shop.parse_webhook(hook["headers"], hook["body"] + b" ")
    with pytest.raises(AuthError):
        shop.parse_webhook({k: v for k, v in hook["headers"].items() if k != "X-Shopify-Hmac-Sha256"}, hook["body"])


def test_duplicates_carry_the_same_delivery_id(make_shop, emu, receiver, new_return):
    shop = make_shop()
    emu.post("/webhooks", {"url": receiver.hook_url, "duplicates": 3})
    emu.order(name="1043965710")
    rid = shop.create_return(new_return("1043965710"))
    receiver.received.clear()
    emu.action(rid, "approve")
    hooks = _deliveries(receiver, 3)
    results = [shop.parse_webhook(h["headers"], h["body"]) for h in hooks]
    assert len(results) == 3 and len({r.delivery_id for r in results}) == 1
    assert {tuple(r.shop_return_ids) for r in results} == {(rid,)}


def test_lost_webhook_is_recorded_and_poll_still_decides(make_shop, emu, receiver, new_return):
    shop = make_shop()
    emu.post("/webhooks", {"url": receiver.hook_url, "drop": True})
    emu.order(name="1043965710")
    ret = new_return("1043965710")
    ret.shop_return_id = shop.create_return(ret)
    emu.action(ret.shop_return_id, "cancel")
    assert receiver.received == [] and {d["status"] for d in emu.get("/deliveries")} == {"dropped"}
    assert shop.fetch_decisions([ret], None)[0].lines[0].decision == "cancelled"


def _cost(document: dict) -> float:
    return document["response"]["extensions"]["cost"]["requestedQueryCost"]


def test_throttled_waits_and_finishes(make_shop, emu, new_return, fake_clock):
    order = emu.order(name="1043965710")
    emu.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 50, "maximumAvailable": 1000})
    assert make_shop().find_order(new_return("1043965710")) == order["id"]
    [first, second] = emu.documents()  # throttled, the refill waited for, sent again
    assert first["operation"] == second["operation"] == "FindOrder"
    assert first["response"]["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert fake_clock.slept == [pytest.approx(_cost(first) / 50)]


def test_low_bucket_waits_before_sending(make_shop, emu, new_return, fake_clock):
    memo = {}
    shop = make_shop(memo=memo)
    shop.find_order(new_return("1"))  # learns FindOrder's cost and the bucket
    emu.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 100, "maximumAvailable": 1000})
    memo["shopify_bucket"].available, memo["shopify_bucket"].at = 0.0, clock.monotonic()
    shop.find_order(new_return("1"))
    first, second = emu.documents()
    assert fake_clock.slept == [pytest.approx(_cost(first) / 100)]  # waited for the points instead of being throttled
    assert "errors" not in second["response"]


def test_long_throttle_is_handed_to_the_scheduler(make_shop, emu):
    emu.post("/bucket", {"currentlyAvailable": 0, "restoreRate": 0.01, "maximumAvailable": 1000})
    with pytest.raises(TransientError) as info:
        make_shop(max_throttle_wait=1).check()
    assert info.value.retry_after > 1


def test_server_error_is_transient(make_shop, emu):
    emu.post("/faults", {"kind": "status", "status": 500, "count": 10})
    with pytest.raises(TransientError):
        make_shop().check()
