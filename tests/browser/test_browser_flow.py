"""A merchant's day in a real browser: sign in, add a connection through the generated form, switch
Returns on, see returns arrive from the emulators, open a timeline, retry a failed return, set a
manual decision, look at the dashboard, sign out."""
from __future__ import annotations

import pytest
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import select, update

from hub.db import Connection, ReturnRow
from hub.sync import jobs

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright").expect


def _exhaust_retries(hub, cid):
    """Run the creation step until its attempts are used up (what the scheduler would do over time)."""
    for _ in range(hub.config.max_attempts + 1):
        with hub.session() as s:
            s.execute(update(ReturnRow).values(next_attempt_at=None))
        jobs.create_in_shop(cid)


def test_merchant_flow(page, screenshot, credentials, hub, market_emu, shop_emu, drain):
    email, password = credentials
    # sign in
    page.goto("/")
    assert "/login" in page.url
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=No connections yet")

    # add a connection through the form generated from both plugins' settings schemas
    page.click("a.button:text-is('Add a connection')")
    page.select_option("#marketplace", "fakemarket")
    page.select_option("#shop", "fakeshop")
    page.click("text=Continue")
    page.fill("#name", "Fake marketplace → Fake shop")
    page.fill("#m-base_url", market_emu.url)
    page.fill("#m-api_key", "market-secret-key")
    page.fill("#s-base_url", shop_emu.url)
    page.fill("#s-token", "shop-secret-token")
    page.fill("#s-webhook_secret", "shop-webhook-secret")
    page.click("#save-connection")
    page.wait_for_selector("text=Connection saved.")
    assert page.input_value("#m-api_key") == "", "a secret is never filled back in"
    page.click("#test-connection")
    expect(page.locator(".flash.ok")).to_have_count(2)
    screenshot("connection")
    with hub.session() as s:
        cid = s.scalar(select(Connection.id))

    # returns arrive once the switch is on: two with their order in the shop, one whose lookup fails
    for n in (1, 2, 3):
        market_emu.state["returns"].append(sample_return(n, lines=1, quantity=2 if n == 2 else 1))
    shop_emu.state["orders"].update({f"MO{n}": {"id": f"SO-MO{n}", "number": f"MO{n}"} for n in (1, 2, 3)})
    shop_emu.state["faults"].append({"path": "/orders/MO3", "status": 500, "count": 10_000})
    assert page.locator("#returns-switch").inner_text().strip() == "Off"
    page.click("#returns-switch")
    page.wait_for_selector("text=Returns switched on")
    drain()
    _exhaust_retries(hub, cid)

    page.click("text=Orders › Returns")
    page.wait_for_selector("text=R3")
    expect(page.locator("#tab-attention .count")).to_have_text("1")
    screenshot("returns-overview")

    # a return's timeline
    page.click("a:text-is('R1')")
    page.wait_for_selector("h2:text('Timeline')")
    assert page.locator(".timeline tbody tr").count() >= 2
    assert "in shop" in page.locator(".timeline").inner_text()
    screenshot("return-detail")

    # retry the failed one from the Needs attention tab
    page.click("text=Orders › Returns")
    page.click("#tab-attention")
    page.wait_for_url("**state=needs_attention**")
    expect(page.locator("table.data")).to_contain_text("500")
    screenshot("needs-attention")
    shop_emu.state["faults"].clear()
    page.click("table.data button:text('Retry')")
    page.wait_for_selector("text=Retry queued.")
    drain()
    page.reload()
    assert page.locator("h1 .badge").inner_text() == "in shop"

    # a manual decision with its note, sent to the marketplace
    page.click("text=Orders › Returns")
    page.click("a:text-is('R2')")
    page.select_option("select[name='decision:R2-1']", "kept")
    page.fill("input[name='quantity:R2-1']", "1")
    page.fill("#note", "Customer keeps one, refunded by phone")
    page.click("text=Record decision")
    page.wait_for_selector("text=Decision recorded.")
    drain()
    page.reload()
    assert page.locator("h1 .badge").inner_text() == "pushed"
    assert "set manually: Customer keeps one" in page.locator(".timeline").inner_text()
    assert market_emu.state["decisions"][("R2", "R2-1")] == {"decision": "KEEP", "quantity": 1}

    # the dashboard
    page.click("text=Dashboard")
    page.click("text=365 days")
    page.wait_for_selector("svg.chart")
    assert page.locator("svg.chart").count() >= 3
    screenshot("dashboard")

    page.click("text=Plugins")
    page.wait_for_selector("#marketplace-matrix")
    screenshot("plugins")

    # sign out ends the session
    page.click("#sign-out")
    page.wait_for_selector("text=You are signed out.")
    page.goto("/connections/")
    assert "/login" in page.url
