"""Importing returns from the emulator over real HTTP: pages, cursor, tokens, rate limits, quarantine."""

import pytest

from hub.errors import AuthError, TransientError
from hub.model import Quarantined, load_return


def _ids(items):
    return [i["external_id"] for i in items if not isinstance(i, Quarantined)]


def test_poll_walks_fbr_pages_then_fbb_and_starts_over(page_walker, emu, make_adapter):
    fbr = emu.seed(53, fulfilment="FBR")
    fbb = emu.seed(3, fulfilment="FBB", items=2, quantity=3)
    adapter = make_adapter()
    first = adapter.fetch_returns(None)
    assert (len(first.items), first.cursor, first.more) == (50, "FBR:2", True)
    second = adapter.fetch_returns(first.cursor)
    assert (len(second.items), second.cursor, second.more) == (3, "FBB:1", True)
    third = adapter.fetch_returns(second.cursor)
    assert (len(third.items), third.cursor, third.more) == (3, None, False)
    items = first.items + second.items + third.items
    assert sorted(_ids(items)) == sorted(r["returnId"] for r in fbr + fbb)
    for data in items:
        load_return(data)
    # unhandled returns come oldest first, as bol sorts them
    stamps = [i["requested_at"] for i in first.items]
    assert stamps == sorted(stamps)
    again = page_walker(adapter).items
    assert sorted(_ids(again)) == sorted(_ids(items))  # stable external ids on the next poll
    lists = emu.ledger.find("GET", "/retailer/returns")
    assert {(r.query["fulfilment-method"][0], r.query["handled"][0]) for r in lists if "handled" in r.query} == \
        {("FBR", "false"), ("FBB", "false")}


def test_multi_item_fbb_return_is_marketplace_fulfilled_with_per_item_lines(page_walker, emu, make_adapter):
    bol = emu.seed(1, fulfilment="FBB", items=3, quantity=2)[0]
    items = page_walker(make_adapter()).items
    ret = load_return(items[0])
    assert ret.fulfilment.value == "marketplace" and ret.fulfilment_method == "FBB"
    assert [line.external_line_id for line in ret.lines] == [i["rmaId"] for i in bol["returnItems"]]
    assert all(line.quantity == 2 and line.title for line in ret.lines)
    assert ret.customer.address.city == bol["returnItems"][0]["customerDetails"]["city"]


def test_fbb_import_can_be_switched_off(page_walker, emu, make_adapter):
    emu.seed(2, fulfilment="FBR")
    emu.seed(2, fulfilment="FBB")
    items = page_walker(make_adapter(import_fbb=False)).items
    assert {i["fulfilment_method"] for i in items} == {"FBR"}


def test_cursor_resumes_at_the_page_and_method_it_names(emu, make_adapter):
    emu.seed(2, fulfilment="FBR")
    fbb = emu.seed(2, fulfilment="FBB")
    page = make_adapter().fetch_returns("FBB:1")
    assert sorted(_ids(page.items)) == sorted(r["returnId"] for r in fbb) and not page.more
    assert len(make_adapter().fetch_returns("garbage").items) == 2  # an unreadable cursor starts over


def test_detail_is_fetched_only_when_the_list_lacks_customer_details(page_walker, emu, make_adapter):
    emu.seed(2, fulfilment="FBR")
    page_walker(make_adapter(import_fbb=False))
    details = lambda: len(emu.ledger.find("GET", "/retailer/returns/"))  # noqa: E731
    assert details() == 2
    emu.state.list_customer_details = True
    items = page_walker(make_adapter(import_fbb=False)).items
    assert details() == 2  # no new ones
    assert all(load_return(i).customer.address.city for i in items)


def test_token_is_reused_then_renewed_once_when_it_expires_mid_run(emu, make_adapter):
    emu.seed(60, fulfilment="FBR")
    adapter = make_adapter(import_fbb=False)
    first = adapter.fetch_returns(None)
    assert emu.emulation.token_endpoint.calls == 1  # 51 calls, one token
    emu.emulation.tokens.expire_all()
    second = adapter.fetch_returns(first.cursor)
    assert len(first.items) + len(second.items) == 60
    assert emu.emulation.token_endpoint.calls == 2
    assert sum(r.status == 401 for r in emu.ledger.entries) == 1


