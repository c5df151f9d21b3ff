"""The ``returnhub`` command: run the pieces, migrate, list plugins, create users, run the demo."""
from __future__ import annotations

import json

import click

from hub.config import Config


def _hub():
    from hub.runtime import Hub
    return Hub(Config.from_env()).activate()


@click.group()
def main():
    """Returnhub: marketplace returns into your shop, the merchant's decision back."""
    from hub.logs import configure
    config = Config.from_env()
    try:
        configure(config.log_format, config.log_level)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def db():
    """Database commands."""


@db.command("upgrade")
def db_upgrade():
    """Apply every pending migration (SQLite file by default, RETURNHUB_DATABASE_URL otherwise)."""
    from hub.db.migrate import upgrade
    upgrade(Config.from_env().resolved_database_url())
    click.echo("database is up to date")


@main.group()
def stats():
    """The dashboard's pre-aggregated figures (rollups)."""


@stats.command("rebuild")
def stats_rebuild():
    """Recompute the dashboard's figures from the returns (after a bulk load that bypassed the pipeline,
    or to repair them); safe while workers run."""
    from hub.db import Database
    from hub.stats.rebuild import rebuild
    database = Database(Config.from_env().resolved_database_url())
    try:
        with database.session() as s:
            counts = rebuild(s)
    finally:
        database.dispose()
    click.echo("dashboard figures rebuilt: " + ", ".join(f"{table} {n:,} rows" for table, n in counts.items()))


@main.command()
def plugins():
    """List installed plugins with version, kind, status and capabilities."""
    from hub.plugins import load_plugins
    config = Config.from_env()
    registry = load_plugins(allow=config.plugins, block=config.disable_plugins, strict=False)
    if not registry.plugins:
        click.echo("no plugins installed")
    for info in sorted(registry.plugins.values(), key=lambda p: p.name):
        click.echo(f"{info.name:<16} {info.version or '-':<10} {info.kind or '-':<12} {info.status}")
        if info.manifest:
            caps = info.manifest.capabilities.as_dict()
            found = caps.pop("instances", None) or []
            click.echo(f"{'':<16} capabilities: {json.dumps(caps, sort_keys=True)}")
            if found:  # the marketplaces a multi-instance plugin serves, by the names merchants know
                click.echo(f"{'':<16} instances ({len(found)}): " + ", ".join(i.get("name") or i["key"] for i in found))


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--merchant", "merchant_name", default=None, help="Merchant name (new merchant if not found).")
def create_user(email, password, merchant_name):
    """Create a merchant user who can sign in to the web app."""
    from hub.accounts import create_user as create
    hub = _hub()
    try:
        create(hub, email=email, password=password, merchant_name=merchant_name or email.split("@")[-1])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {email.strip().lower()} created")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 for every one).")
@click.option("--port", type=int, default=None, help="Port (RETURNHUB_PORT, 8000).")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn (never in production).")
def web(host, port, dev):
    """Serve the web app through gunicorn (RETURNHUB_WEB_WORKERS, _WEB_THREADS, _WEB_TIMEOUT,
    _WEB_GRACEFUL_TIMEOUT); the same app is ``hub.wsgi:app`` for any other WSGI server."""
    from hub.app import create_app
    config = Config.from_env()
    port = port or config.port
    if dev:
        click.echo(f"Returnhub web (development server) on http://{host}:{port}/")
        create_app().run(host=host, port=port, threaded=True, use_reloader=False)
        return
    if not config.redis_url:  # one embedded Redis, owned by this (master) process, for every gunicorn worker
        import os

        from hub.embedded import start_embedded_redis
        os.environ["RETURNHUB_REDIS_URL"] = start_embedded_redis(os.path.join(config.instance_path, "redis"))
    from hub.web_server import gunicorn_options, serve
    serve(create_app, gunicorn_options(config, host, port))


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--fork", is_flag=True, help="Run each job in a forked process (isolation, ~100 ms a job).")
def worker(burst, fork):
    """Work the job queue (start more on more machines against the same Redis and database)."""
    from hub.sync.commands import run_worker
    run_worker(_hub(), burst=burst, fork=fork)


@main.command()
def scheduler():
    """Run the schedules (marketplace polls, decision polls, the reconciler, webhook deliveries) on RQ's cron scheduler."""
    from hub.sync.commands import build_scheduler
    build_scheduler(_hub()).start()


@main.command()
@click.option("--port", type=int, default=None)
@click.option("--workers", type=int, default=1, help="Job worker processes.")
@click.option("--dev", is_flag=True, help="Serve through Flask's development server instead of gunicorn.")
def up(port, workers, dev):
    """Web + worker + scheduler together on one machine (embedded Redis and SQLite when unset)."""
    from hub.supervisor import run_all
    config = Config.from_env()
    run_all(config, port or config.port, workers, dev=dev)


@main.command()
@click.option("--port", type=int, default=None)
@click.option("--dev", is_flag=True, help="Serve through Flask's development server instead of gunicorn.")
def demo(port, dev):
    """Seed a demo merchant and connections against the plugins' emulators, then run everything."""
    from hub.demo import prepare_demo
    config = Config.from_env()
    prepared = prepare_demo(config)
    click.echo(prepared.summary())
    from hub.supervisor import run_all
    run_all(prepared.config, port or config.port, dev=dev)


@main.group()
def token():
    """API tokens for /api/v1 (shown once, stored hashed)."""


