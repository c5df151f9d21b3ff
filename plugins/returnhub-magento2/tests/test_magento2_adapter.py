"""The adapter against the emulator: auth (bearer, OAuth 1.0a), order lookups, paging, the edition,
the RMA and the Open Source comment, decisions, and bad input (HTML, expired token)."""
from __future__ import annotations

import pytest
from returnhub_magento2.emulator import oauth1_settings

from hub.errors import AuthError, OrderNotFound, PermanentError, TransientError
from hub.model import Decision


def seed(store, increment_id="000000101", **spec):
    spec.setdefault("lines", [{"sku": "TSHIRT-BLK-M", "qty": 2}])
    return store.hook("/orders", {"increment_id": increment_id, **spec})


# -- auth ----------------------------------------------------------------------------------------

def test_bearer_token_is_sent_and_checked(store, make_shop):
    make_shop().check()
    [entry] = store.ledger.find("GET", "/rest/default/V1/orders")
    assert entry.headers["Authorization"] == "***"  # kept out of the ledger, but it was there
    with pytest.raises(AuthError, match="isn.t authorized"):
        make_shop(access_token="wrong").check()


def test_oauth1_signed_requests_pass_and_a_bad_secret_fails(store, make_shop, new_return):
    store.hook("/config", {"bearer_enabled": False})
    with pytest.raises(AuthError, match="does not allow its bearer use"):  # the store does not take the token as a bearer
        make_shop().check()
    settings = oauth1_settings(store.url)
    shop = make_shop(**settings)
    shop.check()
    seed(store)
    ret = new_return()
    ret.shop_order_id = shop.find_order(ret)
    assert shop.create_return(ret)  # a POST with a JSON body: the body is not part of the signature
    with pytest.raises(AuthError, match="signature is invalid"):
        make_shop(**{**settings, "consumer_secret": "wrong"}).check()
    with pytest.raises(AuthError, match="signature is invalid"):
        make_shop(**{**settings, "access_token_secret": "wrong"}).check()


def test_oauth1_settings_need_all_four_credentials(make_shop):
    with pytest.raises(Exception, match="consumer key"):
        make_shop(auth_method="oauth1")


def test_a_revoked_or_expired_token_says_so(store, make_shop):
    store.hook("/config", {"revoke_token": True})
    with pytest.raises(AuthError) as caught:
        make_shop().check()
    assert "401" in str(caught.value) and "access token expired or was revoked" in str(caught.value)


# -- bad input ----------------------------------------------------------------------------------

def test_a_wrong_store_url_answering_html_is_named(store, make_shop):
    with pytest.raises(PermanentError, match="answered text/html instead of JSON: is the store URL"):
        make_shop(store_url=store.url + "/storefront").check()


def test_maintenance_mode_is_transient(store, make_shop):
    store.hook("/config", {"maintenance": True})
    with pytest.raises(TransientError, match="HTML page instead of its REST API \\(maintenance mode\\?\\)"):
        make_shop().check()


# -- finding the order ----------------------------------------------------------------------------

def test_lookup_by_increment_id(store, make_shop, new_return):
    order = seed(store, "000000101")
    seed(store, "0000001011")
    assert make_shop().find_order(new_return("000000101")) == str(order["entity_id"])
    assert make_shop().find_order(new_return("000000999")) is None


def test_lookup_by_an_order_attribute(store, make_shop, new_return):
    order = seed(store, "000000201", ext_order_id="bol-1234")
    seed(store, "000000202", ext_order_id="bol-12345")
    shop = make_shop(order_lookup="attribute", order_lookup_field="ext_order_id",
                     order_lookup_template="bol-{marketplace_order_id}")
    assert shop.find_order(new_return("1234")) == str(order["entity_id"])
    assert shop.find_order(new_return("999")) is None
    [entry] = [e for e in store.ledger.find("GET", "/rest/default/V1/orders")
               if e.query.get("searchCriteria[filterGroups][0][filters][0][value]") == ["bol-1234"]]
    assert entry.query["searchCriteria[filterGroups][0][filters][0][field]"] == ["ext_order_id"]


