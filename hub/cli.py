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


@main.group()
def db():
    """Database commands."""


@db.command("upgrade")
def db_upgrade():
    """Apply every pending migration (SQLite file by default, RETURNHUB_DATABASE_URL otherwise)."""
    from hub.db.migrate import upgrade
    upgrade(Config.from_env().resolved_database_url())
    click.echo("database is up to date")


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
            click.echo(f"{'':<16} capabilities: {json.dumps(info.manifest.capabilities, sort_keys=True)}")


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
        raise click.ClickException(str(exc))
    click.echo(f"user {email.strip().lower()} created")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=None)
def web(host, port):
    """Serve the web app (for one machine; behind a WSGI server use hub.wsgi:app)."""
    from hub.app import create_app
    app = create_app()
    port = port or app.extensions["returnhub"].config.port
    click.echo(f"Returnhub web on http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--fork", is_flag=True, help="Run each job in a forked process (isolation, ~100 ms a job).")
def worker(burst, fork):
    """Work the job queue (start more on more machines against the same Redis and database)."""
    from hub.sync.worker import run_worker
    run_worker(_hub(), burst=burst, fork=fork)


@main.command()
def scheduler():
    """Run the schedules (marketplace polls, decision polls, the reconciler) on RQ's cron scheduler."""
    from hub.sync.schedule import build_scheduler
    build_scheduler(_hub()).start()


@main.command()
@click.option("--port", type=int, default=None)
@click.option("--workers", type=int, default=1)
def up(port, workers):
    """Web + worker + scheduler together on one machine (embedded Redis and SQLite when unset)."""
    from hub.supervisor import run_all
    config = Config.from_env()
    run_all(config, port or config.port, workers)


@main.command()
@click.option("--port", type=int, default=None)
def demo(port):
    """Seed a demo merchant and connections against the plugins' emulators, then run everything."""
    from hub.demo import prepare_demo
    config = Config.from_env()
    prepared = prepare_demo(config)
    click.echo(prepared.summary())
    from hub.supervisor import run_all
    run_all(prepared.config, port or config.port)


if __name__ == "__main__":
    main()
