"""Fixtures: the emulator on loopback, adapters built like the core builds them, the official schema."""
from __future__ import annotations

import gzip
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from flask import Flask, request

from hub.adapters import AdapterContext
from hub.http import ClientFactory
from hub.model import load_return
from hub.testing.emulator import EmulatorServer
from returnhub_shopify import queries
from returnhub_shopify.adapter import ShopifyShop
from returnhub_shopify.emulator import EMULATOR_SECRET, EMULATOR_TOKEN, create_app

pytest_plugins = ["hub.testing.fixtures"]
SCHEMA_FILE = "shops/shopify/admin_schema_2025-01.json.gz"
_schema_cache = {}


def load_schema():
    """The official 2025-01 Admin schema, or None when RETURNHUB_SPECS_DIR is unset."""
    specs = os.environ.get("RETURNHUB_SPECS_DIR")
    if not specs:
        return None
    if "schema" not in _schema_cache:
        from graphql import build_client_schema
        with gzip.open(Path(specs) / SCHEMA_FILE) as fh:
            _schema_cache["schema"] = build_client_schema(json.load(fh)["data"])
    return _schema_cache["schema"]


def schema_errors(schema, document: str) -> list[str]:
    """Validation errors of ``document`` against ``schema``, except fields named in NEWER_FIELDS."""
    from graphql import parse, validate
    allowed = {(f'Cannot query field \'{f}\' on type \'{t}\'', f'Field \'{f}\' is not defined by type \'{t}\'')
               for t, f in (name.split(".") for name in queries.NEWER_FIELDS)}
    allowed = {msg for pair in allowed for msg in pair}
    return [e.message for e in validate(schema, parse(document))
            if not any(e.message.startswith(a) for a in allowed)]


@pytest.fixture
def hub_plugins():
    """The plugins the core's Hub loads in the full-flow tests: the core's test marketplace and Shopify."""
    return ["fakemarket", "shopify"]


@pytest.fixture
def schema():
    s = load_schema()
    if s is None:
        pytest.skip("RETURNHUB_SPECS_DIR is not set: the official Shopify schema is not available")
    return s


@pytest.fixture
def document_errors(schema):
    """``document -> [errors]`` against the official schema (fields in NEWER_FIELDS allowed)."""
    return lambda document: schema_errors(schema, document)


@pytest.fixture
def emulator():
    """A fresh emulator; on teardown every document the plugin sent is validated against the schema."""
    app = create_app()
    with EmulatorServer(app) as server:
        server.store = app.config["STORE"]
        yield server
    schema = load_schema()
    if schema is not None:
        for doc in server.store.documents:
            errors = schema_errors(schema, doc["query"])
            assert not errors, f"{doc['operation']} is not valid against the 2025-01 schema: {errors}"


@pytest.fixture
def make_shop(emulator):
    """Build the adapter as the core does, with settings overrides; closed at teardown."""
    made = []

    def build(memo=None, timeout=None, **overrides):
        settings = {"shop_url": emulator.url, "access_token": EMULATOR_TOKEN,
                    "client_secret": EMULATOR_SECRET, **overrides}
        factory = ClientFactory(allow_local=["127.0.0.1"], backoff_base=0.01,
                                **({"timeout": timeout} if timeout else {}))
        shop = ShopifyShop(AdapterContext(settings=settings, connection_id=1, http_factory=factory,
                                          memo=memo if memo is not None else {}))
        made.append(shop)
        return shop

    yield build
    for shop in made:
        shop.close()


@pytest.fixture
def emu(emulator):
    """Calls to the emulator's test hooks."""
    class Hooks:
        def post(self, path, body=None):
            resp = httpx.post(f"{emulator.url}/_emulator{path}", json=body or {}, timeout=10)
            assert resp.status_code < 300, resp.text
            return resp.json()

        def get(self, path):
            return httpx.get(f"{emulator.url}/_emulator{path}", timeout=10).json()

        def order(self, **spec):
            spec.setdefault("lines", [{"sku": "TSHIRT-BLK-M", "barcode": "8712345678906", "quantity": 2}])
            return self.post("/orders", spec)

        def action(self, shop_return_id, action, **body):
            return self.post(f"/returns/{shop_return_id.rsplit('/', 1)[1]}/{action}", body)

        def mutations(self, operation):
            return [m for m in self.get("/ledger") if m["operation"] == operation]

    return Hooks()


_ids = iter(range(1, 10**6))


def make_return(order_id="1043965710", lines=None, external_id=None, shop_order_id=None):
    """A canonical return as the core hands it to a shop adapter (validated by the core's schema)."""
    lines = lines or [{"external_line_id": "L1", "quantity": 1, "sku": "TSHIRT-BLK-M", "ean": "8712345678906",
                       "reason_code": "DEFECTIVE", "reason_text": "Product is defect",
                       "customer_comment": "Seam came loose after one wash"}]
    num = next(_ids)
    ret = load_return({"external_id": external_id or f"R{num}", "marketplace_order_id": order_id,
                       "lines": lines, "requested_at": datetime(2025, 3, 1, 12, tzinfo=timezone.utc)})
    ret.id, ret.connection_id, ret.shop_order_id = num, 1, shop_order_id
    return ret


@pytest.fixture
def receiver():
    """A webhook endpoint on loopback that records every request with its raw body."""
    app, received, event = Flask("receiver"), [], threading.Event()

    @app.post("/hook")
    def hook():
        received.append({"headers": dict(request.headers), "body": request.get_data()})
        event.set()
        return "", 200

    with EmulatorServer(app) as server:
        server.received, server.event, server.hook_url = received, event, f"{server.url}/hook"
        yield server


@pytest.fixture
def new_return():
    return make_return
