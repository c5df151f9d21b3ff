"""Browser-test fixtures: the web app on a loopback server and Debian's Chromium driven by Playwright.

No browser is downloaded: Chromium comes from the system (``apt-get install chromium``; CI runs
``.ci/install-chromium.sh``). Without it the tests are skipped with the reason. Screenshots go to
``tests/browser/artifacts/`` (or ``$RETURNHUB_TEST_ARTIFACTS``).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.accounts import create_user
from hub.app import create_app
from hub.testing.emulator import EmulatorServer

CHROMIUM = os.environ.get("RETURNHUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("RETURNHUB_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
EMAIL, PASSWORD = "merchant@example.com", "correct horse battery"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (skipped, with the reason, when it is not installed)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
                    "(or run .ci/install-chromium.sh)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web(hub):
    """The merchant web app served on loopback, with one user; runs once, on SQLite (the flows are
    backend-independent; the Flask test-client suite covers PostgreSQL)."""
    if hub.db.engine.dialect.name != "sqlite":
        pytest.skip("browser flows run on the SQLite backend only")
    create_user(hub, email=EMAIL, password=PASSWORD, merchant_name="Browser merchant")
    with EmulatorServer(create_app(hub=hub)) as server:
        yield server


@pytest.fixture
def credentials():
    """The signed-up merchant user of the ``web`` fixture."""
    return EMAIL, PASSWORD


@pytest.fixture
def page(chromium, web):
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, base_url=web.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take