def test_token_is_renewed_before_expiry_without_a_401(page_walker, emu, make_adapter, fake_clock):
    emu.seed(1, fulfilment="FBR")
    emu.emulation.token_endpoint.ttl = 60  # the SDK stops using it a quarter of its life before it expires
    adapter = make_adapter(import_fbb=False)
    page_walker(adapter)
    fake_clock.advance(30)
    page_walker(adapter)
    assert emu.emulation.token_endpoint.calls == 1  # still well within its life: reused
    fake_clock.advance(20)  # 50 s: inside the margin, not yet expired at bol
    page_walker(adapter)
    assert emu.emulation.token_endpoint.calls == 2
    assert not any(r.status == 401 for r in emu.ledger.entries)


def test_wrong_credentials_are_an_auth_error(emu, make_adapter):
    with pytest.raises(AuthError):
        make_adapter(client_secret="wrong").check()
    make_adapter().check()


def test_rate_limit_storm_is_waited_out_inside_the_client(page_walker, emu, make_adapter, fake_clock):
    seeded = emu.seed(5, fulfilment="FBR", items=2) + emu.seed(2, fulfilment="FBB")
    emu.emulation.limit("*", 4, 1)
    walk = page_walker(make_adapter())
    assert walk.transient_errors == 0
    assert sorted(_ids(walk.items)) == sorted(r["returnId"] for r in seeded)
    statuses = [r.status for r in emu.ledger.entries]
    assert statuses.count(429) >= 1 and set(statuses) <= {200, 429}


def test_rate_limit_storm_surfacing_to_the_core_loses_nothing(page_walker, emu, make_adapter, fake_clock):
    seeded = emu.seed(55, fulfilment="FBR")
    # the token, page 1 and its 50 details fit the budget; page 2 runs out of it and is read again later
    emu.emulation.limit("*", 53, 2)
    walk = page_walker(make_adapter(retries=0, import_fbb=False))
    assert walk.transient_errors >= 1
    assert sorted(_ids(walk.items)) == sorted(r["returnId"] for r in seeded)  # each once, none missing
    first_pages = [r for r in emu.ledger.find("GET", "/retailer/returns")
                   if r.path == "/retailer/returns" and r.query["page"] == ["1"]]
    assert len(first_pages) == 1  # the cursor resumed at page 2


def test_a_429_becomes_a_transient_error_with_retry_after(emu, make_adapter):
    emu.seed(1, fulfilment="FBR")
    emu.emulation.limit("*", 2, 60)  # the token and one list
    adapter = make_adapter(retries=0)
    adapter.client.list_returns("FBR", {"page": 1})
    with pytest.raises(TransientError) as info:
        adapter.client.list_returns("FBR", {"page": 1})
    assert info.value.status == 429 and 1 <= info.value.retry_after <= 30


def test_malformed_returns_are_quarantined_and_the_rest_imported(page_walker, emu, make_adapter):
    good = emu.seed(2, fulfilment="FBR")
    template = emu.seed(1, fulfilment="FBR")[0]
    emu.state.returns.pop(template["returnId"])
    item = template["returnItems"][0]
    bad = {
        "900": dict(item, rmaId=None),
        "901": dict(item, rmaId="31999901", expectedQuantity="2"),
        "902": dict(item, rmaId="31999902", expectedQuantity=0),
    }
    for return_id, bad_item in bad.items():
        emu.state.add_raw({**template, "returnId": return_id, "returnItems": [bad_item]})
    emu.state.add_raw({k: v for k, v in template.items() if k != "returnId"})
    odd = dict(item, rmaId="31999903", processingResults=[
        {"quantity": 1, "processingResult": "ACCEPTED", "handlingResult": "RETURN_RECEIVED_AND_INSPECTED",
         "processingDateTime": "2024-04-17T10:55:37+02:00"}])
    emu.state.add_raw({**template, "returnId": "903", "returnItems": [odd]})

    items = page_walker(make_adapter(import_fbb=False)).items
    quarantined = {q.external_id: q.reason for q in items if isinstance(q, Quarantined)}
    assert sorted(_ids(items)) == sorted([r["returnId"] for r in good] + ["903"])
    assert "no rmaId" in quarantined["900"]
    assert "expectedQuantity '2'" in quarantined["901"]
    assert "expectedQuantity 0" in quarantined["902"]
    assert "no returnId" in quarantined[None]
    flagged = next(i for i in items if not isinstance(i, Quarantined) and i["external_id"] == "903")
    assert load_return(flagged).flags == ["unknown_handling_result:RETURN_RECEIVED_AND_INSPECTED"]