def test_lookup_by_an_extension_attribute(store, make_shop, new_return):
    order = seed(store, "000000301", extension_attributes={"marketplace_order_id": "A-77"})
    seed(store, "000000302", extension_attributes={"marketplace_order_id": "A-777"})
    shop = make_shop(order_lookup="extension_attribute", order_lookup_field="marketplace_order_id")
    assert shop.find_order(new_return("A-77")) == str(order["entity_id"])
    assert shop.find_order(new_return("A-7")) is None


def test_lookup_by_a_comment_pages_through_recent_orders(store, make_shop, new_return):
    target = seed(store, "000000400", comments=["bol.com order 55501"])
    for n in range(12):  # newer orders first: the one sought is on the last page
        seed(store, f"0000004{n + 10:02d}", comments=[f"bol.com order 5550{n + 10}"])
    store.ledger.clear()
    shop = make_shop(order_lookup="comment", order_lookup_template="bol.com order {marketplace_order_id}",
                     page_size=5)
    assert shop.find_order(new_return("55501")) == str(target["entity_id"])
    pages = [e.query["searchCriteria[currentPage]"][0] for e in store.ledger.find("GET", "/rest/default/V1/orders")]
    assert pages == ["1", "2", "3"]  # 13 orders in pages of 5; total_count ends it (page 4 would repeat 3)
    store.ledger.clear()
    assert shop.find_order(new_return("5550")) is None  # a prefix of another order's id is no match
    assert len(store.ledger.find("GET", "/rest/default/V1/orders")) == 3


def test_two_matching_orders_are_an_error_not_a_guess(store, make_shop, new_return):
    seed(store, "000000501", ext_order_id="X1")
    seed(store, "000000502", ext_order_id="X1")
    with pytest.raises(PermanentError, match="2 Magento orders match"):
        make_shop(order_lookup="attribute").find_order(new_return("X1"))


# -- the edition ----------------------------------------------------------------------------------

@pytest.mark.parametrize("edition", ["commerce", "open_source"], indirect=True)
def test_edition_is_detected_and_can_be_overridden(store, make_shop, edition):
    assert make_shop().edition() == edition
    other = "open_source" if edition == "commerce" else "commerce"
    assert make_shop(edition=other).edition() == other
    memo = {}
    make_shop(memo=memo).edition()
    store.ledger.clear()
    make_shop(memo=memo).edition()
    assert store.ledger.find("GET", "/rest/default/V1/returns") == []  # detected once per process


# -- Adobe Commerce RMA ---------------------------------------------------------------------------

def test_rma_has_items_reasons_and_the_customers_address(store, make_shop, new_return):
    order = seed(store, lines=[{"sku": "TSHIRT-BLK-M", "qty": 2}, {"sku": "MUG-WHT-350", "qty": 1}])
    ret = new_return(lines=[
        {"external_line_id": "L1", "quantity": 2, "sku": "TSHIRT-BLK-M", "reason_text": "Too small"},
        {"external_line_id": "L2", "quantity": 1, "sku": "MUG-WHT-350", "reason_code": "DEFECT"}])
    rid = make_shop().create_return(ret)
    rma = store.store.rmas[int(rid)]
    options = {code: {o["value"]: o["label"] for o in opts} for code, opts in store.store.options.items()}
    assert rma["order_id"] == order["entity_id"] and rma["customer_custom_email"] == "sanne@example.com"
    assert [(i["qty_requested"], options["reason"][i["reason"]], options["resolution"][i["resolution"]],
             options["condition"][i["condition"]]) for i in rma["items"]] == [
        (2, "Wrong Size", "Refund", "Unopened"), (1, "Out of Service", "Refund", "Unopened")]
    comment = rma["comments"][0]["comment"]
    assert comment.startswith(f"[{ret.reference}]")
    assert "Kerkstraat 12, 1017 GC Amsterdam, NL" in comment and "Sanne de Vries" in comment
    assert f"[line L1 = item {order['items'][0]['item_id']} x 2]" in comment


