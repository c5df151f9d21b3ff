"""The emulator's SOAP messages against the shipped WSDL's schema: every answer is read back by a strict zeep
client (unknown or mistyped elements fail), and faults carry Magento's codes."""
from types import SimpleNamespace

import pytest
import zeep
from lxml import etree
from returnhub_magento1 import wsdl_client
from returnhub_magento1.emulator import create_app
from returnhub_magento1.emulator_store import API_KEY, API_USER
from returnhub_magento1.soap import ENDPOINT


@pytest.fixture(scope="module")
def strict():
    return zeep.Client(str(wsdl_client.WSDL), transport=wsdl_client.OfflineTransport(),
                       settings=zeep.Settings(strict=True))


def call(app, strict, operation, **params):
    """Send ``operation`` as zeep serialises it from the WSDL; the answer read strictly against the WSDL."""
    op = strict.service._binding._operations[operation]
    body = etree.tostring(op.input.serialize(**params).content)
    response = app.test_client().post(ENDPOINT, data=body, content_type="text/xml")
    reply = SimpleNamespace(status_code=response.status_code, content=response.data,
                            headers=dict(response.headers), encoding="utf-8")
    assert response.content_type.startswith("text/xml")
    return strict.service._binding.process_reply(strict, op, reply)


def test_every_answer_reads_strictly_against_the_wsdl(strict):
    app = create_app(demo=True)
    store = app.config["STORE"]
    session = call(app, strict, "login", username=API_USER, apiKey=API_KEY)
    assert session in store.sessions
    listed = call(app, strict, "salesOrderList", sessionId=session,
                  filters={"complex_filter": [{"key": "increment_id", "value": {"key": "in", "value":
                                                                                  "100000001,100000002"}}]})
    assert sorted(o.increment_id for o in listed) == ["100000001", "100000002"]
    assert call(app, strict, "salesOrderList", sessionId=session, filters={"filter": [
        {"key": "increment_id", "value": "nope"}]}) in (None, [])
    assert call(app, strict, "salesOrderAddComment", sessionId=session, orderIncrementId="100000001",
                status="complete", comment="[returnhub-1-R1] test", notify="0") is True
    order = call(app, strict, "salesOrderInfo", sessionId=session, orderIncrementId="100000001")
    assert order.status_history[0].comment == "[returnhub-1-R1] test"
    assert [i.sku for i in order.items] == ["TSHIRT-BLK-M", "MUG-WHT-350"]
    memo = store.refund("100000001")
    memos = call(app, strict, "salesOrderCreditmemoList", sessionId=session,
                 filters={"filter": [{"key": "order_id", "value": order.order_id}]})
    assert [m.increment_id for m in memos] == [memo["increment_id"]]
    info = call(app, strict, "salesOrderCreditmemoInfo", sessionId=session, creditmemoIncrementId=memo["increment_id"])
    assert [(i.order_item_id, i.qty) for i in info.items] == [(order.items[0].item_id, "1.0000"),
                                                              (order.items[1].item_id, "2.0000")]


@pytest.mark.parametrize("operation,params,code,message", [
    ("login", {"username": API_USER, "apiKey": "wrong"}, "2", "Access denied."),
    ("salesOrderInfo", {"sessionId": "expired", "orderIncrementId": "1"}, "5", "Session expired. Try to relogin."),
])
def test_faults_carry_magentos_codes(strict, operation, params, code, message):
    with pytest.raises(zeep.exceptions.Fault) as fault:
        call(create_app(), strict, operation, **params)
    assert (fault.value.code, fault.value.message) == (code, message)


def test_unknown_order_is_fault_100(strict):
    app = create_app()
    session = call(app, strict, "login", username=API_USER, apiKey=API_KEY)
    with pytest.raises(zeep.exceptions.Fault) as fault:
        call(app, strict, "salesOrderInfo", sessionId=session, orderIncrementId="999")
    assert (fault.value.code, fault.value.message) == ("100", "Requested order not exists.")


def test_the_shipped_wsdl_has_the_operations_returnhub_uses():
    ops = wsdl_client.client().service._binding._operations
    for name in ("login", "salesOrderList", "salesOrderInfo", "salesOrderAddComment", "salesOrderCreditmemoList",
                 "salesOrderCreditmemoInfo"):
        assert name in ops
    assert "salesOrderCreditmemoCreate" not in ops  # only what Returnhub uses is described
