"""hub.sdk.paging, hub.sdk.cursor and hub.sdk.details against a small platform on 127.0.0.1."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import flask
import pytest

from hub import clock
from hub.adapters import AdapterContext
from hub.errors import AuthError, PermanentError
from hub.http import ClientFactory, raise_for_status
from hub.model import Quarantined
from hub.sdk.cursor import IncrementalCursor, iso, parse_time
from hub.sdk.details import fetch_details
from hub.sdk.paging import (
    LinkPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    PagingLoop,
    TokenPaginator,
    walk,
)
from hub.testing.emulator import EmulatorServer

ITEMS = [{"id": f"R{i:02d}"} for i in range(23)]
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def paging_app() -> flask.Flask:
    app = flask.Flask(__name__)
    app.loop_token = False
    app.detail = {"in_flight": 0, "max": 0, "done": 0, "total": 0, "limit": 1,
                  "cond": threading.Condition()}

    @app.get("/pages")
    def pages():
        page, size = int(flask.request.args["page"]), int(flask.request.args.get("size", 10))
        return flask.jsonify(data=ITEMS[(page - 1) * size: page * size])

    @app.get("/offset")
    def offset():
        start, limit = int(flask.request.args["offset"]), int(flask.request.args["limit"])
        return flask.jsonify(data=ITEMS[start:start + min(limit, 7)], total=len(ITEMS))  # caps limit at 7

    @app.get("/tokens")
    def tokens():
        at = int(flask.request.args.get("next", 0))
        nxt = at + 5 if at + 5 < len(ITEMS) else None
        data = [] if at == 5 else ITEMS[at:at + 5]  # an empty page in the middle, with a next token
        if app.loop_token and at == 10:
            nxt = 10
        response = flask.jsonify(data=data, meta={"next": None if nxt is None else str(nxt)})
        if nxt is not None:
            response.headers["X-Next-Token"] = str(nxt)
        return response

    @app.get("/linked")
    def linked():
        at = int(flask.request.args.get("at", 0))
        response = flask.jsonify(data=ITEMS[at:at + 10])
        if at + 10 < len(ITEMS):
            response.headers["Link"] = f'</linked?at={at + 10}>; rel="next"'
        return response

    @app.get("/elsewhere")
    def elsewhere():
        return flask.jsonify(data=[], next="https://other.example/steal")

    @app.get("/detail/<rid>")
    def detail(rid):
        st = app.detail
        with st["cond"]:
            st["in_flight"] += 1
            st["max"] = max(st["max"], st["in_flight"])
            st["cond"].notify_all()
            # hold until as many calls run as may (bounded wait: never longer than 10 s)
            st["cond"].wait_for(lambda: st["in_flight"] >= min(st["limit"], st["total"] - st["done"]), timeout=10)
            st["in_flight"] -= 1
            st["done"] += 1
            st["cond"].notify_all()
        if rid == "R03":
            return flask.jsonify(errors=[{"code": "NOT_FOUND", "message": "no such return"}]), 404
        if rid == "R05" and flask.request.args.get("auth") == "fail":
            return flask.jsonify(error="unauthorized"), 401
        return flask.jsonify(id=rid, lines=[rid.lower()])

    return app


@pytest.fixture(scope="module")
def server():
    with EmulatorServer(paging_app()) as emu:
        yield emu


@pytest.fixture
def client(server):
    server.app.loop_token = False
    factory = ClientFactory(allow_local=["127.0.0.1"], timeout=15.0, retries=0)
    with factory(server.url) as c:
        yield c


def checked(response):
    raise_for_status(response)
    return response


def ids(records):
    return [r["id"] for r in records]


# --- paginators ---------------------------------------------------------------------------------

def test_page_numbers_end_at_a_short_page(client):
    pager = PageNumberPaginator(page_size=10, size_param="size")
    got = list(walk(lambda p: checked(client.get("/pages", params=p.params())), pager, "data"))
    assert ids(got) == ids(ITEMS) and pager.count == 3 and pager.finished


def test_page_numbers_without_a_size_end_at_an_empty_page(client):
    pager = PageNumberPaginator(start=2)
    got = list(walk(lambda p: checked(client.get("/pages", params=p.params())), pager, "data"))
    assert ids(got) == ids(ITEMS[10:]) and pager.count == 3  # pages 2, 3 and the empty 4


def test_offset_moves_by_records_read_and_stops_at_the_total(client):
    pager = OffsetPaginator(limit=10, total="total")
    got = list(walk(lambda p: checked(client.get("/offset", params=p.params())), pager, "data"))
    assert ids(got) == ids(ITEMS)  # the platform capped the limit at 7: nothing skipped
    assert pager.count == 4


def test_tokens_go_on_past_an_empty_page_and_stop_without_a_token(client):
    pager = TokenPaginator(token="meta.next", param="next")
    got = list(walk(lambda p: checked(client.get("/tokens", params=p.params())), pager, "data"))
    assert ids(got) == ids(ITEMS[:5] + ITEMS[10:]) and pager.count == 5


def test_the_same_token_twice_is_a_loop_error(client, server):
    server.app.loop_token = True
    pager = TokenPaginator(token="meta.next", param="next")
    with pytest.raises(PagingLoop, match="'10' again"):
        list(walk(lambda p: checked(client.get("/tokens", params=p.params())), pager, "data"))
    assert pager.count == 3


def test_a_resumed_token_paginator_detects_its_start_coming_back(client, server):
    server.app.loop_token = True
    pager = TokenPaginator(start="10", token="meta.next", param="next")
    response = checked(client.get("/tokens", params=pager.params()))
    with pytest.raises(PagingLoop):
        pager.advance(response, response.json()["data"])


def test_token_from_a_header_and_a_has_more_flag(client):
    pager = TokenPaginator(header="X-Next-Token", param="next")
    got = list(walk(lambda p: checked(client.get("/tokens", params=p.params())), pager, "data"))
    assert ids(got) == ids(ITEMS[:5] + ITEMS[10:])
    pager = TokenPaginator(token="meta.next", more=lambda r: r.json()["meta"]["next"] not in (None, "15"))
    got = list(walk(lambda p: checked(client.get("/tokens", params={"next": p.current_value or 0})), pager, "data"))
    assert ids(got) == ids(ITEMS[:5] + ITEMS[10:15])
    with pytest.raises(ValueError):
        TokenPaginator()


def test_link_header_pages_follow_relative_links(client):
    pager = LinkPaginator(first_url="/linked")
    got = list(walk(lambda p: checked(client.get(p.url())), pager, "data"))
    assert ids(got) == ids(ITEMS) and pager.count == 3


def test_a_next_link_to_another_origin_is_refused(client):
    pager = LinkPaginator(first_url="/elsewhere", link="next")
    with pytest.raises(PermanentError, match="another origin"):
        list(walk(lambda p: checked(client.get(p.url())), pager, "data"))


# --- incremental cursor -------------------------------------------------------------------------

def rec(rid, minutes):
    return {"id": rid, "updated": iso(T0 + timedelta(minutes=minutes))}


def fresh(cur, rows):
    return [r["id"] for r in cur.fresh(rows, external_id=lambda r: r["id"], updated=lambda r: r["updated"])]


def test_incremental_cursor_overlap_dedupe_and_signpost():
    with clock.use(clock.FakeClock(T0)) as fake:
        cur = IncrementalCursor.load(None, overlap=timedelta(minutes=10), initial=timedelta(days=1))
        assert cur.since == T0 - timedelta(days=1) and cur.until == T0
        assert fresh(cur, [rec("A", -30), rec("B", -5)]) == ["A", "B"]
        cur.advance(next_page="p2")
        stored = cur.dump()
        assert cur.more

        fake.advance(60)  # a crash; the next call resumes the same walk at page 2, same window
        cur = IncrementalCursor.load(stored, overlap=timedelta(minutes=10))
        assert cur.page == "p2" and cur.until == T0
        assert fresh(cur, [rec("C", 3), rec("B", -5)]) == ["C"]  # C changed after the signpost
        cur.advance(next_page=None)
        assert not cur.more and cur.mark == T0  # capped at the signpost, not C's later time

        fake.advance(3600)  # the next poll: since = mark - overlap; B (in the overlap) and C are known
        cur = IncrementalCursor.load(cur.dump(), overlap=timedelta(minutes=10))
        assert cur.since == T0 - timedelta(minutes=10) and cur.until == T0 + timedelta(seconds=3660)
        assert fresh(cur, [rec("B", -5), rec("C", 3), rec("D", 20), rec("B", 25)]) == ["D", "B"]
        cur.finish()
        assert cur.mark == T0 + timedelta(minutes=25)
        assert sorted(cur.seen) == ["B", "D"]  # C (before mark - overlap) pruned


def test_incremental_cursor_with_a_paginator_and_bad_input():
    with clock.use(clock.FakeClock(T0)):
        cur = IncrementalCursor.load(None)
        assert cur.since is None  # no initial window: from the beginning
        pager = TokenPaginator(cur.page, token="next")
        pager.finished = True
        rows = [{"id": "X", "updated": "not a time"}]
        assert cur.fresh(rows, external_id=lambda r: r["id"], updated=lambda r: r["updated"]) == rows  # kept
        cur.advance(pager)
        assert cur.mark is None and cur.run is None
    with pytest.raises(PermanentError, match="unreadable incremental cursor"):
        IncrementalCursor.load("{broken")
    with pytest.raises(PermanentError):
        IncrementalCursor.load('{"v": 99}')
    assert parse_time(1_700_000_000_000) == parse_time(1_700_000_000) == parse_time("2023-11-14T22:13:20Z")


# --- detail fetches -----------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 3])
def test_details_run_concurrently_within_the_bound_in_input_order(server, limit):
    st = server.app.detail
    st.update(in_flight=0, max=0, done=0, total=10, limit=limit)
    factory = ClientFactory(allow_local=["127.0.0.1"], timeout=15.0, retries=0, max_connections=10)
    ctx = AdapterContext(settings={}, http_factory=factory, concurrency=limit)
    summaries = [{"id": f"R{i:02d}"} for i in range(10)]
    with ctx.http(server.url) as c:
        rows = fetch_details(ctx, summaries, lambda s: checked(c.get(f"/detail/{s['id']}")).json(),
                             external_id=lambda s: s["id"])
    assert st["max"] == limit
    assert [r.external_id if isinstance(r, Quarantined) else r["id"] for r in rows] == ids(summaries)
    bad = rows[3]
    assert isinstance(bad, Quarantined) and bad.raw == {"id": "R03"}
    assert "GET /detail/R03 -> 404: NOT_FOUND: no such return" in bad.reason


def test_details_raise_an_auth_error_or_everything_when_asked(server):
    st = server.app.detail
    st.update(in_flight=0, max=0, done=0, total=10, limit=1)
    factory = ClientFactory(allow_local=["127.0.0.1"], timeout=15.0, retries=0)
    ctx = AdapterContext(settings={}, http_factory=factory, concurrency=2)
    summaries = [{"id": f"R{i:02d}"} for i in range(10)]
    with ctx.http(server.url) as c:
        with pytest.raises(AuthError):
            fetch_details(ctx, summaries, lambda s: checked(c.get(f"/detail/{s['id']}?auth=fail")).json())
        st.update(in_flight=0, done=0, total=4)
        with pytest.raises(PermanentError):
            fetch_details(ctx, summaries[:4], lambda s: checked(c.get(f"/detail/{s['id']}")).json(), quarantine=())
    assert fetch_details(ctx, [], lambda s: s) == []
