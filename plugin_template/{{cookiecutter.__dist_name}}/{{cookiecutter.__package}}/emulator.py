"""An emulator of the {{ cookiecutter.platform_name }} API for tests and ``returnhub demo``.

Generated as a small EXAMPLE API, described by ``openapi.json`` next to this file, so the plugin works
out of the box. Replace both with the real API subset the plugin uses, faithful to the official
specification: same paths, field names, status codes, auth, pagination and rate-limit answers; refuse
what the platform refuses. Built on ``hub.testing.emulation.EmulatorApp`` (request ledger, faults, rate
limits, the ``/_emulator`` hooks). Keep the helpers at the bottom (the conformance test and the demo use
them to seed data and read back what the plugin sent).
"""
from __future__ import annotations

{% if cookiecutter.auth != "oauth2_client_credentials" -%}
import secrets
{% endif -%}
import threading
{%- if cookiecutter.kind == "marketplace" %}
from datetime import datetime, timedelta
{%- endif %}
{%- if cookiecutter.auth == "hmac" %}
from urllib.parse import quote
{%- endif %}

from flask import Flask, jsonify, request

{% if cookiecutter.kind == "marketplace" -%}
from hub import clock
{% endif -%}
from hub.testing.emulation import EmulatorApp, json_error
{%- if cookiecutter.auth == "hmac" %}
from hub.testing.emulation import fresh_timestamp, verify_hmac
{%- endif %}
{%- if cookiecutter.kind == "marketplace" %}
from hub.testing.emulation import BadPagingValue, page_number_envelope
{%- endif %}

{% if cookiecutter.auth == "api_key" -%}
CREDENTIALS = {"api_key": "emulator-api-key-0c4f"}


def refusal(emu: EmulatorApp) -> str | None:
    """Why the request's credentials are refused (None: accepted): ``X-Api-Key`` must be the key."""
    if not secrets.compare_digest(request.headers.get("X-Api-Key", ""), CREDENTIALS["api_key"]):
        return "missing or unknown X-Api-Key"
    return None
{%- elif cookiecutter.auth == "bearer_token" -%}
CREDENTIALS = {"access_token": "emulator-access-token-5e9b"}


def refusal(emu: EmulatorApp) -> str | None:
    """Why the request's credentials are refused (None: accepted): ``Authorization: Bearer <token>``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip(), CREDENTIALS["access_token"]):
        return "missing or invalid bearer token"
    return None
{%- elif cookiecutter.auth == "basic" -%}
CREDENTIALS = {"username": "emulator-user", "password": "emulator-password-83d1"}


def refusal(emu: EmulatorApp) -> str | None:
    """Why the request's credentials are refused (None: accepted): HTTP Basic with the user's password."""
    auth = request.authorization
    if not auth or auth.username != CREDENTIALS["username"] or \
            not secrets.compare_digest(auth.password or "", CREDENTIALS["password"]):
        return "wrong user name or password"
    return None
{%- elif cookiecutter.auth == "oauth2_client_credentials" -%}
CREDENTIALS = {"client_id": "emulator-client-id", "client_secret": "emulator-client-secret-7a21"}
TOKEN_PATH = "/oauth/token"
TOKEN_TTL = 3600  # seconds an access token lives (expires by hub.clock time)


def refusal(emu: EmulatorApp) -> str | None:
    """Why the request's credentials are refused (None: accepted): a live token from ``TOKEN_PATH``."""
    if request.path == TOKEN_PATH:  # the token endpoint checks the client's own credentials
        return None
    return None if emu.tokens.check() is not None else "missing, invalid or expired access token"
{%- else -%}
CREDENTIALS = {"client_key": "emulator-client-key-2d6e", "secret_key": "emulator-secret-key-b94f"}
SIGNATURE_WINDOW = 300  # seconds a signed request's X-Timestamp may be off the platform's clock


def signed_message() -> str:
    """What the platform signs: ``METHOD\\nPATH?QUERY\\nBODY\\nTIMESTAMP``, from the request as received."""
    target = request.environ.get("RAW_URI") or (
        quote(request.path) + (f"?{request.query_string.decode()}" if request.query_string else ""))
    return "\n".join([request.method, target, request.get_data(as_text=True),
                      request.headers.get("X-Timestamp", "")])


