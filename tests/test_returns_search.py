"""The overview's search within ids and names: the lower-cased customer name every write path stores,
its migration's backfill, matching as before (case-insensitive parts of names and ids), and the index
the search reads instead of the merchant's returns."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from alembic import command
from returnhub_fakemarket.emulator import sample_return
from sqlalchemy import create_engine, event, insert, inspect, select
from test_api_support import (  # noqa: F401  (fixtures: the api shop loaded too)
    api_app,
    api_client,
    api_hub_plugins,
    bearer,
)
from test_web import import_returns, signed_in

from hub.db import ReturnRow
from hub.db.migrate import alembic_config, upgrade
from hub.db.models import SEARCH_NAME_LENGTH, search_name_of
from hub.sync import jobs


def _found(client, q: str, **args) -> list[str]:
    response = client.get("/", query_string={"q": q, **args})
    assert response.status_code == 200
    return re.findall(r'href="/returns/\d+">([^<]+)</a>', response.get_data(as_text=True))


def _named(n: int, name: str | None) -> dict:
    item = sample_return(n)
    return {**item, "customer": {**item["customer"], "name": name}}


def _search_names(hub) -> dict[str, str | None]:
    with hub.session() as s:
        return dict(s.execute(select(ReturnRow.external_id, ReturnRow.search_name)).all())


def test_search_name_of():
    assert search_name_of({"name": "Sanne de Vries"}) == "sanne de vries"
    assert search_name_of({"name": "ÉLISE Ørsted-İnan"}) == "ÉLISE Ørsted-İnan".lower() == "élise ørsted-i̇nan"
    assert search_name_of({"name": "A" * 300}) == "a" * SEARCH_NAME_LENGTH
    assert search_name_of({"name": ""}) is search_name_of({"name": None}) is search_name_of({}) is None
    assert search_name_of(None) is None


def test_returns_from_the_pipeline_and_api_test_returns_store_the_search_name(hub, client, make_connection,
                                                                              market_emu, shop_emu, drain):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    market_emu.state["returns"] += [_named(2, "ÉLISE Dupont"), _named(3, None)]
    jobs.poll_marketplace(cid)
    drain()
    assert _search_names(hub) == {"R1": "customer 1", "R2": "élise dupont", "R3": None}

    headers = bearer(hub)
    api = client.post("/api/v1/connections", headers=headers, json={
        "name": "c", "marketplace": "fakemarket", "shop": "api", "returns_enabled": True,
        "marketplace_settings": {"base_url": market_emu.url, "api_key": "market-secret-key"}}).get_json()["id"]
    created = client.post(f"/api/v1/connections/{api}/test-returns", headers=headers, json={})
    assert created.status_code == 201, created.get_json()
    with hub.session() as s:
        assert s.get(ReturnRow, created.get_json()["id"]).search_name == "test customer"


def test_search_by_name_and_within_ids_finds_what_it_found_before(app, hub, make_connection, market_emu, shop_emu,
                                                                  drain, monkeypatch):
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 8))
    market_emu.state["returns"].append(_named(8, "ÉLISE Dupont"))
    shop_emu.state["orders"]["MO8"] = {"id": "SO-MO8", "number": "MO8"}
    jobs.poll_marketplace(cid)
    drain()
    other = make_connection(merchant="Merchant B")
    import_returns(hub, market_emu, shop_emu, drain, other, [9])
    client = signed_in(app, hub)
    for q in ("customer 5", "CUSTOMER 5", "Customer 5", "tomer 5"):
        assert _found(client, q) == ["R5"], q
    for q in ("élise", "ÉLISE", "Élise Dup", "dupont"):
        assert _found(client, q) == ["R8"], q
    assert _found(client, "so-mo6") == ["R6"]  # part of the shop order id, any case
    assert _found(client, "r7") == ["R7"]  # the return id, any case
    assert _found(client, "mo4") == ["R4"]  # the marketplace order id, any case
    assert _found(client, "customer 9") == []  # another merchant's return
    assert _found(client, "%") == _found(client, "_") == [] and _found(client, "customer _") == []  # no wildcards
    # keyset pages of a search, newest first and by a column; its matches listed by id, or too many for that
    monkeypatch.setattr("hub.web.returns.PAGE", 3)
    for pinned, sort in ((1000, "newest"), (1000, "requested_desc"), (2, "newest"), (2, "requested_desc")):
        monkeypatch.setattr("hub.web.returns_query.SEARCH_PINNED", pinned)
        seen, url = [], f"/?q=CUSTOMER&sort={sort}"
        while url:
            page = client.get(url).get_data(as_text=True)
            seen.append(re.findall(r'href="/returns/\d+">([^<]+)</a>', page))
            more = re.search(r'id="next-page" href="([^"]+)"', page)
            url = more and more.group(1).replace("&amp;", "&")
        assert seen == [["R7", "R6", "R5"], ["R4", "R3", "R2"], ["R1"]], (pinned, sort)
        assert _found(client, "customer", sort="order") == ["R1", "R2", "R3"]
        assert _found(client, "customer 5") == ["R5"] and _found(client, "zzz") == []
        monkeypatch.setattr("hub.web.returns.EXPORT_CHUNK", 2)
        export = client.get("/returns/export.csv?q=Customer&sort=oldest").get_data(as_text=True)
        assert [r["return_id"] for r in csv.DictReader(io.StringIO(export))] == [f"R{n}" for n in range(1, 8)]


def test_the_search_reads_the_index_not_the_returns(app, hub, make_connection, market_emu, shop_emu, drain):
    if not hub.config.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads a table this small whole; the 1M benchmark measures it")
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, range(1, 4))
    client = signed_in(app, hub)
    statements = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))
    event.listen(hub.db.engine, "before_cursor_execute", seen)
    try:
        assert _found(client, "customer 2") == ["R2"]
    finally:
        event.remove(hub.db.engine, "before_cursor_execute", seen)
    statement, parameters = next((s, p) for s, p in statements if "search_name LIKE" in s)
    with hub.db.engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "COVERING INDEX ix_return_search" in plan, plan


def test_migration_backfills_the_search_name(hub, make_connection, market_emu, shop_emu, drain):
    url = hub.config.database_url
    cid = make_connection()
    import_returns(hub, market_emu, shop_emu, drain, cid, [1])
    hub.db.dispose()
    command.downgrade(alembic_config(url), "0004")
    try:
        engine = create_engine(url)
        assert "search_name" not in {c["name"] for c in inspect(engine).get_columns("return_request")}
        now = datetime.now(UTC)
        with engine.begin() as conn:  # returns written before the column existed
            for n, customer in enumerate([{"name": "ÉLISE Dupont", "email": "e@example.com"}, {"email": "x@y.z"},
                                          None, {"name": "Customer 42"}, {"name": "Ä" * 300}], start=1):
                conn.execute(insert(ReturnRow.__table__).values(
                    connection_id=cid, external_id=f"B{n}", marketplace_order_id=f"BO{n}", requested_at=now,
                    state="received", created_at=now, updated_at=now, flags=[], raw={}, is_test=False, attempts=0,
                    fulfilment="merchant", customer=customer))
        engine.dispose()
    finally:
        upgrade(url)
    assert _search_names(hub) == {"R1": "customer 1", "B1": "élise dupont", "B2": None, "B3": None,
                                  "B4": "customer 42", "B5": "ä" * SEARCH_NAME_LENGTH}
    engine = create_engine(url)
    assert "ix_return_search" in {i["name"] for i in inspect(engine).get_indexes("return_request")}
    engine.dispose()
    from hub.app import create_app
    client = signed_in(create_app(hub=hub), hub)
    assert _found(client, "élise") == _found(client, "ÉLISE") == ["B1"]
    assert _found(client, "CUSTOMER 4") == ["B4"]
    assert _found(client, "customer 1") == ["R1"]
