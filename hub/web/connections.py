"""Connections: create and edit (forms generated from the plugins' settings schemas), Test connection,
the Returns switch, sync health and Sync now."""
from __future__ import annotations

import secrets as _secrets

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import func, select

from hub import instances
from hub.connections import settings_for_storage
from hub.db import Connection, QuarantinedItem, ReturnRow
from hub.sync.commands import sync_now
from hub.web import settings_form
from hub.web.context import hub, login_required, own_connection
from hub.web.health import check_connection, next_run

bp = Blueprint("connections", __name__, url_prefix="/connections")


@bp.route("/")
@login_required
def index():
    with hub().session() as s:
        conns = list(s.scalars(select(Connection).where(Connection.merchant_id == g.merchant_id).order_by(Connection.id)))
        ids = [c.id for c in conns] or [-1]
        counts = dict(s.execute(select(ReturnRow.connection_id, func.count()).where(
            ReturnRow.connection_id.in_(ids)).group_by(ReturnRow.connection_id)).all())
        attention = dict(s.execute(select(ReturnRow.connection_id, func.count()).where(
            ReturnRow.connection_id.in_(ids), ReturnRow.state == "needs_attention").group_by(ReturnRow.connection_id)).all())
        quarantined = dict(s.execute(select(QuarantinedItem.connection_id, func.count()).where(
            QuarantinedItem.connection_id.in_(ids),
            QuarantinedItem.resolved_at.is_(None)).group_by(QuarantinedItem.connection_id)).all())
        s.expunge_all()
    config = hub().config
    return render_template("connections/index.html", conns=conns, counts=counts, attention=attention,
                           quarantined=quarantined, registry=hub().registry,
                           next_runs={c.id: next_run(c, config) for c in conns})


def _plugin_classes(marketplace: str, shop: str):
    registry = hub().registry
    return registry.marketplaces.get(marketplace), registry.shops.get(shop)


def _labels(marketplace_cls) -> dict:
    """Shown text of the instance select: each instance's name instead of its key."""
    items = instances.instances(marketplace_cls)
    return {instances.SETTING: {i["key"]: i.get("name") or i["key"] for i in items}} if items else {}


def _render_form(conn, marketplace_cls, shop_cls, name, m_fields, s_fields, status=200, form_errors=(),
                 name_error=None, chosen=None):
    item = instances.instance(marketplace_cls, chosen)
    return render_template("connections/form.html", conn=conn, name=name, marketplace=marketplace_cls,
                           shop=shop_cls, m_fields=m_fields, s_fields=s_fields, form_errors=form_errors,
                           name_error=name_error, chosen=chosen, chosen_name=item and item.get("name")), status


def _save(conn: Connection | None, marketplace_cls, shop_cls):
    """Validate and store the submitted form: (the connection id, None), or (None, what the form needs
    to be shown again with its errors: name, name_error, m_fields, s_fields, form_errors)."""
    h = hub()
    name = (request.form.get("name") or "").strip()
    m_data = settings_form.read(marketplace_cls.settings_schema, "m", request.form)
    s_data = settings_form.read(shop_cls.settings_schema, "s", request.form)
    errors: dict[str, dict] = {"m": {}, "s": {}}
    sealed = {}
    for key, cls, data, previous in (("m", marketplace_cls, m_data, conn.marketplace_settings if conn else None),
                                     ("s", shop_cls, s_data, conn.shop_settings if conn else None)):
        try:
            sealed[key] = settings_for_storage(h, cls, data, previous)
        except ValidationError as exc:
            errors[key] = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    form_errors = []
    name_error = None
    if not name:
        name_error = gettext("Give the connection a name.")
    elif len(name) > 200:
        name_error = gettext("The name can have at most 200 characters.")
    for key, cls in (("m", marketplace_cls), ("s", shop_cls)):
        general = errors[key].pop("_schema", None)
        if general:
            form_errors.append(f"{cls.title}: {' '.join(map(str, general))}")
    if name_error or form_errors or errors["m"] or errors["s"]:
        m_fields = settings_form.build(marketplace_cls.settings_schema, "m",
                                       stored=conn.marketplace_settings if conn else None,
                                       submitted=settings_form.shown(marketplace_cls.settings_schema, m_data),
                                       errors=errors["m"], labels=_labels(marketplace_cls))
        s_fields = settings_form.build(shop_cls.settings_schema, "s", stored=conn.shop_settings if conn else None,
                                       submitted=settings_form.shown(shop_cls.settings_schema, s_data),
                                       errors=errors["s"])
        shown = ([name_error] if name_error else []) + form_errors
        return None, dict(name=name, name_error=name_error, m_fields=m_fields, s_fields=s_fields, chosen=m_data,
                          form_errors=shown or [gettext("Check the fields marked below.")])
    with h.session() as s:
        if conn is None:
            row = Connection(merchant_id=g.merchant_id, name=name, marketplace=marketplace_cls.slug,
                             shop=shop_cls.slug, returns_enabled=False, webhook_token=_secrets.token_urlsafe(24))
            s.add(row)
        else:
            row = own_connection(s, conn.id)
            row.status, row.status_reason = "active", None  # new credentials: let the next poll try them
        row.name, row.marketplace_settings, row.shop_settings = name, sealed["m"], sealed["s"]
        s.flush()
        return row.id, None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    registry = hub().registry
    source = request.form if request.method == "POST" else request.args
    chosen_value, shop_slug = source.get("marketplace") or "", source.get("shop") or ""
    marketplace_slug, _, instance_key = chosen_value.partition(":")  # "mirakl:mediamarkt" picks an instance
    marketplace_cls, shop_cls = _plugin_classes(marketplace_slug, shop_slug)
    chosen = {instances.SETTING: instance_key} if instance_key else {}
    unknown_instance = instance_key and not instances.instance(marketplace_cls, chosen)
    if marketplace_cls is None or shop_cls is None or unknown_instance:
        if request.method == "POST" or marketplace_slug or shop_slug:
            flash(gettext("Choose an installed marketplace and shop."), "error")
        return render_template("connections/choose.html", registry=registry, marketplace=chosen_value,
                               marketplace_choices=instances.choices(registry),
                               shop=shop_slug), 400 if request.method == "POST" else 200
    if request.method == "POST":
        connection_id, failed = _save(None, marketplace_cls, shop_cls)
        if failed:
            return _render_form(None, marketplace_cls, shop_cls, failed["name"], failed["m_fields"],
                                failed["s_fields"], 400, failed["form_errors"], failed["name_error"],
                                chosen=failed["chosen"])
        flash(gettext("Connection saved. Test it, then switch Returns on under “Advanced settings”."), "info")
        return redirect(url_for("connections.show", connection_id=connection_id))
    name = f"{instances.name(registry, marketplace_cls.slug, chosen)} → {shop_cls.title}"
    return _render_form(None, marketplace_cls, shop_cls, name,
                        settings_form.build(marketplace_cls.settings_schema, "m", stored=chosen,
                                            labels=_labels(marketplace_cls)),
                        settings_form.build(shop_cls.settings_schema, "s"), chosen=chosen)