def test_rma_refused_for_more_than_was_shipped(store, make_shop, new_return):
    seed(store, lines=[{"sku": "TSHIRT-BLK-M", "qty": 2, "shipped": 1}])
    with pytest.raises(PermanentError, match="1 of 2 more than shipped"):
        make_shop().create_return(new_return(lines=[{"external_line_id": "L1", "quantity": 2, "sku": "TSHIRT-BLK-M"}]))
    assert store.store.rmas == {}


def test_an_unknown_resolution_label_is_named(store, make_shop, new_return):
    seed(store)
    with pytest.raises(PermanentError, match="has no option 'Replace'"):
        make_shop(rma_resolution="Replace").create_return(new_return())


def test_missing_order_is_order_not_found(store, make_shop, new_return):
    with pytest.raises(OrderNotFound):
        make_shop().create_return(new_return("nope"))


@pytest.mark.parametrize("status, resolution, expected", [
    ("approved", "Refund", Decision.ACCEPTED), ("approved", "Store Credit", Decision.ACCEPTED),
    ("approved", "Exchange", Decision.EXCHANGED), ("approved", "Repair", Decision.REPAIRED),
    ("approved", "Keep", Decision.KEPT), ("rejected", None, Decision.REJECTED), ("denied", None, Decision.REJECTED),
])
def test_rma_item_statuses_map_to_decisions(store, make_shop, new_return, status, resolution, expected):
    seed(store)
    ret = new_return()
    ret.shop_return_id = make_shop().create_return(ret)
    assert make_shop().fetch_decisions([ret], None) == []  # pending: nothing yet
    store.hook(f"/returns/{ret.shop_return_id}/decide", {"status": "authorized"})
    assert make_shop().fetch_decisions([ret], None) == []  # authorized is not final
    store.hook(f"/returns/{ret.shop_return_id}/decide", {"status": status, "resolution": resolution})
    [report] = make_shop().fetch_decisions([ret], None)
    assert [(d.decision, d.quantity) for d in report.lines] == [(expected, 1)]


def test_rma_closed_unprocessed_or_deleted_is_cancelled(store, make_shop, new_return):
    seed(store, lines=[{"sku": "TSHIRT-BLK-M", "qty": 3}])
    closed, deleted, still_open = new_return(), new_return(), new_return()
    for ret in (closed, deleted, still_open):
        ret.shop_return_id = make_shop().create_return(ret)
    store.hook(f"/returns/{closed.shop_return_id}/close", {})
    store.http.delete(f"/_emulator/returns/{deleted.shop_return_id}")
    reports = {r.return_id: r.lines for r in make_shop().fetch_decisions([closed, deleted, still_open], None)}
    assert set(reports) == {closed.id, deleted.id}
    assert [d.decision for d in reports[closed.id]] == [Decision.CANCELLED]
    assert reports[deleted.id][0].raw == "deleted"


def test_an_unmapped_resolution_is_reported_undecided(store, make_shop, new_return):
    seed(store)
    ret = new_return()
    ret.shop_return_id = make_shop().create_return(ret)
    store.hook(f"/returns/{ret.shop_return_id}/decide", {"status": "approved", "resolution": "Store Credit"})
    [report] = make_shop(resolution_decisions="Refund=accepted").fetch_decisions([ret], None)
    assert report.lines[0].decision is None and "Store Credit" in report.lines[0].note


# -- Open Source ----------------------------------------------------------------------------------

