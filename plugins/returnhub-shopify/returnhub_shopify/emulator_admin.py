"""The emulator's "Shopify admin" page: a person plays the merchant on the returns (demo).

``GET /`` lists orders and returns with buttons for the merchant's actions; each button posts a
form that runs the same action as the ``/_emulator/`` test hooks (so webhooks go out alike) and
comes back to the page. Loopback demo tool: no sign-in, like the rest of the emulator.
"""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from returnhub_shopify.emulator import ALLOWED, DECLINE_REASONS

bp = Blueprint("shopify_emulator_admin", __name__, template_folder="templates")

DEFAULT_TAGS = ["returnhub:repaired", "returnhub:kept"]


def _store():
    return current_app.config["STORE"]


@bp.get("/")
def page():
    from returnhub_shopify.emulator import SHOP_DOMAIN, gid
    store = _store()
    with store.lock:
        returns = []
        for r in sorted(store.returns.values(), key=lambda r: r["id"], reverse=True):
            order = store.orders[r["order"]]
            actions = [a for a, where in ALLOWED.items()
                       if r["status"] in where and not (a == "cancel" and r["refunds"])]
            returns.append({
                "num": r["id"], "gid": gid("Return", r["id"]), "name": r["name"], "status": r["status"],
                "order_num": order["id"], "order_name": order["name"], "order_tags": list(order["tags"]),
                "decline": r["decline"], "refunds": len(r["refunds"]), "exchanges": len(r["exchange"]),
                "lines": [{"quantity": li["quantity"], "refundedQuantity": li["refundedQuantity"],
                           "sku": _sku(order, li["fli"]), "note": li["customerNote"] or li["returnReasonNote"]}
                          for li in r["lines"]],
                "actions": actions})
        orders = [{"name": o["name"], "tags": list(o["tags"]), "lines": o["lines"]}
                  for o in sorted(store.orders.values(), key=lambda o: o["id"], reverse=True)]
        deliveries = list(reversed(store.deliveries[-10:]))
        webhook_url, subscriptions = store.webhook["url"], len(store.subscriptions)
    return render_template(
        "shopify_merchant.html", shop=SHOP_DOMAIN, returns=returns, orders=orders, deliveries=deliveries,
        webhook_url=webhook_url, subscriptions=subscriptions, reasons=sorted(DECLINE_REASONS), tags=DEFAULT_TAGS,
        msg=request.args.get("msg"), ok=request.args.get("ok") == "1")


def _sku(order: dict, fli: int) -> str | None:
    return next((li["sku"] for li in order["lines"] if li["fli"] == fli), None)


@bp.post("/_merchant/returns/<int:num>/<action>")
def act(num, action):
    spec = {k: v for k, v in request.form.items() if v.strip()}
    view, error, _ = current_app.config["MERCHANT_ACT"](num, action, spec)
    msg = f"{view['name']}: {action} done" if view else f"Shopify refused {action}: {error}"
    return redirect(url_for(".page", msg=msg, ok="1" if view else "0"), code=303)


@bp.post("/_merchant/orders/<int:num>/tags")
def tag(num):
    add, remove = request.form.getlist("add"), request.form.getlist("remove")
    view = current_app.config["MERCHANT_TAG"](num, add, remove)
    msg = f"order {view['name']} tags: {', '.join(view['tags'])}" if view else "no such order"
    return redirect(url_for(".page", msg=msg, ok="1" if view else "0"), code=303)
