"""Fixtures: the Shopify emulator on loopback and adapters built as the core builds them (hub.testing)."""
from __future__ import annotations

import gzip
import itertools
import json
import os
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from returnhub_shopify.adapter import ShopifyShop
from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, create_app

from hub.model import load_return

pytest_plugins = ["hub.testing"]
OFFICIAL_SCHEMA = "shops/shopify/admin_schema_2025-01.json.gz"
GRAPHQL_PATH = "/admin/api/{version}/graphql.json"


@cache
def official_schema():
    """Shopify's official 2025-01 Admin schema, or None when RETURNHUB_SPECS_DIR is unset."""
    specs = os.environ.get("RETURNHUB_SPECS_DIR")
    if not specs:
        return None
    from graphql import build_client_schema
    with gzip.open(Path(specs) / OFFICIAL_SCHEMA) as fh:
        return build_client_schema(json.load(fh)["data"])


@pytest.fixture
def schema():
    if official_schema() is None:
        pytest.skip("RETURNHUB_SPECS_DIR is not set: the official Shopify schema is not available")
    return official_schema()


@pytest.fixture
def hub_plugins():
    """The plugins the core's Hub loads in the full-flow tests: the core's test marketplace and Shopify."""
    return ["fakemarket", "shopify"]


class Emulator:
    """The running emulator (a hub.testing EmulatorHandle) with Shopify's test hooks and ledger views."""

    def __init__(self, handle):
        self.handle, self.url, self.app = handle, handle.url, handle.app
        self.store = handle.app.config["STORE"]

    def post(self, path: str, body: dict | None = None):
        return self.handle.hook(path, body or {})

    def get(self, path: str):
        return self.handle.hook(path)

    def order(self, **spec) -> dict:
        spec.setdefault("lines", [{"sku": "TSHIRT-BLK-M", "barcode": "8712345678906", "quantity": 2}])
        return self.post("/orders", spec)

    def action(self, shop_return_id: str, action: str, **body) -> dict:
        return self.post(f"/returns/{shop_return_id.rsplit('/', 1)[1]}/{action}", body)

    def documents(self) -> list[dict]:
        """Every GraphQL request answered: ``{operation, query, variables, response}``."""
        return [{"operation": (e["body"] or {}).get("operationName"), "query": (e["body"] or {}).get("query"),
                 "variables": (e["body"] or {}).get("variables"), "response": e["response"]}
                for e in self.get("/requests")["requests"] if e["path"].endswith("/graphql.json")]

    def sent(self) -> list[str]:
        return [d["operation"] for d in self.documents()]

    def mutations(self, operation: str) -> list[dict]:
        """The requests of ``operation`` that Shopify carried out (answered with data)."""
        return [d for d in self.documents() if d["operation"] == operation and (d["response"] or {}).get("data")]


@pytest.fixture
def emulator(serve_emulator):
    return Emulator(serve_emulator(create_app()))


@pytest.fixture
def emu(emulator):
    return emulator


@pytest.fixture
def make_shop(emulator, adapter_factory):
    """Build the adapter as the core does, with settings overrides; closed at teardown."""

    def build(memo=None, **overrides):
        settings = {"shop_url": emulator.url, "access_token": EMULATOR_TOKEN, "client_secret": EMULATOR_SECRET,
                    **overrides}
        return adapter_factory(ShopifyShop, settings, memo=memo if memo is not None else {})
    return build


_ids = itertools.count(1)


def make_return(order_id="1043965710", lines=None, external_id=None, shop_order_id=None):
    """A canonical return as the core hands it to a shop adapter (validated by the core's schema)."""
    lines = lines or [{"external_line_id": "L1", "quantity": 1, "sku": "TSHIRT-BLK-M", "ean": "8712345678906",
                       "reason_code": "DEFECTIVE", "reason_text": "Product is defect",
                       "customer_comment": "Seam came loose after one wash"}]
    num = next(_ids)
    ret = load_return({"external_id": external_id or f"R{num}", "marketplace_order_id": order_id,
                       "lines": lines, "requested_at": datetime(2025, 3, 1, 12, tzinfo=UTC)})
    ret.id, ret.connection_id, ret.shop_order_id = num, 1, shop_order_id
    return ret


@pytest.fixture
def new_return():
    return make_return


@pytest.fixture
def receiver(serve_emulator):
    """A webhook endpoint on loopback that records every request with its raw body."""
    from flask import Flask, request
    app, received = Flask("receiver"), []

    @app.post("/hook")
    def hook():
        received.append({"headers": dict(request.headers), "body": request.get_data()})
        return "", 200

    handle = serve_emulator(app)
    handle.received, handle.hook_url = received, f"{handle.url}/hook"
    return handle
