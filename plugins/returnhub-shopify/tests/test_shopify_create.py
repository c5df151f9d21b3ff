"""Finding the order and creating the return once, against the emulator over HTTP."""
import pytest

from hub.errors import OrderNotFound, PermanentError


def test_check_passes_with_the_token(make_shop):
    make_shop().check()


def test_wrong_token_is_an_auth_error(make_shop):
    from hub.errors import AuthError
    with pytest.raises(AuthError):
        make_shop(access_token="shpat_wrong").check()


def test_client_credentials_token_is_fetched_once_and_shared(make_shop, emulator):
    from returnhub_shopify.emulator import EMULATOR_CLIENT_ID
    make_shop(access_token=None, client_id=EMULATOR_CLIENT_ID).check()
    make_shop(access_token=None, client_id=EMULATOR_CLIENT_ID).check()  # another adapter of the connection
    assert emulator.handle.emulation.token_endpoint.calls == 1
    assert emulator.sent() == ["Shop", "Shop"]


def test_wrong_client_secret_is_an_auth_error(make_shop):
    from returnhub_shopify.emulator import EMULATOR_CLIENT_ID

    from hub.errors import AuthError
    with pytest.raises(AuthError, match="refused the credentials"):
        make_shop(access_token=None, client_id=EMULATOR_CLIENT_ID, client_secret="wrong").check()


@pytest.mark.parametrize("lookup, template, key, spec", [
    ("name", "BOL-{marketplace_order_id}", None, {"name": "BOL-1043965710"}),
    ("tag", "bol-{marketplace_order_id}", None, {"tags": ["bol", "bol-1043965710"]}),
    ("source_identifier", "{marketplace_order_id}", None, {"sourceIdentifier": "1043965710"}),
    ("po_number", "{marketplace_order_id}", None, {"poNumber": "1043965710"}),
    ("note_attribute", "{marketplace_order_id}", "marketplace_order_id",
     {"customAttributes": {"marketplace_order_id": "1043965710"}}),
    ("metafield", "{marketplace_order_id}", "marketplace.order_id",
     {"metafields": {"marketplace.order_id": "1043965710"}}),
])
def test_find_order_by_each_lookup(make_shop, emu, new_return, lookup, template, key, spec):
    emu.order(name="#1001", tags=["other"], sourceIdentifier="999", poNumber="998")  # a decoy
    order = emu.order(**{"name": "#1002", **spec})
    shop = make_shop(order_lookup=lookup, order_lookup_template=template, order_lookup_key=key)
    assert shop.find_order(new_return("1043965710")) == order["id"]
    assert shop.find_order(new_return("1043965799")) is None


def test_find_order_refuses_two_matches(make_shop, emu, new_return):
    emu.order(tags=["bol-5"])
    emu.order(tags=["bol-5"])
    with pytest.raises(PermanentError, match="2 Shopify orders"):
        make_shop(order_lookup="tag", order_lookup_template="bol-{marketplace_order_id}").find_order(new_return("5"))


def test_create_without_order_raises_order_not_found(make_shop, new_return):
    with pytest.raises(OrderNotFound):
        make_shop().create_return(new_return("404404"))


def test_create_request_then_again_gives_one_return(make_shop, emu, new_return):
    order = emu.order(name="1043965710")
    ret = new_return("1043965710")
    shop = make_shop()
    first = shop.create_return(ret)
    assert make_shop().create_return(ret) == first
    requests = emu.mutations("RequestReturn")
    assert len(requests) == 1
    line = requests[0]["variables"]["input"]["returnLineItems"][0]
    assert line["fulfillmentLineItemId"] == order["lines"][0]["fulfillmentLineItemId"]
    assert line["quantity"] == 1 and line["returnReason"] == "DEFECTIVE"
    assert line["customerNote"].startswith(f"[{ret.reference}:L1] Product is defect")
    [stored] = emu.get("/returns")
    assert stored["id"] == first and stored["status"] == "REQUESTED"


