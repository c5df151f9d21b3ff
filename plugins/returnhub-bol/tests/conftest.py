"""Fixtures: a live bol emulator on loopback, adapters wired through the core's HTTP factory, a
connection from bol to the core's fake shop for full-flow tests (the core's fixtures: real Redis,
SQLite and PostgreSQL when configured), and a validator of recorded traffic against bol's OpenAPI
files (RETURNHUB_SPECS_DIR)."""
from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from returnhub_bol.adapter import BolMarketplace
from returnhub_bol.emulator import BolState, create_app, emulator_settings
from returnhub_bol.settings import BolSettings

from hub import clock
from hub.adapters import AdapterContext
from hub.errors import TransientError
from hub.http import ClientFactory
from hub.testing import EmulatorServer

pytest_plugins = ["hub.testing.fixtures"]


class Emu:
    """A running emulator: its URL, its state and shortcuts to the test hooks."""

    def __init__(self, server: EmulatorServer, state: BolState):
        self.server, self.state, self.url = server, state, server.url
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def hook(self, path: str, body: dict | None = None) -> dict:
        resp = self.http.post(f"/_emulator/{path}", json=body or {}) if body is not None \
            else self.http.get(f"/_emulator/{path}")
        resp.raise_for_status()
        return resp.json()

    def seed(self, count=1, **kw) -> list[dict]:
        return self.hook("seed", {"count": count, **kw})["returns"]

    def puts(self) -> list[dict]:
        return self.hook("ledger")["puts"]

    def requests(self) -> list[dict]:
        return self.hook("requests")["requests"]


@pytest.fixture
def emu():
    state = BolState()
    state.process_delay = 0.05
    with EmulatorServer(create_app(state=state)) as server:
        e = Emu(server, state)
        yield e
        e.http.close()


@pytest.fixture
def make_adapter(emu):
    """Build a BolMarketplace against the emulator; keyword overrides go into the settings."""
    made = []

    def make(retries: int = 3, **overrides) -> BolMarketplace:
        raw = {**emulator_settings(emu.url), "process_status_interval": 0.02,
               "process_status_timeout": 5, **overrides}
        factory = ClientFactory(allow_local=["127.0.0.1"], backoff_base=0.01, retries=retries)
        adapter = BolMarketplace(AdapterContext(settings=BolSettings().load(raw), connection_id=1,
                                                http_factory=factory))
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def hub_plugins():
    """The plugins the test Hub loads: this one and the core's fake shop."""
    return ["bol", "fakeshop"]


@pytest.fixture
def shop_emu():
    """The core's fake shop (package returnhub_fakeshop, from the core's test plugins)."""
    emulator = pytest.importorskip(
        "returnhub_fakeshop.emulator",
        reason="full-flow tests need the core's test plugins: pip install -e tests/fixture_plugins/returnhub-testplugins")
    with EmulatorServer(emulator.create_app()) as server:
        server.state = server.app.config["EMULATOR"]
        yield server


@pytest.fixture
def bol_connection(hub, emu, shop_emu):
    """A merchant's connection from the bol emulator to the fake shop, settings sealed as the web
    form stores them; keyword overrides go into the bol settings. Gives the connection id."""
    from hub.testing.connections import create_connection

    def make(**overrides) -> int:
        return create_connection(
            hub, marketplace="bol", shop="fakeshop", name="bol.com → Fake Shop",
            marketplace_settings={**emulator_settings(emu.url), "process_status_interval": 0.02,
                                  "process_status_timeout": 5, **overrides},
            shop_settings={"base_url": shop_emu.url, "token": "shop-secret-token",
                           "webhook_secret": "shop-webhook-secret"})
    return make


@pytest.fixture
def poll_all():
    """The core's fetch loop as a function (a fixture: test modules never import conftest)."""
    return _poll_all


def _poll_all(adapter: BolMarketplace, max_calls: int = 50):
    """Drive fetch_returns like the core: follow the cursor while ``more``, keep the cursor on a
    TransientError and call again after its Retry-After. Returns (items, transient error count)."""
    items, cursor, errors = [], None, 0
    for _ in range(max_calls):
        try:
            page = adapter.fetch_returns(cursor)
        except TransientError as exc:
            errors += 1
            clock.sleep(exc.retry_after or 0.2)  # the clock in force: a fake one just moves on
            continue
        items.extend(page.items)
        cursor = page.cursor
        if not page.more:
            return items, errors
    raise AssertionError("poll did not finish")


# -- spec validation ----------------------------------------------------------------------------

def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