def refusal(emu: EmulatorApp) -> str | None:
    """Why the request's signature is refused (None: accepted): known key, fresh timestamp, valid HMAC."""
    if not secrets.compare_digest(request.headers.get("X-Client-Key", ""), CREDENTIALS["client_key"]):
        return "unknown X-Client-Key"
    if not fresh_timestamp(request.headers.get("X-Timestamp"), window=SIGNATURE_WINDOW):
        return f"X-Timestamp is missing or more than {SIGNATURE_WINDOW} s off"
    if not verify_hmac(CREDENTIALS["secret_key"], signed_message(), request.headers.get("X-Signature")):
        return "X-Signature does not match the request"
    return None
{%- endif %}


def new_emulator() -> EmulatorApp:
    """The toolkit's app with this API's auth check, rate limit and state (``app.config["EMULATOR"]``)."""
    emu = EmulatorApp(__name__)
    emu.limit("*", requests=40, per_seconds=1)  # the platform's limit: 429 with Retry-After when spent
{%- if cookiecutter.auth == "oauth2_client_credentials" %}
    emu.oauth2({CREDENTIALS["client_id"]: CREDENTIALS["client_secret"]}, path=TOKEN_PATH, ttl=TOKEN_TTL)
{%- endif %}

    @emu.app.before_request
    def authenticate():
        if request.path.startswith(emu.hooks_prefix):
            return None
        reason = refusal(emu)
        return json_error(401, reason) if reason else None

    return emu

{% if cookiecutter.kind == "marketplace" %}
MAX_PAGE_SIZE = 50
OUTCOMES = ("REFUND", "REJECT", "REPAIR", "EXCHANGE", "CANCEL")
# every reason the emulator can send: the enum of items[].reason in openapi.json
RETURN_REASONS = ("TOO_SMALL", "TOO_LARGE", "DEFECTIVE", "NOT_AS_DESCRIBED", "UNWANTED")


def create_app(demo: bool = False) -> Flask:
    """The example API; ``demo`` seeds 12 returns. ``app.config["EMULATOR"]`` is its state."""
    emu = new_emulator()
    app = emu.app
    state = app.config["EMULATOR"] = {"returns": [], "decisions": {}, "lock": threading.Lock()}
    if demo:
        seed(app, 12)

    @app.get("/returns")
    def list_returns():
        rows = sorted(state["returns"], key=lambda r: (r["updated_at"], r["id"]))
        since = request.args.get("updated_from")
        if since:
            try:
                moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            except ValueError:
                return json_error(400, f"updated_from is not an ISO 8601 time: {since!r}")
            if moment.tzinfo is None:
                return json_error(400, "updated_from needs a time zone")
            rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= moment]
        try:
            size = int(request.args.get("page_size", MAX_PAGE_SIZE))
            if not 1 <= size <= MAX_PAGE_SIZE:
                raise BadPagingValue(f"page_size must be 1 to {MAX_PAGE_SIZE}")
            return jsonify(page_number_envelope(rows, request.args.get("page", 1), size, key="returns"))
        except (BadPagingValue, ValueError) as exc:
            return json_error(400, str(exc))

    @app.put("/returns/<return_id>/lines/<line_id>")
    def decide(return_id, line_id):
        found = next((r for r in state["returns"] if r["id"] == return_id), None)
        item = next((i for i in (found or {}).get("items", []) if i["id"] == line_id), None)
        if item is None:
            return json_error(404, f"no line {line_id} in return {return_id}")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("outcome") not in OUTCOMES:
            return json_error(422, f"outcome must be one of {', '.join(OUTCOMES)}")
        quantity = body.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= item["quantity"]:
            return json_error(422, f"quantity must be a whole number from 0 to {item['quantity']}")
        with state["lock"]:
            earlier = state["decisions"].get((return_id, line_id))
            if earlier is not None:  # the same decision again is fine (a retry); a different one is refused
                if earlier == {"outcome": body["outcome"], "quantity": quantity}:
                    return jsonify(status="recorded", **earlier), 200
                return json_error(409, "line already decided")
            state["decisions"][(return_id, line_id)] = {"outcome": body["outcome"], "quantity": quantity}
        return jsonify(status="recorded", outcome=body["outcome"], quantity=quantity), 201

    return app