@bp.route("/<int:connection_id>", methods=["GET", "POST"])
@login_required
def show(connection_id: int):
    """The connection: health, actions, instructions, its settings form and advanced settings."""
    h = hub()
    with h.session() as s:
        conn = own_connection(s, connection_id)
        counts = dict(s.execute(select(ReturnRow.state, func.count()).where(ReturnRow.connection_id == conn.id)
                                .group_by(ReturnRow.state)).all())
        quarantined = s.scalar(select(func.count()).select_from(QuarantinedItem).where(
            QuarantinedItem.connection_id == conn.id, QuarantinedItem.resolved_at.is_(None)))
        s.expunge(conn)
    marketplace_cls, shop_cls = _plugin_classes(conn.marketplace, conn.shop)
    if request.method == "POST":
        if marketplace_cls is None or shop_cls is None:
            flash(gettext("A plugin of this connection is not loaded; its settings cannot be changed now."), "error")
            return redirect(url_for("connections.show", connection_id=connection_id))
        _id, failed = _save(conn, marketplace_cls, shop_cls)
        if not failed:
            flash(gettext("Settings saved."), "info")
            return redirect(url_for("connections.show", connection_id=connection_id))
    else:
        failed = None
    form = failed or dict(
        name=conn.name, name_error=None, form_errors=(),
        m_fields=settings_form.build(marketplace_cls.settings_schema, "m", stored=conn.marketplace_settings,
                                     labels=_labels(marketplace_cls)) if marketplace_cls else [],
        s_fields=settings_form.build(shop_cls.settings_schema, "s", stored=conn.shop_settings) if shop_cls else [])
    webhook_url = None
    if shop_cls and shop_cls.webhook_decisions and conn.webhook_token:
        webhook_url = url_for("webhooks.receive", token=conn.webhook_token, _external=True)
    return render_template("connections/show.html", conn=conn, marketplace=marketplace_cls, shop=shop_cls,
                           counts=counts, quarantined=quarantined, next_run=next_run(conn, h.config),
                           webhook_url=webhook_url, **form), 400 if failed else 200


@bp.route("/<int:connection_id>/test", methods=["POST"])
@login_required
def test(connection_id: int):
    """Test connection: both adapters' check() with the stored settings; the results are shown on the page."""
    with hub().session() as s:
        conn = own_connection(s, connection_id)
        s.expunge(conn)
    for result in check_connection(hub(), conn):
        side = gettext("marketplace") if result.side == "marketplace" else gettext("shop")
        flash(gettext("%(plugin)s (%(side)s): %(message)s", plugin=result.title, side=side, message=result.message),
              "ok" if result.ok else "error")
    return redirect(url_for("connections.show", connection_id=connection_id))


@bp.route("/<int:connection_id>/returns", methods=["POST"])
@login_required
def returns_switch(connection_id: int):
    """The Returns switch: off until the merchant turns it on; on queues a first poll at once."""
    value = request.form.get("enabled")
    if value not in ("on", "off"):
        abort(400)
    with hub().session() as s:
        conn = own_connection(s, connection_id)
        conn.returns_enabled = value == "on"
        active = conn.active
    if value == "on":
        if active:
            sync_now(hub(), connection_id)
        flash(gettext("Returns switched on. Returns are fetched now and then every poll interval."), "info")
    else:
        flash(gettext("Returns switched off. Nothing is fetched or sent for this connection until you switch it on."),
              "info")
    return redirect(url_for("connections.show", connection_id=connection_id))


@bp.route("/<int:connection_id>/sync", methods=["POST"])
@login_required
def sync(connection_id: int):
    with hub().session() as s:
        conn = own_connection(s, connection_id)
        active, enabled = conn.active, conn.returns_enabled
    if not enabled:
        flash(gettext("Switch Returns on for this connection first (Advanced settings)."), "error")
    elif not active:
        flash(gettext("This connection needs new credentials before it can sync."), "error")
    else:
        sync_now(hub(), connection_id)
        flash(gettext("Sync queued: new returns and decisions are fetched now."), "info")
    back = request.form.get("back")
    if back == "index":
        return redirect(url_for("connections.index"))
    return redirect(url_for("connections.show", connection_id=connection_id))
