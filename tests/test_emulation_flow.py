"""Flow helpers for plugin tests (hub.testing.flow) and the shared plugin-test fixtures, driven through the
real pipeline: fake marketplace → hub → fake shop → decision → marketplace."""
from __future__ import annotations

from returnhub_fakemarket.emulator import create_app as market_app
from returnhub_fakemarket.emulator import sample_return

from hub.testing import flow

pytest_plugins = ["hub.testing.kit.plugin"]


def seed(market_emu, shop_emu, count: int) -> list[dict]:
    returns = [sample_return(n, lines=2, quantity=1) for n in range(1, count + 1)]
    market_emu.state["returns"].extend(returns)
    for r in returns:
        shop_emu.state["orders"][r["order"]] = {"id": f"SO-{r['order']}", "number": r["order"]}
    return returns


def test_settle_find_decide_and_overview(hub, make_connection, market_emu, shop_emu):
    cid = make_connection()
    made = seed(market_emu, shop_emu, 3)
    assert set(flow.settle(hub, cid).values()) == {"in_shop"}
    assert flow.overview(hub, cid) == {"in_shop": 3}
    ret = flow.find_return(hub, str(made[0]["id"]), cid)
    assert ret.shop_return_id and len(ret.lines) == 2 and ret.state.value == "in_shop"
    assert flow.find_return(hub, "no-such-return") is None
    flow.decide_in_fake_shop(hub, shop_emu.url, ret.external_id,
                             {line.external_line_id: ("accepted", 1) for line in ret.lines})
    settled = flow.settle(hub, cid, done=lambda: flow.states(hub, cid)[ret.external_id] == "pushed")
    assert settled[ret.external_id] == "pushed"
    assert flow.timeline(hub, ret.external_id) == ["received", "in_shop", "decided", "pushed"]
    assert {line.decision.value for line in flow.find_return(hub, ret.external_id).lines} == {"accepted"}


def test_shared_fixtures_serve_build_and_walk(serve_emulator, adapter_factory, page_walker, hub):
    from returnhub_fakemarket.adapter import FakeMarketplace
    handle = serve_emulator(market_app())
    handle.app.config["EMULATOR"]["returns"].extend(sample_return(n) for n in range(1, 8))
    adapter = adapter_factory(FakeMarketplace, {"base_url": handle.url, "api_key": "market-secret-key"})
    walk = page_walker(adapter)
    assert len(walk.items) == 7 and walk.transient_errors == 0 and walk.pages[-1].more is False