class SpecValidator:
    """Checks recorded requests and responses against bol's OpenAPI 3.0 documents.

    Requests: the operation exists for method + path, path and query parameters are declared and
    valid (types, enums, minimums), required ones present, Accept and Content-Type are media types
    the operation declares, the body matches its schema. Responses: the status is declared and the
    body matches its schema, with no field the schema does not declare.
    """

    def __init__(self, folder: Path):
        import jsonschema

        self.jsonschema = jsonschema
        self.docs = [json.loads((folder / name).read_text()) for name in
                     ("retailer-api-v10.json", "shared-api-v10.json")]
        self.checker = jsonschema.FormatChecker(formats=())
        self.checker.checks("date-time")(_date_time)
        self.ops = []
        for doc in self.docs:
            for path, item in doc["paths"].items():
                pattern = "^" + re.sub(r"\{[^}]+\}", "([^/]+)", path) + "$"
                for method, op in item.items():
                    self.ops.append((method.upper(), re.compile(pattern), path, op, doc))

    def find(self, method: str, path: str):
        path = re.sub(r"^/(retailer|shared)-demo/", r"/\1/", path)
        for m, pattern, template, op, doc in self.ops:
            match = pattern.match(path)
            if m == method and match:
                return template, op, doc, match.groups()
        return None

    def _errors(self, schema: dict, doc: dict, value, where: str) -> list[str]:
        wrapped = {"allOf": [schema], "components": doc["components"]}
        validator = self.jsonschema.Draft4Validator(wrapped, format_checker=self.checker)
        errors = [f"{where}: {e.message} at {list(e.absolute_path)}" for e in validator.iter_errors(value)]
        return errors + [f"{where}: undeclared field {name}" for name in self._undeclared(schema, doc, value)]

    def _resolve(self, schema: dict, doc: dict) -> dict:
        while "$ref" in schema:
            schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _undeclared(self, schema: dict, doc: dict, value, prefix: str = "") -> list[str]:
        schema = self._resolve(schema, doc)
        found = []
        if isinstance(value, dict) and "properties" in schema:
            for key, sub in value.items():
                if key not in schema["properties"]:
                    found.append(prefix + key)
                else:
                    found += self._undeclared(schema["properties"][key], doc, sub, f"{prefix}{key}.")
        elif isinstance(value, list) and "items" in schema:
            for sub in value:
                found += self._undeclared(schema["items"], doc, sub, prefix)
        return found

    @staticmethod
    def _coerce(schema: dict, raw: str):
        if schema.get("type") == "integer" and re.fullmatch(r"-?\d+", raw):
            return int(raw)
        if schema.get("type") == "boolean" and raw in ("true", "false"):
            return raw == "true"
        return raw

    def check_request(self, rec: dict) -> list[str]:
        found = self.find(rec["method"], rec["path"])
        if found is None:
            return [f"{rec['method']} {rec['path']}: no such operation in the spec"]
        template, op, doc, path_values = found
        where = f"{rec['method']} {template}"
        errors = []
        params = op.get("parameters", [])
        for param, value in zip([p for p in params if p["in"] == "path"], path_values):
            errors += self._errors(param["schema"], doc, self._coerce(param["schema"], value),
                                   f"{where} path {param['name']}")
        query = {p["name"]: p for p in params if p["in"] == "query"}
        for name, values in rec["query"].items():
            if name not in query:
                errors.append(f"{where}: undeclared query parameter {name}")
                continue
            for value in values:
                errors += self._errors(query[name]["schema"], doc, self._coerce(query[name]["schema"], value),
                                       f"{where} query {name}")
        errors += [f"{where}: missing required {n}" for n, p in query.items()
                   if p.get("required") and n not in rec["query"]]
        accepts = {t for r in op["responses"].values() for t in r.get("content", {})}
        if rec["accept"] not in accepts:
            errors.append(f"{where}: Accept {rec['accept']!r} not among {sorted(accepts)}")
        body_spec = op.get("requestBody")
        if body_spec is None:
            if rec["body"] is not None:
                errors.append(f"{where}: a body where the spec has none")
        else:
            content_type = (rec["content_type"] or "").split(";")[0]
            if content_type not in body_spec["content"]:
                errors.append(f"{where}: Content-Type {content_type!r} not declared")
            else:
                errors += self._errors(body_spec["content"][content_type]["schema"], doc, rec["body"],
                                       f"{where} body")
        return errors

    def check_response(self, rec: dict) -> tuple[bool, list[str]]:
        """(whether the spec declares this status for the operation, errors)."""
        found = self.find(rec["method"], rec["path"])
        if found is None:
            return False, []
        template, op, doc, _ = found
        declared = op["responses"].get(str(rec["status"]))
        if declared is None:
            return False, []
        content = declared.get("content", {}).get(rec["response_type"])
        where = f"{rec['method']} {template} -> {rec['status']}"
        if content is None:
            return True, [f"{where}: media type {rec['response_type']!r} not declared"]
        return True, self._errors(content["schema"], doc, rec["response"], where)


@pytest.fixture(scope="session")
def spec():
    folder = os.environ.get("RETURNHUB_SPECS_DIR")
    if not folder:
        pytest.skip("RETURNHUB_SPECS_DIR is not set: bol's OpenAPI files are not shipped with the "
                    "plugin (run with RETURNHUB_SPECS_DIR=/path/to/specs)")
    pytest.importorskip("jsonschema", reason="install the plugin's 'tests' extra for spec validation")
    return SpecValidator(Path(folder) / "marketplaces" / "bol")
