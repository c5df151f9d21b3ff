"""A Magento 1 / OpenMage store on loopback answering SOAP v2 per the shipped WSDL (zeep builds and reads every
message): login/sessions (faults 2 and 5), salesOrderList/Info/AddComment (fault 100 for an unknown order),
salesOrderCreditmemoList/Info, HTML in maintenance mode and outside the API, ``/_emulator`` merchant hooks."""
from __future__ import annotations

import io
import re

from flask import Response, jsonify, request
from lxml import etree

from hub.testing.emulation import EmulatorApp
from returnhub_magento1 import wsdl_client
from returnhub_magento1.emulator_store import API_KEY, API_USER, MagentoFault, Store, matches
from returnhub_magento1.soap import ENDPOINT

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
HTML = "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"


def emulator_settings(url: str) -> dict:
    """Connection settings that point the adapter at an emulator."""
    return {"store_url": url, "api_user": API_USER, "api_key": API_KEY}


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=UTF-8")


def fault(code: str, message: str) -> Response:
    """A SOAP 1.1 fault as PHP's SoapServer sends it (HTTP 500)."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV})
    f = etree.SubElement(etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(f, "faultcode").text = code
    etree.SubElement(f, "faultstring").text = message
    return _xml(etree.tostring(env, xml_declaration=True, encoding="UTF-8"), 500)


def answer(operation: str, value) -> Response:
    """``value`` as the operation's output message, serialised by zeep from the WSDL."""
    op = wsdl_client.operation(operation)
    part = next(iter(op.output.abstract.parts))
    empty = isinstance(value, list) and not value
    envelope = op.output.serialize(**{part: [{}] if empty else value}).content
    if empty:  # zeep cannot render an empty soapenc array: render one entry, then drop it
        for node in envelope.iter(part):
            for child in list(node):
                node.remove(child)
    return _xml(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def fields_of(type_name: str) -> set[str]:
    """The element names of a WSDL type (PHP's SoapServer leaves out whatever the WSDL does not declare)."""
    return {name for name, _ in wsdl_client.client().get_type(f"{{{wsdl_client.NAMESPACE}}}{type_name}").elements}


def fit(record: dict, type_name: str) -> dict:
    return {k: v for k, v in record.items() if k in fields_of(type_name) and v is not None and v != []}


def _item_view(order: dict) -> dict:
    return fit(order, "salesOrderListEntity")


def _memo_view(memo: dict, with_items: bool) -> dict:
    return fit(memo if with_items else {k: v for k, v in memo.items() if k != "items"},
               "salesOrderCreditmemoEntity")


def handle(store: Store, operation: str, args: dict) -> Response:
    """One SOAP call on the store."""
    if operation == "login":
        return answer("login", store.login(args.get("username"), args.get("apiKey")))
    if operation == "endSession":
        store.sessions.discard(args.get("sessionId"))
        return answer("endSession", True)
    store.check(args.get("sessionId"))
    if operation == "salesOrderList":
        return answer(operation, [_item_view(o) for o in store.orders.values() if matches(o, args.get("filters"))])
    if operation == "salesOrderInfo":
        return answer(operation, fit(store.order(str(args.get("orderIncrementId"))), "salesOrderEntity"))
    if operation == "salesOrderAddComment":
        return answer(operation, store.add_comment(str(args.get("orderIncrementId")), args.get("status"),
                                                   args.get("comment") or "", str(args.get("notify")) == "1"))
    if operation == "salesOrderCreditmemoList":
        memos = [m for m in store.creditmemos.values() if matches(m, args.get("filters"))]
        return answer(operation, [_memo_view(m, False) for m in memos])
    if operation == "salesOrderCreditmemoInfo":
        memo = store.creditmemos.get(str(args.get("creditmemoIncrementId")))
        if memo is None:
            raise MagentoFault("100", "Requested credit memo does not exist")
        return answer(operation, _memo_view(memo, True))
    raise MagentoFault("3", "Invalid api path.")  # an operation the emulator does not play (none Returnhub uses)


def create_app(demo: bool = False):
    """The emulator's Flask app (``app.config["STORE"]`` is its :class:`Store`); ``demo`` seeds a few orders."""
    emu = EmulatorApp(__name__)
    app, store = emu.app, Store()
    app.config["STORE"] = store
    if demo:
        for n in range(1, 4):
            store.add_order({"increment_id": f"10000000{n}", "lines": [{"sku": "TSHIRT-BLK-M", "qty": 1},
                                                                      {"sku": "MUG-WHT-350", "qty": 2}]})
    _lose_answers(emu, store)

    @app.get(ENDPOINT)
    def wsdl():
        if "wsdl" not in request.args:
            return HTML.format(title="Invalid webservice adapter"), 200, {"Content-Type": "text/html"}
        return _xml(wsdl_client.WSDL.read_bytes())

    @app.post(ENDPOINT)
    def soap():
        if store.maintenance:
            return HTML.format(title="Service Temporarily Unavailable"), 503, {"Content-Type": "text/html"}
        try:
            envelope = etree.fromstring(request.get_data())
            body = envelope.find(f"{{{SOAP_ENV}}}Body")
            call = body[0]
            operation = etree.QName(call).localname
            op = wsdl_client.operation(operation)
        except (etree.XMLSyntaxError, TypeError, IndexError, KeyError, AttributeError):
            return fault("Client", "looks like we got no XML document")
        args = op.input.deserialize(envelope)
        args = dict(args) if isinstance(args, dict) else {k: getattr(args, k) for k in args}
        try:
            return handle(store, operation, _plain(args))
        except MagentoFault as exc:
            return fault(exc.code, exc.message)

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def storefront(path):
        """Anything outside the API is the storefront: an HTML page, as a wrong store URL gets."""
        return HTML.format(title="Madison Island"), 200, {"Content-Type": "text/html; charset=UTF-8"}

    _hooks(emu, store)
    return app


def _plain(value):
    from zeep.helpers import serialize_object
    return serialize_object(value, dict)


def _lose_answers(emu: EmulatorApp, store: Store) -> None:
    """``store.drops[operation] = n``: the next n calls of ``operation`` are committed, then the connection
    is shut without an answer (a lost response), through the kit's fault injector."""
    inner = emu.faults.app

    def wsgi(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and store.drops:
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            for name, left in list(store.drops.items()):
                if left > 0 and re.search(rb"<(\w+:)?" + name.encode() + rb"[\s>]", body):
                    store.drops[name] = left - 1
                    from hub.testing.emulation.faults import Seen
                    return emu.faults._commit_then_drop(environ, Seen(0.0, "POST", environ["PATH_INFO"]))
        return inner(environ, start_response)

    emu.faults.app = wsgi


def _hooks(emu: EmulatorApp, store: Store) -> None:
    """``/_emulator`` test hooks: seed orders, play the merchant, expire sessions, maintenance mode."""
    app, prefix = emu.app, emu.hooks_prefix

    @app.post(f"{prefix}/orders")
    def seed_order():
        return jsonify(store.add_order(request.get_json(force=True) or {})), 201

    @app.post(f"{prefix}/orders/<increment_id>/comments")
    def merchant_comment(increment_id):
        body = request.get_json(force=True) or {}
        return jsonify(store.add_comment(increment_id, body.get("status"), body.get("comment", "")))

    @app.post(f"{prefix}/orders/<increment_id>/creditmemos")
    def merchant_refund(increment_id):
        return jsonify(store.refund(increment_id, (request.get_json(force=True) or {}).get("qtys")))

    @app.post(f"{prefix}/config")
    def config():
        body = request.get_json(force=True) or {}
        if "maintenance" in body:
            store.maintenance = bool(body["maintenance"])
        if body.get("expire_sessions"):
            store.expire_sessions()
        for name, count in (body.get("drop") or {}).items():
            store.drops[name] = int(count)
        return jsonify(maintenance=store.maintenance, sessions=len(store.sessions))


def seed_orders(app, orders: list[dict]) -> None:
    """Make marketplace orders exist in the store, findable by the increment id and by ``ext_order_id``."""
    store: Store = app.config["STORE"]
    for spec in orders:
        store.add_order({"increment_id": spec["order_id"], "ext_order_id": spec["order_id"],
                         "lines": [{"sku": line.get("sku"), "name": line.get("title"), "qty": line.get("quantity")
                                    or 1} for line in spec["lines"]]})
