"""The overview and the dashboard in Dutch and French with bol and Amazon returns: reasons compared under
one canonical label. Screenshots go to ``$RETURNHUB_SCREENSHOTS`` (docs/screenshots for the docs) or the
test artifacts."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ARTIFACTS

from hub import clock
from hub.model import Fulfilment, Line, Return
from hub.stats.rebuild import rebuild
from hub.sync.records import new_row
from hub.testing.connections import create_connection

pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright")
pytest.importorskip("returnhub_bol")
pytest.importorskip("returnhub_amazon")
SHOTS = Path(os.environ.get("RETURNHUB_SCREENSHOTS", ARTIFACTS))
# (reason code, reason text, title, SKU, EAN): bol names items by EAN only, Amazon by SKU
BOL = [("Verkeerde maat of afmeting", "Te klein", "Sinner heren winterjas maat L", None, "8720246310017"),
       ("Klacht over de bezorging", "Verpakking is beschadigd", "Philips Airfryer XL HD9270/90", None, "8710103917106"),
       ("Artikel werkt niet", None, "Philips Sonicare ProtectiveClean 4300", None, "8718469551237"),
       ("Elders goedkoper", None, "Tefal Ingenio pannenset 13-delig", None, "3168430317154"),
       ("Verkeerde maat of afmeting", "Te groot", "Sinner heren winterjas maat L", None, "8720246310017")]
AMAZON = [("AMZ-PG-APP-TOO-SMALL", "Too small", "Oxford shirt blue M", "OXF-BLU-M", None),
          ("CR-DAMAGED_BY_CARRIER", "Damaged in transit", "Stoneware mug set (4)", "MUG-SET-4", None),
          ("CR-UNWANTED_ITEM", "No longer needed", "Oak table lamp", "LAMP-OAK", None),
          ("DEFECTIVE", "Defective or does not work", "Headphone X", "HEADPHONE-X", None)]


@pytest.fixture
def hub_plugins():
    return ["fakemarket", "fakeinfo", "fakeshop", "bol", "amazon"]


def _seed(hub):
    bol = create_connection(hub, marketplace="bol", shop="fakeshop", merchant="Browser merchant", name="bol.com winkel")
    amazon = create_connection(hub, marketplace="amazon", shop="fakeshop", merchant="Browser merchant",
                               name="Amazon DE")
    now = clock.now()
    with hub.session() as s:
        n = 0
        for conn, rows in ((bol, BOL), (amazon, AMAZON)):
            for code, text, title, sku, ean in rows:
                n += 1
                s.add(new_row(conn, Return(
                    external_id=f"{'B' if conn == bol else 'A'}{1000 + n}", marketplace_order_id=f"O-{4711 + n}",
                    fulfilment=Fulfilment.MERCHANT, requested_at=now - timedelta(hours=5 * n),
                    lines=[Line(external_line_id=f"L{n}", quantity=1 + n % 2, title=title, reason_code=code,
                                reason_text=text, sku=sku, ean=ean)])))
    with hub.session() as s:
        rebuild(s)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_overview_and_dashboard_in_dutch_and_french(chromium, web, credentials, hub, language):
    _seed(hub)
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, base_url=web.url,
                                   extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", credentials[0])
    page.fill("#password", credentials[1])
    page.click("button[type=submit]")
    page.wait_for_selector("table.data")
    small = {"nl": "te klein", "fr": "trop petit"}[language]
    assert page.locator("td.reasons .reason-label").all_inner_texts().count(small) == 2  # bol and Amazon
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"overview-{language}.png"), full_page=True)
    page.goto("/dashboard/")
    row = page.locator("#top-reasons tr").filter(has=page.locator(".reason-label", has_text=small))
    assert row.count() == 1 and "bol.com" in row.inner_text() and "Amazon" in row.inner_text()
    first = row.locator(".reason-label")
    coat = page.locator("#top-items tr").filter(has_text="Sinner heren winterjas maat L")
    assert coat.count() == 1 and "EAN 8720246310017" in coat.inner_text()  # the product, its EAN beside it
    page.screenshot(path=str(SHOTS / f"dashboard-{language}.png"), full_page=True)
    first.click()
    page.wait_for_selector("table.data")
    assert "reason=too_small" in page.url and page.locator("tbody tr").count() == 2
    context.close()