def seed(app, count: int) -> None:
    """Add ``count`` realistic returns of one or two lines, created in the last ``count`` minutes."""
    state = app.config["EMULATOR"]
    with state["lock"]:
        start = len(state["returns"]) + 1
        now = clock.now().replace(microsecond=0)
        for n in range(start, start + count):
            at = (now - timedelta(minutes=start + count - n)).isoformat()
            state["returns"].append({
                "id": f"RET-{n}", "order_id": f"ORD-{1000 + n}", "created_at": at, "updated_at": at,
                "customer": {"name": f"Customer {n}", "email": f"customer{n}@example.com"},
                "items": [{"id": f"RET-{n}-{i}", "sku": f"SKU-{i}", "ean": f"87{n:05d}{i:05d}0",
                           "title": f"Article {i}", "quantity": 1 + n % 2,
                           "reason": RETURN_REASONS[(n + i) % len(RETURN_REASONS)],
                           "price": "24.95", "currency": "EUR"} for i in range(1, 2 + n % 2)]})


def pushed(app, return_id: str) -> dict[str, str]:
    """The outcomes the emulator recorded for a return, by line id."""
    decisions = app.config["EMULATOR"]["decisions"]
    return {line: d["outcome"] for (rid, line), d in decisions.items() if rid == return_id}


def demo_orders(app) -> list[dict]:
    """The orders behind the seeded returns, for the demo shop (``Emulator.demo_orders``):
    ``[{"order_id", "lines": [{"sku", "ean", "title", "quantity"}]}]``."""
    return [{"order_id": r["order_id"], "lines": [{"sku": i["sku"], "ean": i["ean"], "title": i["title"],
                                                   "quantity": i["quantity"]} for i in r["items"]]}
            for r in app.config["EMULATOR"]["returns"]]
{% else %}
OUTCOMES = ("refund", "decline", "repair", "exchange", "keep", "cancel")


def create_app(demo: bool = False) -> Flask:
    """The example API; ``demo`` seeds 12 orders. ``app.config["EMULATOR"]`` is its state."""
    emu = new_emulator()
    app = emu.app
    state = app.config["EMULATOR"] = {"orders": {}, "returns": {}, "lock": threading.Lock()}
    if demo:
        seed_orders(app, [{"order_id": f"ORD-{1000 + n}", "lines": []} for n in range(1, 13)])

    @app.get("/orders")
    def orders():
        found = state["orders"].get(request.args.get("number", ""))
        return jsonify(orders=[found] if found else [])

    @app.get("/returns")
    def returns():
        if "reference" in request.args:
            reference = request.args["reference"]
            return jsonify(returns=[r for r in state["returns"].values() if r["reference"] == reference])
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        return jsonify(returns=[state["returns"][i] for i in ids if i in state["returns"]])

    @app.post("/returns")
    def create():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.get("reference") or not isinstance(body.get("lines"), list) \
                or not body["lines"]:
            return json_error(422, "reference, order_id and at least one line are required")
        if body.get("order_id") not in {o["id"] for o in state["orders"].values()}:
            return json_error(404, f"no order {body.get('order_id')!r}")
        if any(not isinstance(line.get("quantity"), int) or line["quantity"] < 1 for line in body["lines"]):
            return json_error(422, "every line needs a quantity of at least 1")
        outcome = "refund" if body.get("accepted") else None
        with state["lock"]:
            return_id = f"SR-{len(state['returns']) + 1}"
            state["returns"][return_id] = {
                "id": return_id, "reference": body["reference"], "order_id": body["order_id"],
                "lines": {line["line"]: {"quantity": line["quantity"], "outcome": outcome} for line in body["lines"]}}
        return jsonify(state["returns"][return_id]), 201

    return app


def seed_orders(app, orders: list[dict]) -> None:
    """Add orders (``[{"order_id", "lines": [{"sku", "ean", "title", "quantity"}]}]``, as a marketplace
    emulator's ``demo_orders`` gives them; the demo's ``Emulator.seed_orders``)."""
    for order in orders:
        app.config["EMULATOR"]["orders"][order["order_id"]] = {"id": f"SO-{order['order_id']}",
                                                               "number": order["order_id"]}


def decide(app, return_id: str, outcome: str) -> None:
    """Play the merchant: set ``outcome`` on every line of a return."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    for line in app.config["EMULATOR"]["returns"][return_id]["lines"].values():
        line["outcome"] = outcome
{% endif %}

def settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator running at ``url``."""
    return {"base_url": url, **CREDENTIALS}


def main() -> None:
    """``python -m {{ cookiecutter.__package }}.emulator``: serve the emulator on port 8765 (demo data)."""
    create_app(demo=True).run(host="127.0.0.1", port=8765)


if __name__ == "__main__":
    main()
