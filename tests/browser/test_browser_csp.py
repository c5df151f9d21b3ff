"""The UI, the dashboard charts and the Swagger UI work under the Content-Security-Policy: no violation
is reported and the script-driven parts (select all, Swagger UI) still run."""
from __future__ import annotations

import pytest
from sqlalchemy import update
from test_web import import_returns

from hub.db import ReturnRow
from hub.sync import jobs

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright").expect


def test_pages_work_under_the_csp(page, credentials, hub, make_connection, market_emu, shop_emu, drain):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    cid = make_connection(merchant="Browser merchant")
    shop_emu.state["faults"].append({"path": "/returns", "status": 500, "count": 10_000})
    import_returns(hub, market_emu, shop_emu, drain, cid, [1, 2])
    for _ in range(hub.config.max_attempts + 1):  # creation fails until its attempts run out
        with hub.session() as s:
            s.execute(update(ReturnRow).values(next_attempt_at=None))
        jobs.create_in_shop(cid)

    email, password = credentials
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/?state=needs_attention")
    boxes = page.locator("input[name=return_id]")
    expect(boxes).not_to_have_count(0)
    page.click("input[data-select-all]")  # hub.js, a static file, ticks every box
    for i in range(boxes.count()):
        expect(boxes.nth(i)).to_be_checked()

    page.goto("/dashboard/")
    expect(page.locator("svg").first).to_be_visible()

    page.goto(f"/connections/{cid}")
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .information-container .title")).to_contain_text("Returnhub", timeout=20_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert not violations, violations
