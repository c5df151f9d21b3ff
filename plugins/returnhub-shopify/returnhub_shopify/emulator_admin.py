"""The emulator's "Shopify admin" page: a person plays the merchant on the returns (demo).

``GET /`` lists orders and returns with buttons for the merchant's actions; each button posts a
form that runs the same action as the ``/_emulator/`` test hooks (so webhooks go out alike) and
comes back to the page. Loopback demo tool: no sign-in, like the rest of the emulator.
"""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template_string, request, url_for

from returnhub_shopify.emulator import DECLINE_REASONS

bp = Blueprint("shopify_emulator_admin", __name__)

DEFAULT_TAGS = ["returnhub:repaired", "returnhub:kept"]
ACTIONS = {  # what a merchant can do in each status, as the admin offers it
    "REQUESTED": ["approve", "decline", "cancel"],
    "OPEN": ["refund", "exchange", "close", "cancel"],
    "CLOSED": ["reopen", "refund"],
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shopify emulator — returns</title>
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#202223}
 table{border-collapse:collapse;width:100%;margin-bottom:1.5rem} th,td{border-bottom:1px solid #ddd;padding:.4rem;
 text-align:left;vertical-align:top} th{background:#f6f6f7} form{display:inline-block;margin:0 .25rem .25rem 0}
 .status{font-weight:600} .msg{padding:.5rem;background:#fff4e5;border:1px solid #f0c36d;margin-bottom:1rem}
 .ok{background:#e3f1df;border-color:#95c9b4} small{color:#6d7175} button{cursor:pointer}
</style></head><body>
<h1>Shopify emulator <small>{{ shop }}</small></h1>
<p>You are the merchant. Decide the returns below; Returnhub reads the decision by webhook (when a
webhook target is set) or by its decision poll.</p>
{% if msg %}<div class="msg {{ 'ok' if ok else '' }}">{{ msg }}</div>{% endif %}
<h2>Returns</h2>
{% if not returns %}<p>No returns yet: Returnhub creates them here once it has imported them from a
marketplace.</p>{% else %}
<table><tr><th>Return</th><th>Order</th><th>Status</th><th>Lines</th><th>Merchant actions</th></tr>
{% for r in returns %}
<tr><td>{{ r.name }}<br><small>{{ r.gid }}</small></td>
<td>{{ r.order_name }}<br><small>tags: {{ r.order_tags|join(', ') or '—' }}</small></td>
<td class="status">{{ r.status }}
 {% if r.decline %}<br><small>{{ r.decline.reason }}
 {% if r.decline.note %}: {{ r.decline.note }}{% endif %}</small>{% endif %}
 {% if r.refunds %}<br><small>{{ r.refunds }} refund(s)</small>{% endif %}
 {% if r.exchanges %}<br><small>{{ r.exchanges }} exchange line(s)</small>{% endif %}</td>
<td>{% for li in r.lines %}{{ li.quantity }}× {{ li.sku or 'item' }}{% if li.refundedQuantity %}
 (refunded {{ li.refundedQuantity }}){% endif %}<br><small>{{ li.note }}</small><br>{% endfor %}</td>
<td>
{% for action in r.actions %}
 {% if action == 'decline' %}
 <form method="post" action="{{ url_for('shopify_emulator_admin.act', num=r.num, action='decline') }}">
  <select name="reason">{% for reason in reasons %}<option>{{ reason }}</option>{% endfor %}</select>
  <input name="note" placeholder="note to the customer" size="16"><button>Decline</button></form>
 {% elif action == 'exchange' %}
 <form method="post" action="{{ url_for('shopify_emulator_admin.act', num=r.num, action='exchange') }}">
  <input name="sku" placeholder="new SKU" size="10"><button>Exchange (processed)</button></form>
 {% else %}
 <form method="post" action="{{ url_for('shopify_emulator_admin.act', num=r.num, action=action) }}">
  <button>{{ action|capitalize }}</button></form>
 {% endif %}
{% endfor %}
{% for tag in tags %}{% if tag not in r.order_tags %}
 <form method="post" action="{{ url_for('shopify_emulator_admin.tag', num=r.order_num) }}">
  <input type="hidden" name="add" value="{{ tag }}"><button>Tag order {{ tag }}</button></form>
{% else %}
 <form method="post" action="{{ url_for('shopify_emulator_admin.tag', num=r.order_num) }}">
  <input type="hidden" name="remove" value="{{ tag }}"><button>Untag {{ tag }}</button></form>
{% endif %}{% endfor %}
</td></tr>
{% endfor %}</table>{% endif %}
<p><small>Tag the order <em>before</em> refunding or closing: a tag change sends no webhook.</small></p>
<h2>Webhooks</h2>
<p>Target: {{ webhook_url or 'none set (Returnhub finds decisions by polling)' }}
 · subscriptions: {{ subscriptions }} · deliveries: {{ deliveries|length }}</p>
{% if deliveries %}<table><tr><th>Topic</th><th>URL</th><th>Answer</th></tr>
{% for d in deliveries %}<tr><td>{{ d.topic }}</td><td><small>{{ d.url }}</small></td><td>{{ d.status }}</td></tr>
{% endfor %}
</table>{% endif %}
<h2>Orders</h2>
<table><tr><th>Order</th><th>Tags</th><th>Lines</th></tr>
{% for o in orders %}<tr><td>{{ o.name }}</td><td>{{ o.tags|join(', ') }}</td>
<td>{% for li in o.lines %}{{ li.quantity }}× {{ li.sku }} <small>{{ li.barcode or '' }}</small><br>{% endfor %}
</td></tr>
{% endfor %}</table>
</body></html>"""


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
            actions = [a for a in ACTIONS.get(r["status"], []) if not (a == "cancel" and r["refunds"])]
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
    return render_template_string(
        PAGE, shop=SHOP_DOMAIN, returns=returns, orders=orders, deliveries=deliveries, webhook_url=webhook_url,
        subscriptions=subscriptions, reasons=sorted(DECLINE_REASONS), tags=DEFAULT_TAGS,
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
