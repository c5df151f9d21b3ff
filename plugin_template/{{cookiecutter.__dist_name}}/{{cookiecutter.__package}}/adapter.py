{%- set cls = cookiecutter.__class_name -%}
"""The {{ cookiecutter.platform_name }} {{ cookiecutter.kind }} adapter: the platform's data in the hub's canonical shape."""
from __future__ import annotations

{% if cookiecutter.kind == "marketplace" -%}
from datetime import timedelta

{% endif -%}
from marshmallow import Schema, fields

{% if cookiecutter.kind == "marketplace" -%}
from hub.adapters import Marketplace
from hub.model import Page, Quarantined
from hub.sdk.cursor import IncrementalCursor, iso
from hub.sdk.paging import PageNumberPaginator
{%- else -%}
from hub.adapters import Shop
from hub.model import Decision, LineDecision, ReturnDecisions
{%- endif %}
from {{ cookiecutter.__package }}.client import Client


class {{ cls }}Settings(Schema):
    """The connection form. Mark credentials load_only + secret: encrypted at rest, never shown back."""

    base_url = fields.Url(required=True, require_tld=False, metadata={"label": "API base URL"})
{%- if cookiecutter.auth == "api_key" %}
    api_key = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "API key"})
{%- elif cookiecutter.auth == "bearer_token" %}
    access_token = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "Access token"})
{%- elif cookiecutter.auth == "basic" %}
    username = fields.String(required=True, metadata={"label": "User name"})
    password = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "Password"})
{%- elif cookiecutter.auth == "oauth2_client_credentials" %}
    client_id = fields.String(required=True, metadata={"label": "Client id"})
    client_secret = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "Client secret"})
{%- else %}
    client_key = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "Client key"})
    secret_key = fields.String(required=True, load_only=True, metadata={"secret": True, "label": "Secret key"})
{%- endif %}

{% if cookiecutter.kind == "marketplace" %}
# The platform's word for each hub decision it accepts (the manifest lists the same decisions).
OUTCOMES = {"accepted": "REFUND", "rejected": "REJECT", "repaired": "REPAIR", "exchanged": "EXCHANGE",
            "cancelled": "CANCEL"}
DECISIONS = {outcome: decision for decision, outcome in OUTCOMES.items()}
PAGE_SIZE = 50  # the largest page the platform gives


class {{ cls }}Marketplace(Marketplace):
    """Returns come in page by page since the last poll; decisions go back one line at a time."""

    slug = "{{ cookiecutter.slug }}"
    title = "{{ cookiecutter.platform_name }}"
    settings_schema = {{ cls }}Settings

    @property
    def client(self) -> Client:
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = Client(self.ctx, self.settings)
        return self.ctx.memo["client"]

    def close(self) -> None:
        client = self.ctx.memo.pop("client", None)
        if client is not None:
            client.close()

    def check(self) -> None:
        self.client.request("GET", "/returns", params={"page": 1, "page_size": 1})

    def fetch_returns(self, cursor: str | None) -> Page:
        """One page of the returns created or updated since the last poll (hub.sdk.cursor.IncrementalCursor)."""
        cur = IncrementalCursor.load(cursor, overlap=timedelta(minutes=10))
        pager = PageNumberPaginator(cur.page, page_size=PAGE_SIZE, size_param="page_size", total_pages="pages")
        params = {"updated_from": iso(cur.since)} if cur.since else {}
        response = self.client.request("GET", "/returns", params={**params, **pager.params()})
        rows = response.json()["returns"]
        fresh = cur.fresh(rows, external_id=lambda r: str(r["id"]), updated=lambda r: r["updated_at"])
        pager.advance(response, rows)
        cur.advance(pager)
        return Page(items=[self.mapped(r) for r in fresh], cursor=cur.dump(), more=cur.more)

    def mapped(self, r: dict):
        """The canonical dict, or a Quarantined item (with the reason) when the record cannot be mapped."""
        try:
            return self.canonical(r)
        except (KeyError, TypeError, ValueError) as exc:
            return Quarantined(f"cannot map return: {type(exc).__name__}: {exc}", r, external_id=r.get("id"))

    @staticmethod
    def canonical(r: dict) -> dict:
        """One platform return as the canonical dict (hub.model.ReturnSchema); external_id must be stable."""
        return {
            "external_id": r["id"], "marketplace_order_id": r["order_id"], "requested_at": r["created_at"],
            "customer": {"name": r["customer"]["name"], "email": r["customer"]["email"]},
            "lines": [{"external_line_id": item["id"], "sku": item["sku"], "ean": item.get("ean"),
                       "title": item["title"], "quantity": item["quantity"], "reason_code": item.get("reason"),
                       "unit_price": item["price"], "currency": item["currency"]} for item in r["items"]],
        }

    def push_decision(self, ret, lines) -> None:
        for line in lines:
            self.client.call("PUT", f"/returns/{ret.external_id}/lines/{line.external_line_id}",
                             body={"outcome": OUTCOMES[line.decision.value],
                                   "quantity": line.quantity if line.decision_quantity is None
                                   else line.decision_quantity})
{% else %}
# The shop's word for each hub decision (the manifest lists the same decisions).
OUTCOMES = {"accepted": "refund", "rejected": "decline", "repaired": "repair", "exchanged": "exchange",
            "kept": "keep", "cancelled": "cancel"}
DECISIONS = {outcome: Decision(decision) for decision, outcome in OUTCOMES.items()}


class {{ cls }}Shop(Shop):
    """Finds the order, creates the return once (looked up by the hub's reference), reads decisions."""

    slug = "{{ cookiecutter.slug }}"
    title = "{{ cookiecutter.platform_name }}"
    settings_schema = {{ cls }}Settings

    @property
    def client(self) -> Client:
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = Client(self.ctx, self.settings)
        return self.ctx.memo["client"]

    def close(self) -> None:
        client = self.ctx.memo.pop("client", None)
        if client is not None:
            client.close()

    def check(self) -> None:
        self.client.call("GET", "/orders", params={"number": "-"})

    def find_order(self, ret) -> str | None:
        orders = self.client.call("GET", "/orders", params={"number": ret.marketplace_order_id})["orders"]
        return orders[0]["id"] if orders else None

    def create_return(self, ret, *, accepted: bool = False) -> str:
        earlier = self.client.call("GET", "/returns", params={"reference": ret.reference})["returns"]
        if earlier:
            return earlier[0]["id"]
        return self.client.call("POST", "/returns", body={
            "reference": ret.reference, "order_id": ret.shop_order_id, "accepted": accepted,
            "lines": [{"line": line.external_line_id, "quantity": line.quantity} for line in ret.lines]})["id"]

    def fetch_decisions(self, open_returns, since):
        by_id = {r.shop_return_id: r for r in open_returns if r.shop_return_id}
        if not by_id:
            return []
        records = self.client.call("GET", "/returns", params={"ids": ",".join(by_id)})["returns"]
        reports = []
        for record in records:
            lines = [LineDecision(external_line_id=line_id, decision=DECISIONS.get(line["outcome"]),
                                  quantity=line["quantity"], raw=line["outcome"])
                     for line_id, line in record["lines"].items() if line["outcome"]]
            if lines:
                reports.append(ReturnDecisions(return_id=by_id[record["id"]].id, lines=lines))
        return reports
{% endif -%}
