"""Decisions are checked against the marketplace's declared decisions at every entry, before anything is stored."""
from __future__ import annotations

import dataclasses

import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select
from test_api_support import api_app, api_client, api_hub_plugins, assert_problem, bearer  # noqa: F401  (fixtures)
from test_web import import_returns, post, signed_in

from hub.app import create_app
from hub.db import ReturnRow
from hub.model import Decision, LineDecision
from hub.sync import commands, jobs
from hub.testing.flow import decide_in_fake_shop

WITHOUT_KEPT = ("accepted", "rejected", "repaired", "exchanged", "cancelled")


@pytest.fixture
def no_kept(hub, monkeypatch):
    """The fake marketplace declares every decision but ``kept`` (as bol does)."""
    cls = hub.registry.marketplaces["fakemarket"]
    manifest = cls.manifest
    caps = dataclasses.replace(manifest.capabilities, decisions=WITHOUT_KEPT)
    monkeypatch.setattr(cls, "manifest", dataclasses.replace(manifest, capabilities=caps))
    return cls


def _stored(hub) -> list[tuple[str, str | None]]:
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        return [(row.state, line.decision) for line in row.lines]


def test_allowed_for_follows_the_typed_capabilities(hub, no_kept):
    assert [d.value for d in commands.allowed_for(hub, "fakemarket")] == list(WITHOUT_KEPT)
    assert "kept" in [d.value for d in commands.allowed_for(hub, "fakeinfo")]  # records only: all six


def test_api_refuses_a_decision_the_marketplace_does_not_take_with_422_naming_the_allowed(
        hub, client, no_kept, make_connection, market_emu, shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    headers = bearer(hub)
    body = assert_problem(client.post("/api/v1/returns/1/decision", headers=headers,
                                      json={"decision": "keeps", "note": "by phone"}), 422)
    assert "'kept'" in body["detail"] and "accepted, rejected, repaired, exchanged, cancelled" in body["detail"]
    assert body["errors"] == {"decision": ["not allowed for this return; allowed: " + ", ".join(WITHOUT_KEPT)]}
    body = assert_problem(client.post("/api/v1/returns/1/decision", headers=headers, json={
        "lines": [{"line_id": "R1-1", "decision": "kept"}], "note": "x"}), 422)
    assert list(body["errors"]) == ["lines.0.decision"]
    assert _stored(hub) == [("in_shop", None)]
    ok = client.post("/api/v1/returns/1/decision", headers=headers, json={"decision": "accepted", "note": "x"})
    assert ok.status_code == 200 and ok.get_json()["state"] == "decided"


def test_api_shop_report_is_refused_before_it_is_stored(hub, client, no_kept, market_emu, drain):
    headers = bearer(hub)
    market_emu.state["returns"].append(sample_return(1))
    cid = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    client.post(f"/api/v1/connections/{cid}/sync", headers=headers)
    drain()
    body = assert_problem(client.post("/api/v1/returns/1/decision", headers=headers, json={"status": "kept"}), 422)
    assert "decisions allowed for this return: accepted, rejected" in body["detail"]
    drain()
    assert _stored(hub) == [("in_shop", None)] and market_emu.state["puts"] == []


def test_ui_refuses_it_and_stores_nothing(hub, no_kept, make_connection, market_emu, shop_emu, drain):
    app = create_app(hub=hub)
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    client = signed_in(app, hub)
    page = client.get("/returns/1").get_data(as_text=True)
    assert 'value="accepted"' in page and 'value="kept"' not in page
    post(client, "/returns/1/decide", {"decision:R1-1": "kept", "note": "by phone"}, page="/")
    assert "cannot be sent to this marketplace" in client.get("/returns/1").get_data(as_text=True)
    assert _stored(hub) == [("in_shop", None)]


def test_decide_manually_refuses_it_in_the_sync_layer_too(hub, no_kept, make_connection, market_emu, shop_emu,
                                                           drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    with pytest.raises(commands.RefusedDecision, match="allowed for this return: accepted"):
        commands.decide_manually(hub, 1, [LineDecision("R1-1", Decision.KEPT)], "by phone", "user:x")
    assert _stored(hub) == [("in_shop", None)]


def test_a_polled_shop_report_of_it_needs_attention_and_is_never_pushed(hub, no_kept, make_connection, market_emu,
                                                                       shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    decide_in_fake_shop(hub, shop_emu.url, "R1", {"R1-1": ("kept", 1)})
    jobs.poll_decisions(cid)
    drain()
    with hub.session() as s:
        row = s.scalar(select(ReturnRow))
        assert row.state == "needs_attention" and row.lines[0].decision is None
        assert "does not take 'kept' (line R1-1)" in row.attention_reason
        assert "allowed for this return: accepted, rejected, repaired, exchanged, cancelled" in row.attention_reason
    assert market_emu.state["puts"] == []
    commands.decide_manually(hub, 1, [LineDecision("R1-1", Decision.ACCEPTED)], "refunded instead", "user:x")
    drain()
    assert _stored(hub) == [("pushed", "accepted")]



def test_a_french_user_sees_the_refusals_in_french_and_the_api_keeps_english(
        hub, client, no_kept, make_connection, market_emu, shop_emu, drain):
    """The sync layer's refusals carry a message id and its values: the UI flashes them in the user's language,
    the API answers the same English text as before."""
    app = create_app(hub=hub)
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    commands.decide_manually(hub, 1, [LineDecision("R1-1", Decision.ACCEPTED)], "by phone", "user:x")
    drain()
    browser = signed_in(app, hub)
    post(browser, "/language", {"language": "fr"})
    post(browser, "/returns/1/decide", {"decision:R1-1": "rejected", "note": "par téléphone"}, page="/")
    page = browser.get("/returns/1").get_data(as_text=True)
    assert "Seul un retour dans la boutique ou nécessitant une attention peut être décidé manuellement." in page
    assert "only a return in the shop" not in page.lower()
    body = assert_problem(client.post("/api/v1/returns/1/decision", headers=bearer(hub),
                                      json={"decision": "rejected", "note": "x"}), 409)
    assert body["detail"] == "only a return in the shop or needing attention can be decided manually"

    with pytest.raises(commands.RefusedDecision) as refused:
        commands.check_decisions(no_kept, [LineDecision("R1-1", Decision.KEPT)])
    english = ("Fake Marketplace does not take 'kept' (line R1-1); decisions allowed for this return: "
               "accepted, rejected, repaired, exchanged, cancelled")
    assert str(refused.value) == refused.value.translated() == english  # outside a request: English
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert refused.value.translated() == (
            "Fake Marketplace n’accepte pas « conservé » (ligne R1-1) ; décisions autorisées pour ce retour : "
            "accepté, refusé, réparé, échangé, annulé")
        assert str(refused.value) == english
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        with pytest.raises(commands.DecisionError) as no_note:
            commands.decide_manually(hub, 1, [LineDecision("R1-1", Decision.ACCEPTED)], " ", "user:x")
        assert no_note.value.translated() == "een handmatige beslissing vraagt een notitie"
        assert str(no_note.value) == "a note is required for a manual decision"
