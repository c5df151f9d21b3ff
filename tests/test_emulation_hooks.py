"""The shared platform test hooks of the emulator toolkit (seed, break, state, expire tokens) over real
loopback HTTP: what an emulator declares is all that differs."""
from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest

from hub.testing.emulation import DROP, EmulatorApp, spoil


@pytest.fixture
def served():
    emu, lock, items = EmulatorApp(__name__), threading.RLock(), []

    def seed(count, *, age=timedelta(0), colour="red"):
        made = [{"id": f"R{len(items) + n + 1}", "age": age.total_seconds(), "colour": colour,
                 "lines": [{"status": "OPEN"}]} for n in range(count)]
        items.extend(made)
        return made

    def orphan(item):
        item["orphan"] = True

    emu.seed_hook(seed, lambda made: {"ids": [i["id"] for i in made]})
    emu.break_hook(lambda: seed(1)[0], {"unknown_status": {("lines", 0, "status"): "TELEPORTED"},
                                        "no_id": {("id",): DROP}, "orphan": orphan},
                   lambda item: {"id": item["id"]}, lock=lock)
    emu.state_hook(lambda: {"items": items}, lock=lock)
    emu.expire_tokens_hook()
    server = emu.serve()
    client = httpx.Client(base_url=server.url, timeout=10, trust_env=False)
    yield emu, client, items
    client.close()
    server.stop()


def test_seed_passes_the_options_and_answers_what_the_emulator_names(served):
    _, client, items = served
    assert client.post("/_emulator/seed", json={"count": 2, "colour": "blue"}).json() == {"ids": ["R1", "R2"]}
    assert client.post("/_emulator/seed", json={"age_hours": 1.5}).json() == {"ids": ["R3"]}
    assert [(i["colour"], i["age"]) for i in items] == [("blue", 0), ("blue", 0), ("red", 5400)]


def test_break_spoils_a_new_item_as_the_kind_says_and_answers_it_as_made(served):
    _, client, items = served
    assert client.post("/_emulator/break", json={"kind": "unknown_status"}).json() == {"id": "R1"}
    assert client.post("/_emulator/break", json={"kind": "no_id"}).json() == {"id": "R2"}
    assert client.post("/_emulator/break", json={"kind": "orphan"}).json() == {"id": "R3"}
    assert items[0]["lines"][0]["status"] == "TELEPORTED"
    assert "id" not in items[1] and items[2]["orphan"] is True


def test_an_unknown_break_kind_is_refused_and_adds_nothing(served):
    _, client, items = served
    response = client.post("/_emulator/break", json={"kind": "gremlins"})
    assert (response.status_code, response.json()) == (400, {"error": "unknown kind 'gremlins'"})
    assert items == [] and client.get("/_emulator/state").json() == {"items": []}


def test_expire_tokens_drops_every_bearer_token_handed_out(served):
    emu, client, _ = served
    token = emu.tokens.issue("client", ttl=3600)
    assert emu.tokens.grant(token) is not None
    assert client.post("/_emulator/tokens/expire", json={}).json() == {"expired": True}
    assert emu.tokens.grant(token) is None


def test_spoil_walks_paths_and_drops_keys():
    item = {"a": [{"b": 1}], "c": 2}
    spoil(item, {("a", 0, "b"): 3, ("c",): DROP})
    assert item == {"a": [{"b": 3}]}
