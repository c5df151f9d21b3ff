"""An independent, maintained bol.com client (PyPI ``python-bol-api-latest``, a requests-based wrapper) against
the emulator, for every call the plugin makes: the token, the returns list, one return, a handling, and the
process status by id and by entity. It shows the emulator answers what bol would, beyond the plugin's own reading;
this client sends ``handled=False`` and lets a caller pass the quantity as a string."""
import pytest
import requests
from returnhub_bol.emulator import CLIENT_ID, CLIENT_SECRET

api_module = pytest.importorskip("bol.retailer.api",
                                 reason="install the plugin's [tests] extra (python-bol-api-latest)")


@pytest.fixture
def client(emu):
    """The wrapper pointed at the emulator (its own requests session, no proxies from the environment)."""
    session = requests.Session()
    session.trust_env = False

    def make(demo=False):
        api = api_module.RetailerAPI(api_url=emu.url, login_url=emu.url, demo=demo, session=session, timeout=10)
        api.login(CLIENT_ID, CLIENT_SECRET)
        return api
    yield make
    session.close()


def _settle(emu):
    emu.state.process_delay = 0
    with emu.state.lock:
        for status in emu.state.statuses.values():
            status["_due"] = 0


def test_every_call_the_plugin_makes_works_with_the_wrapper(emu, client):
    seeded = emu.seed(3, fulfilment="FBR", items=1, quantity=3)
    api = client()
    listed = api.returns.get(handled=False, fulfilment_method="FBR")
    assert {r.returnId for r in listed} == {r["returnId"] for r in seeded}
    assert emu.ledger.find("GET", "/retailer/returns")[-1].query["handled"] == ["False"]
    single = api.returns.getSingle(seeded[0]["returnId"])
    item = single.returnItems[0]
    assert item.customerDetails.zipCode and single.registrationDateTime.tzinfo is not None
    first = api.returns.handleReturnItem(item.rmaId, "RETURN_RECEIVED", "2")  # a numeric string, as bol reads it
    assert first.status == "PENDING" and first.entityId == item.rmaId
    _settle(emu)
    done = api.process_status.getById(first.processStatusId)
    assert done.status == "SUCCESS" and done.createTimestamp.tzinfo is not None
    assert [s.status for s in api.process_status.get(item.rmaId, "HANDLE_RETURN_ITEM")] == ["SUCCESS"]
    assert emu.state.find_item(item.rmaId)[0]["processingResults"][0]["quantity"] == 2
    assert len(api.returns.get(handled=True, fulfilment_method="FBR")) == 1


def test_the_wrapper_meets_what_bol_refuses(emu, client, fake_clock):
    rma = emu.seed(1, fulfilment="FBR", items=1, quantity=1)[0]["returnItems"][0]["rmaId"]
    with pytest.raises(requests.HTTPError) as bad_login:
        api_module.RetailerAPI(api_url=emu.url, login_url=emu.url).login(CLIENT_ID, "wrong")
    assert bad_login.value.response.status_code == 401
    api = client()
    with pytest.raises(requests.HTTPError) as unknown:
        api.returns.handleReturnItem(rma, "FIXED", 1)
    assert unknown.value.response.json()["violations"][0]["name"] == "handlingResult"
    too_many = api.returns.handleReturnItem(rma, "RETURN_RECEIVED", 2)
    _settle(emu)
    assert "exceeds the expected quantity" in api.process_status.getById(too_many.processStatusId).errorMessage
    fake_clock.advance(300)  # the token's expires_in has passed
    with pytest.raises(requests.HTTPError) as expired:
        api.returns.get()
    assert expired.value.response.status_code == 401


def test_the_wrappers_demo_paths_are_served(emu, client):
    emu.seed(1, fulfilment="FBB")
    assert len(client(demo=True).returns.get(fulfilment_method="FBB")) == 1
    assert emu.ledger.find("GET", "/retailer-demo/returns")
