"""A page of the Lightspeed emulator where a person plays the merchant in the demo: see the orders with the
returns Returnhub wrote into their memo, set a custom status, or add a return record (webhooks are sent)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template_string, request

bp = Blueprint("lightspeed_emulator_admin", __name__)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lightspeed eCom emulator</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem} table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top} pre{margin:0;white-space:pre-wrap}
form{display:inline-block;margin-right:.5rem}</style></head><body>
<h1>Lightspeed eCom emulator</h1>
<p>You are the merchant. Returnhub writes each return into the order's memo; decide it with a custom status mapped
in the connection, or add a return record.</p>
<table><tr><th>Order</th><th>Custom status</th><th>Memo</th><th>Merchant actions</th></tr>
{% for o in orders %}<tr><td>{{ o.id }} ({{ o.number }})</td><td>{{ names.get(o.customStatusId, '-') }}</td>
<td><pre>{{ o.memo }}</pre></td><td>
<form method="post" action="/_merchant/orders/{{ o.id }}/status"><select name="status">
{% for i, t in statuses %}<option value="{{ i }}" {{ 'selected' if i == o.customStatusId }}>{{ i }} {{ t }}</option>
{% endfor %}</select><button>Set status</button></form>
<form method="post" action="/_merchant/orders/{{ o.id }}/returns"><select name="status">
{% for s in return_statuses %}<option>{{ s }}</option>{% endfor %}</select><button>Add return</button></form>
</td></tr>{% endfor %}</table></body></html>"""


@bp.get("/")
def page():
    from returnhub_lightspeed.emulator import CUSTOM_STATUSES, RETURN_STATUSES
    shop = current_app.config["SHOP"]
    with shop.lock:
        orders = sorted(shop.orders.values(), key=lambda o: o["id"], reverse=True)
    return render_template_string(PAGE, orders=orders, statuses=CUSTOM_STATUSES, return_statuses=RETURN_STATUSES,
                                  names={i: f"{i} {t}" for i, t in CUSTOM_STATUSES})


@bp.post("/_merchant/orders/<int:oid>/status")
def set_status(oid):
    client = current_app.test_client()
    client.post(f"/_emulator/orders/{oid}/status", json={"customStatusId": int(request.form["status"])})
    return redirect("/", 303)


@bp.post("/_merchant/orders/<int:oid>/returns")
def add_return(oid):
    current_app.test_client().post(f"/_emulator/orders/{oid}/returns", json={"status": request.form["status"]})
    return redirect("/", 303)
