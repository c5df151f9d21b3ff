"""The adapter against the SOAP emulator: sessions, lookup, the comment convention, faults and HTML."""
import pytest
from conftest import make_return

from hub.errors import AuthError, PermanentError, TransientError
from hub.model import Decision


def seed(store, increment_id="100000101", ext=None, lines=(("TSHIRT-BLK-M", 2),)):
    return store.store.add_order({"increment_id": increment_id, "ext_order_id": ext,
                                  "lines": [{"sku": s, "qty": q} for s, q in lines]})


def test_check_logs_in_and_bad_key_is_an_auth_error(make_shop):
    make_shop().check()
    with pytest.raises(AuthError, match="refused the API user and key"):
        make_shop(api_key="wrong").check()


def test_find_order_by_increment_id_or_attribute(store, make_shop):
    seed(store, "100000101", ext="BOL-77")
    shop = make_shop()
    assert shop.find_order(make_return("100000101")) == "100000101"
    assert shop.find_order(make_return("100000999")) is None  # fault 100: not there yet
    by_attr = make_shop(order_lookup="attribute", order_lookup_template="BOL-{marketplace_order_id}")
    assert by_attr.find_order(make_return("77")) == "100000101"
    assert by_attr.find_order(make_return("78")) is None


def test_comment_created_once_and_decisions_read(store, make_shop):
    seed(store)
    shop, ret = make_shop(), make_return()
    ret.shop_order_id = shop.find_order(ret)
    first = shop.create_return(ret)
    assert make_shop().create_return(ret) == first == f"order/100000101/{ret.reference}"
    history = store.store.orders["100000101"]["status_history"]
    assert len(history) == 1 and history[0]["comment"].startswith(f"[{ret.reference}]")
    assert history[0]["is_customer_notified"] == "0" and store.store.orders["100000101"]["status"] == "complete"
    ret.shop_return_id = first
    assert shop.fetch_decisions([ret], None) == []
    store.store.refund("100000101", {"TSHIRT-BLK-M": 1})
    [got] = shop.fetch_decisions([ret], None)
    assert [(d.decision, d.quantity) for d in got.lines] == [(Decision.ACCEPTED, 1)]
    store.store.add_comment("100000101", None, "Customer keeps it. returnhub:kept")
    [got] = make_shop().fetch_decisions([ret], None)
    assert [d.decision for d in got.lines] == [Decision.KEPT]
    assert len(store.store.creditmemos) == 1  # only the merchant's


def test_mapped_status_is_a_decision(store, make_shop):
    seed(store)
    shop, ret = make_shop(status_decisions="return_rejected=rejected"), make_return()
    ret.shop_return_id = shop.create_return(ret)
    store.store.add_comment("100000101", "return_rejected", "")
    [got] = shop.fetch_decisions([ret], None)
    assert got.lines[0].decision == Decision.REJECTED and "return_rejected" in got.lines[0].note


def test_expired_session_relogs_in_once(store, make_shop):
    seed(store)
    memo = {}
    shop = make_shop(memo=memo)
    shop.check()
    store.store.expire_sessions()
    assert shop.find_order(make_return()) == "100000101"
    assert store.store.logins == 2 and len(store.store.sessions) == 1  # one re-login, then the call again
    assert shop.find_order(make_return()) == "100000101" and store.store.logins == 2  # the session is kept


def test_html_and_maintenance_and_faults_are_clear(store, make_shop):
    seed(store)
    with pytest.raises(PermanentError, match="answered text/html instead of SOAP XML: is the store URL"):
        make_shop(store_url=store.url + "/shop").find_order(make_return())
    store.store.maintenance = True
    with pytest.raises(TransientError, match=r"HTML page instead of its SOAP API \(maintenance mode\?\)"):
        make_shop().find_order(make_return())
    store.store.maintenance = False
    ret = make_return("100000101", lines=[{"external_line_id": "L9", "quantity": 5, "sku": "TSHIRT-BLK-M"}])
    with pytest.raises(PermanentError, match="line L9"):
        make_shop().create_return(ret)
    with pytest.raises(PermanentError, match="SOAP fault 101 on salesOrderList"):
        make_shop().soap.call("salesOrderList", filters={"complex_filter": [
            {"key": "created_at", "value": {"key": "between", "value": "x"}}]})


def test_cancelled_or_earlier_credit_memos_are_not_a_refund(store, make_shop):
    seed(store)
    store.store.refund("100000101", {"TSHIRT-BLK-M": 1})  # before the return: not about it
    shop, ret = make_shop(), make_return()
    ret.shop_return_id = shop.create_return(ret)
    store.store.orders["100000101"]["status_history"][0]["created_at"] = "2099-01-01 00:00:00"
    assert shop.fetch_decisions([ret], None) == []
    memo = store.store.refund("100000101", {"TSHIRT-BLK-M": 1})
    memo["created_at"], memo["state"] = "2099-01-01 00:00:01", "3"  # cancelled by the merchant
    assert shop.fetch_decisions([ret], None) == []
    memo["state"] = "2"
    [got] = shop.fetch_decisions([ret], None)
    assert [(d.decision, d.quantity) for d in got.lines] == [(Decision.ACCEPTED, 1)]