@pytest.mark.parametrize("edition", ["open_source"], indirect=True)
def test_open_source_comment_credit_memo_and_keywords(store, make_shop, new_return):
    order = seed(store, lines=[{"sku": "TSHIRT-BLK-M", "qty": 2}])
    ret = new_return(lines=[{"external_line_id": "L1", "quantity": 2, "sku": "TSHIRT-BLK-M"}])
    ret.shop_return_id = make_shop().create_return(ret)
    assert ret.shop_return_id == f"order/{order['entity_id']}/{ret.reference}"
    assert make_shop().create_return(ret) == ret.shop_return_id  # found again, not written twice
    [ours] = [h for h in store.store.orders[order["entity_id"]]["status_histories"] if h["comment"].startswith("[")]
    assert ours["is_customer_notified"] == 0 and ours["status"] == "complete"
    assert make_shop().fetch_decisions([ret], None) == []
    item = order["items"][0]["item_id"]
    store.hook(f"/orders/{order['entity_id']}/creditmemos", {"items": [{"order_item_id": item, "qty": 1}]})
    [report] = make_shop().fetch_decisions([ret], None)
    assert [(d.decision, d.quantity, d.raw) for d in report.lines] == [(Decision.ACCEPTED, 1, "credit_memo")]
    store.hook(f"/orders/{order['entity_id']}/comments", {"comment": "Customer keeps it. returnhub:kept"})
    [report] = make_shop().fetch_decisions([ret], None)
    assert [(d.decision, d.quantity) for d in report.lines] == [(Decision.KEPT, 2)]
    assert store.store.creditmemos and all(e.method == "GET" for e in store.ledger.find(None, "/rest/default/V1/creditmemos"))


@pytest.mark.parametrize("edition", ["open_source"], indirect=True)
def test_open_source_custom_order_status_and_a_memo_from_before(store, make_shop, new_return, fake_clock):
    order = seed(store)
    store.hook(f"/orders/{order['entity_id']}/creditmemos", {"items": [{"order_item_id": order["items"][0]["item_id"],
                                                                       "qty": 1}]})
    fake_clock.advance(60)
    ret = new_return()
    ret.shop_return_id = make_shop().create_return(ret)
    shop = make_shop(status_decisions="return_rejected=rejected")
    assert shop.fetch_decisions([ret], None) == []  # a refund from before the return is not its decision
    store.hook(f"/orders/{order['entity_id']}/comments", {"comment": "Return refused", "status": "return_rejected"})
    [report] = shop.fetch_decisions([ret], None)
    assert [(d.decision, d.raw) for d in report.lines] == [(Decision.REJECTED, "order status return_rejected")]


def test_a_line_with_only_an_ean_is_matched_through_the_product(store, make_shop, new_return):
    order = seed(store, lines=[{"sku": None, "ean": "8712345678906", "qty": 1}, {"sku": "MUG", "qty": 1}])
    ret = new_return(lines=[{"external_line_id": "L1", "quantity": 1, "ean": "8712345678906"}])
    rid = make_shop().create_return(ret)
    assert [i["order_item_id"] for i in store.store.rmas[int(rid)]["items"]] == [order["items"][0]["item_id"]]
    unknown = new_return(lines=[{"external_line_id": "L1", "quantity": 1, "ean": "8700000000000"}])
    with pytest.raises(PermanentError, match="EAN 8700000000000: no product has it"):
        make_shop().create_return(unknown)


def test_rma_comments_are_read_when_the_list_leaves_them_out(store, make_shop, new_return):
    seed(store)
    store.hook("/config", {"list_without_comments": True})
    ret = new_return()
    ret.shop_return_id = make_shop().create_return(ret)
    assert make_shop().create_return(ret) == ret.shop_return_id  # found again through its comments
    assert len(store.store.rmas) == 1
    store.hook(f"/returns/{ret.shop_return_id}/decide", {"status": "approved", "resolution": "Exchange"})
    [report] = make_shop().fetch_decisions([ret], None)
    assert [d.decision for d in report.lines] == [Decision.EXCHANGED]
    assert store.ledger.find("GET", f"/rest/default/V1/returns/{ret.shop_return_id}/comments")
