"""In a real browser the merchant picks "Leroy Merlin" from the marketplace list and never sees "Mirakl" on the
way to a saved connection (skipped without the system's Chromium, like the core's browser tests)."""
from __future__ import annotations

import os

import pytest

from hub.accounts import create_user
from hub.app import create_app
from hub.testing.emulator import EmulatorServer

CHROMIUM = os.environ.get("RETURNHUB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


@pytest.fixture
def browser_page(hub):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    if hub.db.engine.dialect.name != "sqlite":
        pytest.skip("browser flows run on the SQLite backend only")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright")
    create_user(hub, email="m@example.com", password="correct horse battery", merchant_name="Browser merchant")
    with EmulatorServer(create_app(hub=hub)) as web, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=web.url)
        context.set_default_timeout(10_000)
        yield context.new_page()
        browser.close()


def test_merchant_picks_an_operator_by_name(browser_page, mirakl, shop_emu):
    page = browser_page
    page.goto("/login")
    page.fill("#email", "m@example.com")
    page.fill("#password", "correct horse battery")
    page.click("button[type=submit]")
    page.goto("/connections/new")
    page.select_option("#marketplace", label="Leroy Merlin")
    page.select_option("#shop", "fakeshop")
    page.click("text=Continue")
    assert page.input_value("#name") == "Leroy Merlin → Fake Shop"
    assert page.locator("#m-instance option:checked").inner_text() == "Leroy Merlin"
    page.fill("#m-base_url", f"{mirakl.url}/leroy_merlin")
    page.fill("#m-api_key", "emu-leroy_merlin-shop-key")
    page.fill("#s-base_url", shop_emu.url)
    page.fill("#s-token", "shop-secret-token")
    page.fill("#s-webhook_secret", "shop-webhook-secret")
    page.click("#save-connection")
    page.wait_for_selector("text=Connection saved.")
    page.click("#test-connection")
    page.wait_for_selector(".flash.ok")
    assert "fetch returns from Leroy Merlin" in page.content()
