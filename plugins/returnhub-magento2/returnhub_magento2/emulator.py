"""A Magento 2 store on loopback (EmulatorApp): the admin REST paths Returnhub uses under /rest/<store>/V1,
both editions (Adobe Commerce with /V1/returns; Open Source answers those with 'no route'), integration
tokens as bearer tokens or OAuth 1.0a HMAC-SHA256 signatures (nonce and timestamp checked), Magento's
error bodies, HTML for a wrong URL and in maintenance mode, and ``/_emulator`` hooks to play the merchant.
The kit holds its traffic to Adobe's 2.4.9 admin schema."""
from __future__ import annotations

from flask import jsonify, request
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature

from hub.testing.emulation import EmulatorApp, fresh_timestamp
from returnhub_magento2.emulator_store import BadRequest, Store, parse_criteria, search

EMULATOR_TOKEN = "m2-integration-access-token"
EMULATOR_TOKEN_SECRET = "m2-integration-token-secret"
EMULATOR_CONSUMER_KEY = "m2-consumer-key"
EMULATOR_CONSUMER_SECRET = "m2-consumer-secret"
STORE_CODES = {"default", "all"}
V1 = "/rest/<store_code>/V1"
HTML = "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"


def emulator_settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator (bearer use of the integration token)."""
    return {"store_url": url, "access_token": EMULATOR_TOKEN}


def oauth1_settings(url: str) -> dict:
    """The same store with OAuth 1.0a-signed requests."""
    return {"store_url": url, "auth_method": "oauth1", "access_token": EMULATOR_TOKEN,
            "access_token_secret": EMULATOR_TOKEN_SECRET, "consumer_key": EMULATOR_CONSUMER_KEY,
            "consumer_secret": EMULATOR_CONSUMER_SECRET}


def _error(status: int, message: str):
    response = jsonify(message=message)
    response.status_code = status
    return response


def _clean(value):
    """Drop None values: Magento leaves unset fields out, and the schema has no nullable fields."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


class Credentials:
    """The integration: its consumer and access token; bearer use allowed or not; revocable; nonces seen."""

    def __init__(self):
        self.active = True
        self.nonces: set[tuple[str, str]] = set()

    def bearer(self, header: str, store: Store) -> str | None:
        """None when the bearer header is accepted, else why not."""
        token = header[7:].strip()
        if not store.bearer_enabled:
            return "The consumer isn't authorized to access %resources."  # bearer use is switched off
        if token != EMULATOR_TOKEN or not self.active:
            return "The consumer isn't authorized to access %resources."
        return None

    def oauth(self, header: str) -> str | None:
        """None when the OAuth 1.0a signature, timestamp and nonce are good, else why not."""
        params = signature.collect_parameters(uri_query=request.query_string.decode(),
                                              headers={"Authorization": header}, exclude_oauth_signature=False)
        oauth = {k: v for k, v in params if k.startswith("oauth_")}
        if oauth.get("oauth_signature_method") not in ("HMAC-SHA256", "HMAC-SHA1"):
            return "Signature method is not supported"
        if oauth.get("oauth_consumer_key") != EMULATOR_CONSUMER_KEY or oauth.get("oauth_token") != EMULATOR_TOKEN \
                or not self.active:
            return "The consumer isn't authorized to access %resources."
        if not fresh_timestamp(oauth.get("oauth_timestamp"), 600):
            return "oauth_timestamp is too old"
        nonce = (oauth.get("oauth_timestamp", ""), oauth.get("oauth_nonce", ""))
        if not nonce[1] or nonce in self.nonces:
            return "The nonce is already being used by the consumer"
        check = OAuthRequest(request.base_url, request.method, None, {"Authorization": header})
        check.params = [(k, v) for k, v in params if k != "oauth_signature"]
        check.signature = oauth.get("oauth_signature", "")
        verify = signature.verify_hmac_sha256 if oauth["oauth_signature_method"] == "HMAC-SHA256" else \
            signature.verify_hmac_sha1
        if not verify(check, EMULATOR_CONSUMER_SECRET, EMULATOR_TOKEN_SECRET):
            return "The signature is invalid. Verify and try again."
        self.nonces.add(nonce)
        return None