def _merchant_id(hub, name: str | None) -> int:
    """The named merchant's id; without a name, the only merchant there is (else a clear error)."""
    from sqlalchemy import select

    from hub.db import Merchant
    with hub.session() as s:
        if name is None:
            merchants = s.execute(select(Merchant.id, Merchant.name).order_by(Merchant.name)).all()
            if len(merchants) == 1:
                return merchants[0].id
            if not merchants:
                raise click.ClickException("no merchant yet (create-user makes one)")
            raise click.ClickException("several merchants: give --merchant, one of "
                                       + ", ".join(repr(m.name) for m in merchants))
        found = s.scalar(select(Merchant.id).where(Merchant.name == name))
    if found is None:
        raise click.ClickException(f"no merchant named {name!r} (create-user makes one)")
    return found


MERCHANT_HELP = "Merchant name (may be left out when there is only one merchant)."


@token.command("create")
@click.option("--merchant", "merchant_name", help=MERCHANT_HELP)
@click.option("--name", required=True, help="What the token is for, e.g. 'shop sync'.")
@click.option("--scope", "scopes", multiple=True, default=("returns:read",), show_default=True,
              type=click.Choice(["returns:read", "returns:write", "connections:write"]))
def token_create(merchant_name, name, scopes):
    """Create an API token; it is printed once and cannot be shown again."""
    from hub.api_tokens import create_token
    hub = _hub()
    try:
        token_id, value = create_token(hub, _merchant_id(hub, merchant_name), name, scopes)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"token {token_id} ({', '.join(scopes)}) — store it now, it is not shown again:")
    click.echo(value)


@token.command("list")
@click.option("--merchant", "merchant_name", help=MERCHANT_HELP)
def token_list(merchant_name):
    """A merchant's tokens: id, name, scopes, last used, revoked (never the token)."""
    from hub.api_tokens import list_tokens
    hub = _hub()
    for row in list_tokens(hub, _merchant_id(hub, merchant_name)):
        used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id:<5} {row.prefix}…  {row.name:<24} {','.join(row.scopes):<45} used {used:<16} {state}")


@token.command("revoke")
@click.option("--merchant", "merchant_name", help=MERCHANT_HELP)
@click.argument("token_id", type=int)
def token_revoke(merchant_name, token_id):
    """Revoke a token at once."""
    from hub.api_tokens import revoke
    hub = _hub()
    if not revoke(hub, _merchant_id(hub, merchant_name), token_id):
        raise click.ClickException(f"no active token {token_id} for {merchant_name or 'the merchant'}")
    click.echo(f"token {token_id} revoked")


@main.command("erase-customer")
@click.option("--merchant", "merchant_name", required=True, help="Merchant name.")
@click.option("--email", required=True, help="The customer's e-mail address.")
def erase_customer_command(merchant_name, email):
    """Erase one customer's personal data from the merchant's returns (GDPR); the returns stay."""
    from hub.privacy import erase_customer
    hub = _hub()
    try:
        count = erase_customer(hub, _merchant_id(hub, merchant_name), email, "cli")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"personal data erased from {count} return{'s' if count != 1 else ''}")


@main.command()
@click.option("--days", type=int, default=None, help="Override RETURNHUB_PERSONAL_DATA_DAYS for this run.")
def housekeeping(days):
    """Run the scheduler's upkeep now: prune old webhook deliveries, anonymise closed returns past retention."""
    from hub.housekeeping import prune_deliveries
    from hub.privacy import anonymise_closed
    hub = _hub()
    removed = prune_deliveries(hub)
    click.echo("pruned " + ", ".join(f"{table} {n}" for table, n in removed.items()))
    click.echo(f"anonymised {anonymise_closed(hub, days)} closed returns")


@main.group()
def plugin():
    """Writing plugins: start a new one from the template (see docs/writing-plugins.md)."""


@plugin.command("new")
@click.option("--output-dir", "-o", default=".", show_default=True, help="Where the plugin's folder is made.")
@click.option("--no-input", is_flag=True, help="Ask nothing: defaults plus the KEY=VALUE answers given.")
@click.option("--template", default=None, help="A cookiecutter template (default: plugin_template/ of this checkout).")
@click.argument("answers", nargs=-1, metavar="[KEY=VALUE]...")
def plugin_new(output_dir, no_input, template, answers):
    """Generate a plugin package (asks the platform's name, marketplace or shop, and the auth style)."""
    from pathlib import Path
    try:
        from cookiecutter.exceptions import CookiecutterException
        from cookiecutter.main import cookiecutter
    except ImportError:
        raise click.ClickException("`returnhub plugin new` needs cookiecutter: pip install 'returnhub[testing]'") from None
    template = template or str(Path(__file__).resolve().parent.parent / "plugin_template")
    if "://" not in template and not (Path(template) / "cookiecutter.json").is_file():
        raise click.ClickException(f"no plugin template at {template}: pass --template <folder or git URL>")
    import logging
    logging.getLogger("cookiecutter").setLevel(logging.CRITICAL)  # a refused answer is reported once, below
    extra = {}
    for answer in answers:
        key, sep, value = answer.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{answer!r} is not KEY=VALUE", param_hint="ANSWERS")
        extra[key] = value
    try:
        made = cookiecutter(template, no_input=no_input, extra_context=extra, output_dir=output_dir)
    except CookiecutterException as exc:
        raise click.ClickException(f"the plugin was not generated: {exc}") from exc
    click.echo(f"created {made}\nnext: cd {made} && pip install -e '.[tests]' && python -m pytest tests")


if __name__ == "__main__":
    main()
