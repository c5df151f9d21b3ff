"""A page of the Mijnwebwinkel emulator where a person plays the merchant in the demo: see the orders with
the returns Returnhub wrote onto them, set an order status, make a credit order."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template_string, request

bp = Blueprint("mijnwebwinkel_emulator_admin", __name__)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mijnwebwinkel emulator</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem} table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top} pre{margin:0;white-space:pre-wrap}
form{display:inline-block;margin-right:.5rem}</style></head><body>
<h1>Mijnwebwinkel emulator</h1>
<p>You are the merchant. Returnhub writes each return into the order's internal comment; decide it by giving the
order a status mapped in the connection, or make a credit order.</p>
<table><tr><th>Order</th><th>Status</th><th>Internal comment</th><th>Merchant actions</th></tr>
{% for o in orders %}<tr><td>{{ o.number }}{% if o.credited_order_number %}<br><small>credits
{{ o.credited_order_number }}</small>{% endif %}</td><td>{{ names.get(o.status, o.status) }}</td>
<td><pre>{{ o.comments.get('internal', '') }}</pre></td><td>{% if not o.credited_order_number %}
<form method="post" action="/_merchant/orders/{{ o.number }}/status"><select name="status">
{% for s in statuses if not s.credit_order %}<option value="{{ s.status }}" {{ 'selected' if s.status == o.status
}}>{{ s.status }} {{ s.description }}</option>{% endfor %}</select><button>Set status</button></form>
<form method="post" action="/_merchant/orders/{{ o.number }}/credit"><button>Credit order</button></form>
{% endif %}</td></tr>{% endfor %}</table></body></html>"""


@bp.get("/")
def page():
    store = current_app.config["STORE"]
    with store.lock:
        orders = sorted(store.orders.values(), key=lambda o: o["number"], reverse=True)
    return render_template_string(PAGE, orders=orders, statuses=store.statuses,
                                  names={s["status"]: f"{s['status']} {s['description']}" for s in store.statuses})


@bp.post("/_merchant/orders/<int:number>/status")
def set_status(number):
    store = current_app.config["STORE"]
    status = int(request.form["status"])
    if number in store.orders and store.status(status) and not store.status(status)["credit_order"]:
        store.set_status(store.orders[number], status)
    return redirect("/", 303)


@bp.post("/_merchant/orders/<int:number>/credit")
def credit(number):
    store = current_app.config["STORE"]
    if number in store.orders and not store.orders[number].get("credited_order_number"):
        store.credit(number)
    return redirect("/", 303)