def create_app(demo: bool = False, edition: str = "commerce", bearer_enabled: bool = True):
    """The emulator's Flask app (``app.config["STORE"]`` is its :class:`Store`); ``demo`` seeds a few orders."""
    emu = EmulatorApp(__name__)
    app, store, creds = emu.app, Store(edition, bearer_enabled), Credentials()
    app.config["STORE"], app.config["CREDENTIALS"] = store, creds
    if demo:
        for n in range(1, 4):
            store.add_order({"increment_id": f"00000000{n}", "lines": [{"sku": "TSHIRT-BLK-M", "qty": 1},
                                                                      {"sku": "MUG-WHT-350", "qty": 2}]})

    @app.before_request
    def gate():
        if not request.path.startswith("/rest/"):
            return None
        if store.maintenance:
            return HTML.format(title="Service Temporarily Unavailable"), 503, {"Content-Type": "text/html"}
        code = (request.view_args or {}).get("store_code")
        if code is not None and code not in STORE_CODES:
            return _error(400, "The store that was requested wasn't found. Verify the store and try again.")
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            problem = creds.bearer(header, store)
        elif header.startswith("OAuth "):
            problem = creds.oauth(header)
        else:
            problem = "The consumer isn't authorized to access %resources."
        return _error(401, problem) if problem else None

    @app.errorhandler(BadRequest)
    def bad_request(exc):
        return _error(400, str(exc))

    def rma_module():
        if store.edition != "commerce":
            return _error(404, "Request does not match any route.")
        return None

    # -- orders --------------------------------------------------------------------------------
    @app.get(f"{V1}/orders")
    def orders(store_code):
        return jsonify(_clean(search(list(store.orders.values()), parse_criteria(request.args))))

    @app.get(f"{V1}/orders/<int:oid>")
    def order(store_code, oid):
        if oid not in store.orders:
            return _error(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        return jsonify(_clean(store.orders[oid]))

    @app.get(f"{V1}/orders/<int:oid>/comments")
    def order_comments(store_code, oid):
        if oid not in store.orders:
            return _error(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        items = store.orders[oid]["status_histories"]
        return jsonify(_clean({"items": items, "search_criteria": {"filter_groups": []}, "total_count": len(items)}))

    @app.post(f"{V1}/orders/<int:oid>/comments")
    def add_order_comment(store_code, oid):
        if oid not in store.orders:
            return _error(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        history = (request.get_json(silent=True) or {}).get("statusHistory") or {}
        if not str(history.get("comment") or "").strip():
            return _error(400, '"statusHistory.comment" is required. Enter and try again.')
        store.add_comment(oid, history["comment"], history.get("status"),
                          notified=int(history.get("is_customer_notified") or 0),
                          visible=int(history.get("is_visible_on_front") or 0))
        return jsonify(True)

    @app.get(f"{V1}/products")
    def products(store_code):
        """Products searched by their fields and custom attributes alike, as Magento's EAV search does."""
        flat = [{**{a["attribute_code"]: a["value"] for a in p["custom_attributes"]}, **p, "_sku": p["sku"]}
                for p in store.products.values()]
        found = search(flat, parse_criteria(request.args))
        found["items"] = [store.products[p["_sku"]] for p in found["items"]]
        return jsonify(_clean(found))

    @app.get(f"{V1}/creditmemos")
    def creditmemos(store_code):
        return jsonify(_clean(search(list(store.creditmemos.values()), parse_criteria(request.args))))

    # -- returns (Adobe Commerce) --------------------------------------------------------------
    @app.get(f"{V1}/returns")
    def returns(store_code):
        if (missing := rma_module()) is not None:
            return missing
        found = search(list(store.rmas.values()), parse_criteria(request.args))
        if store.list_without_comments:  # a store whose list answers leave the comments out
            found["items"] = [{**r, "comments": []} for r in found["items"]]
        return jsonify(_clean(found))

    @app.post(f"{V1}/returns")
    def create_return(store_code):
        if (missing := rma_module()) is not None:
            return missing
        body = (request.get_json(silent=True) or {}).get("rmaDataObject")
        if not isinstance(body, dict):
            return _error(400, '"rmaDataObject" is required. Enter and try again.')
        return jsonify(_clean(store.create_rma(body)))

    @app.get(f"{V1}/returns/<int:rid>")
    def get_return(store_code, rid):
        if (missing := rma_module()) is not None:
            return missing
        if rid not in store.rmas:
            return _error(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        return jsonify(_clean(store.rmas[rid]))

    @app.get(f"{V1}/returns/<int:rid>/comments")
    def return_comments(store_code, rid):
        if (missing := rma_module()) is not None:
            return missing
        if rid not in store.rmas:
            return _error(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        items = store.rmas[rid]["comments"]
        return jsonify(_clean({"items": items, "search_criteria": {"filter_groups": []}, "total_count": len(items)}))

    @app.get(f"{V1}/returnsAttributeMetadata/<code>")
    def attribute(store_code, code):
        if (missing := rma_module()) is not None:
            return missing
        if code not in store.options:
            return _error(404, f'The attribute with a "{code}" attributeCode doesn\'t exist.')
        return jsonify({"attribute_code": code, "frontend_input": "select", "input_filter": "", "store_label": code,
                        "validation_rules": [], "multiline_count": 0, "visible": True, "required": True,
                        "data_model": "", "options": store.options[code], "frontend_class": "",
                        "user_defined": False, "sort_order": 0, "frontend_label": code.title(), "note": "",
                        "system": True, "backend_type": "int"})

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def storefront(path):
        """Anything outside the REST API is the storefront: an HTML page, as a wrong store URL gets."""
        if path.startswith("rest/"):
            return _error(404, "Request does not match any route.")
        return HTML.format(title="Luma Home Page"), 200, {"Content-Type": "text/html; charset=UTF-8"}

    _hooks(emu, store, creds)
    return app


def _hooks(emu: EmulatorApp, store: Store, creds: Credentials) -> None:
    """``/_emulator`` test hooks: seed orders, play the merchant, switch the store's configuration."""
    app, prefix = emu.app, emu.hooks_prefix

    @app.post(f"{prefix}/orders")
    def seed_order():
        return jsonify(store.add_order(request.get_json(force=True) or {})), 201

    @app.post(f"{prefix}/orders/<int:oid>/comments")
    def merchant_comment(oid):
        body = request.get_json(force=True) or {}
        return jsonify(store.add_comment(oid, body.get("comment", ""), body.get("status")))

    @app.post(f"{prefix}/orders/<int:oid>/creditmemos")
    def merchant_refund(oid):
        return jsonify(store.credit_memo(oid, (request.get_json(force=True) or {}).get("items")))

    @app.post(f"{prefix}/returns/<int:rid>/decide")
    def merchant_decide(rid):
        body = request.get_json(force=True) or {}
        return jsonify(store.decide_rma(rid, body["status"], body.get("resolution")))

    @app.post(f"{prefix}/returns/<int:rid>/close")
    def merchant_close(rid):
        return jsonify(store.close_rma(rid))

    @app.delete(f"{prefix}/returns/<int:rid>")
    def merchant_delete(rid):
        store.rmas.pop(rid, None)
        return jsonify(deleted=rid)

    @app.get(f"{prefix}/state")
    def state():
        return jsonify(orders=list(store.orders.values()), returns=list(store.rmas.values()),
                       creditmemos=list(store.creditmemos.values()))

    @app.post(f"{prefix}/config")
    def config():
        body = request.get_json(force=True) or {}
        for key in ("edition", "bearer_enabled", "maintenance", "list_without_comments"):
            if key in body:
                setattr(store, key, body[key])
        if body.get("revoke_token"):
            creds.active = False
        return jsonify(edition=store.edition, bearer_enabled=store.bearer_enabled, maintenance=store.maintenance)


def seed_orders(app, orders: list[dict]) -> None:
    """Make marketplace orders exist in the store, findable by the default lookup (the increment id), with
    ``ext_order_id`` and a connector's comment carrying the marketplace order id too."""
    store: Store = app.config["STORE"]
    for spec in orders:
        store.add_order({"increment_id": spec["order_id"], "ext_order_id": spec["order_id"],
                         "extension_attributes": {"marketplace_order_id": spec["order_id"]},
                         "comments": [f"Imported from the marketplace, order {spec['order_id']}"],
                         "customer_name": spec.get("customer_name"),
                         "lines": [{"sku": line.get("sku"), "ean": line.get("ean"), "name": line.get("title"),
                                    "qty": line.get("quantity") or 1} for line in spec["lines"]]})
