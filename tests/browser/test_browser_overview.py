"""The overview's layout in a real browser: a return with several long-named lines stays a compact row,
and its decisions are summarised once per decision."""
from __future__ import annotations

import pytest
from returnhub_fakemarket.emulator import sample_return

from hub.model import Decision, LineDecision
from hub.sync import commands, jobs

pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright")


def sign_in(page, credentials):
    page.goto("/login")
    page.fill("#email", credentials[0])
    page.fill("#password", credentials[1])
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def test_rows_with_several_lines_stay_compact_and_decisions_read_once(page, screenshot, credentials, hub,
                                                                        make_connection, market_emu, shop_emu,
                                                                        drain):
    cid = make_connection(merchant="Browser merchant")
    for n in range(1, 31):
        ret = sample_return(n, lines=4, quantity=3)
        for item in ret["items"]:
            item["title"] = f"Stoneware breakfast set with saucers, blue glaze, dishwasher safe, {item['line']}"
        market_emu.state["returns"].append(ret)
        shop_emu.state["orders"][ret["order"]] = {"id": f"SO-{ret['order']}", "number": ret["order"]}
    jobs.poll_marketplace(cid)
    drain()
    commands.decide_manually(hub, 1, [LineDecision(f"R1-{i}", Decision.ACCEPTED, 3) for i in range(1, 5)],
                             "refunded by phone", "user:test")
    drain()
    sign_in(page, credentials)
    page.goto("/")
    row = page.locator("tr", has=page.locator("a:text-is('R1')"))
    assert row.locator("td.decisions").inner_text().strip() == "accepted ×12"
    height = row.bounding_box()["height"]
    assert height < 80, f"a row of 4 lines is {height:.0f} px high"
    total = page.evaluate("document.documentElement.scrollHeight")
    assert total < 2600, f"a page of 30 returns is {total} px high"
    screenshot("overview-compact")