def test_retry_after_a_lost_answer_finds_the_return(make_shop, emu, new_return):
    from hub.errors import TransientError
    emu.order(name="1043965710")
    emu.post("/operation-faults", {"operation": "RequestReturn", "kind": "drop"})
    ret = new_return("1043965710")
    with pytest.raises(TransientError):
        make_shop().create_return(ret)
    assert len(emu.get("/returns")) == 1  # Shopify made it; the hub never saw the answer
    again = make_shop().create_return(ret)
    assert [r["id"] for r in emu.get("/returns")] == [again]
    assert len(emu.mutations("RequestReturn")) == 1


def test_accepted_uses_return_create_and_is_open(make_shop, emu, new_return):
    emu.order(name="1043965710")
    ret = new_return("1043965710")
    rid = make_shop().create_return(ret, accepted=True)
    [created] = emu.mutations("CreateReturn")
    line = created["variables"]["returnInput"]["returnLineItems"][0]
    assert line["returnReasonNote"].startswith(f"[{ret.reference}:L1]")
    assert created["variables"]["returnInput"]["requestedAt"].startswith("2025-03-01T12:00:00")
    assert emu.get("/returns")[0]["status"] == "OPEN"
    assert make_shop().create_return(ret, accepted=True) == rid
    assert len(emu.mutations("CreateReturn")) == 1


def test_lines_match_by_ean_and_spread_over_fulfillment_lines(make_shop, emu, new_return):
    emu.order(name="77", lines=[{"sku": "A", "barcode": "111", "quantity": 1},
                                {"sku": "A", "barcode": "111", "quantity": 2},
                                {"sku": "B", "barcode": "222", "quantity": 1}])
    ret = new_return("77", lines=[{"external_line_id": "1", "quantity": 3, "sku": "a"},
                                  {"external_line_id": "2", "quantity": 1, "ean": "222", "reason_text": "Too small"}])
    make_shop().create_return(ret)
    items = emu.mutations("RequestReturn")[0]["variables"]["input"]["returnLineItems"]
    assert [(i["quantity"], i["returnReason"]) for i in items] == [
        (1, "UNKNOWN"), (2, "UNKNOWN"), (1, "SIZE_TOO_SMALL")]


def test_unmatched_or_too_many_items_fail_permanently(make_shop, emu, new_return):
    emu.order(name="78", lines=[{"sku": "A", "quantity": 1}])
    with pytest.raises(PermanentError, match="not among"):
        make_shop().create_return(new_return("78", lines=[{"external_line_id": "1", "quantity": 1, "sku": "Z"}]))
    with pytest.raises(PermanentError, match="more than"):
        make_shop().create_return(new_return("78", lines=[{"external_line_id": "1", "quantity": 2, "sku": "A"}]))
    assert emu.mutations("RequestReturn") == []


def test_unfulfilled_order_cannot_get_a_return(make_shop, emu, new_return):
    emu.order(name="79", fulfilled=False)
    with pytest.raises(PermanentError, match="not among"):
        make_shop().create_return(new_return("79"))


def test_user_errors_of_the_emulator_become_permanent_errors(make_shop, emu):
    from returnhub_shopify import queries
    from returnhub_shopify.client import user_errors
    order = emu.order(name="80", lines=[{"sku": "A", "quantity": 1}])
    fli = order["lines"][0]["fulfillmentLineItemId"]
    data = make_shop().client.execute("RequestReturn", queries.RETURN_REQUEST, {"input": {
        "orderId": order["id"], "returnLineItems": [
            {"fulfillmentLineItemId": fli, "quantity": 5, "returnReason": "OTHER"}]}})
    with pytest.raises(PermanentError, match="quantity: Quantity is not available for return. \\(INVALID\\)"):
        user_errors(data["returnRequest"], "returnRequest")


def test_an_order_with_30_lines_reads_every_returnable_line(make_shop, emu, new_return):
    emu.order(name="90", lines=[{"sku": f"SKU-{i}", "quantity": 1} for i in range(30)])
    ret = new_return("90", lines=[{"external_line_id": str(i), "quantity": 1, "sku": f"SKU-{i}"} for i in range(30)])
    rid = make_shop().create_return(ret)
    [request] = emu.mutations("RequestReturn")
    assert len(request["variables"]["input"]["returnLineItems"]) == 30
    assert emu.sent().count("ReturnableLines") == 1  # lines 26-30 on a second page
    assert make_shop().create_return(ret) == rid and emu.sent().count("ReturnLines") == 1  # 30 > 20 return lines
