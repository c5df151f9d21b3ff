"""Registering a return by hand in a real browser, against the Zalando emulator: from the Returns overview to
the form, one registered (it opens on its page), then the three refusals, each with its message and nothing
created: an order Zalando does not know, a quantity above what was ordered, and the same line again."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.db import ReturnRow
from hub.testing.connections import create_connection
from hub.testing.emulator import EmulatorServer

expect = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[testing]' for playwright").expect
zalando = pytest.importorskip("returnhub_zalando.emulator", reason="the Zalando plugin is not installed")


@pytest.fixture
def hub_plugins():
    return ["zalando", "fakeshop"]


@pytest.fixture
def zalando_emu():
    state = zalando.ZalandoState()
    with EmulatorServer(zalando.create_app(state=state)) as server:
        server.state = state
        yield server


def count(hub) -> int:
    with hub.session() as s:
        return s.scalar(select(func.count()).select_from(ReturnRow))


def submit(page, order_id: str, line: str, quantity: int) -> None:
    page.select_option("#connection", label="Zalando → Fake shop")
    page.fill("#order_id", order_id)
    page.fill("#line-0", line)
    page.fill("#quantity-0", str(quantity))
    page.select_option("#reason", "defective")
    page.click("#register-submit")


def test_register_a_return_and_the_three_refusals(page, screenshot, credentials, hub, zalando_emu, shop_emu):
    create_connection(hub, marketplace="zalando", shop="fakeshop", merchant="Browser merchant",
                      name="Zalando → Fake shop",
                      marketplace_settings={**zalando.emulator_settings(zalando_emu.url), "import_zss": False,
                                            "import_zrs": False},
                      shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                                     "webhook_secret": "shop-webhook-secret"})
    order = zalando_emu.state.order(1)
    [line] = zalando_emu.state.order_lines(order)
    email, password = credentials
    page.goto("/")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.click("#register-return")
    page.wait_for_selector("#register-form")

    submit(page, order["id"], line["id"], 1)
    page.wait_for_selector("text=Return registered")
    expect(page.locator("h1")).to_contain_text("manual-")
    screenshot("registered-return")
    assert count(hub) == 1

    page.goto("/returns/register")
    submit(page, "no-such-order", line["id"], 1)
    expect(page.locator(".flash.error")).to_contain_text("The marketplace does not know this order.")
    expect(page.locator(".field-error").first).to_contain_text("Zalando has no order 'no-such-order'")

    other = zalando_emu.state.order(1)
    [other_line] = zalando_emu.state.order_lines(other)
    submit(page, other["id"], other_line["id"], 2)
    expect(page.locator(".flash.error")).to_contain_text("A quantity is more than can be returned.")
    expect(page.locator(".field-error").first).to_contain_text("1 ordered, 0 already in returns, so at most 1")

    submit(page, order["id"], line["id"], 1)
    expect(page.locator(".flash.error")).to_contain_text("This return is already registered.")
    expect(page.locator(".field-error").first).to_contain_text("already in open return")
    screenshot("register-return-duplicate")
    assert count(hub) == 1
