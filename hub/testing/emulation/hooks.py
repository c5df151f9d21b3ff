"""The platform-specific ``/_emulator`` test hooks every emulator had written for itself (seed, break, state,
expire tokens), served once, so that an emulator only declares what is its own: how it makes an item, how each
kind of breakage spoils one, what its state is and how it names what it made."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import timedelta

from flask import jsonify, request

DROP = object()  # a break edit's value: take the key out instead of setting it

Edits = Mapping[tuple, object]  # (key, index, key...) -> new value or DROP
Breakage = Callable[[dict], None] | Edits


def spoil(item: dict, edits: Edits) -> None:
    """Apply ``{(key, ...): value}`` to ``item``: each path is walked to its last step, which is set (or taken
    out when the value is ``DROP``)."""
    for path, value in edits.items():
        *walk, last = path
        target = item
        for step in walk:
            target = target[step]
        if value is DROP:
            del target[last]
        else:
            target[last] = value


class TestHooks:
    """Mixed into ``EmulatorApp`` (needs ``app``, ``hooks_prefix`` and ``tokens``): ``seed_hook``,
    ``break_hook``, ``state_hook`` and ``expire_tokens_hook`` add the standard hooks under the prefix."""

    __test__ = False  # not a pytest class

    def seed_hook(self, seed: Callable[..., list], answer: Callable[[list], dict]) -> None:
        """``POST seed {"count": n, **options}``: ``seed(n, **options)`` (``age_hours`` arrives as ``age``, a
        timedelta), answered with ``answer(made)``."""
        @self.app.post(f"{self.hooks_prefix}/seed", endpoint="emulation_seed")
        def seed_view():
            body = request.get_json(force=True) or {}
            count = int(body.pop("count", 1))
            if "age_hours" in body:
                body["age"] = timedelta(hours=float(body.pop("age_hours")))
            return jsonify(answer(seed(count, **body)))

    def break_hook(self, make: Callable[[], dict], kinds: Mapping[str, Breakage], answer: Callable[[dict], dict],
                   *, lock=None) -> None:
        """``POST break {"kind": k}``: add an item the hub must quarantine: ``make()`` one, spoil it as
        ``kinds[k]`` says (a function of the item, or edits for :func:`spoil`) and answer ``answer(item)`` as
        it was made. An unknown kind is a 400 and adds nothing."""
        @self.app.post(f"{self.hooks_prefix}/break", endpoint="emulation_break")
        def break_view():
            kind = (request.get_json(force=True) or {}).get("kind")
            if kind not in kinds:
                return jsonify(error=f"unknown kind {kind!r}"), 400
            with lock or nullcontext():
                item = make()
                response = jsonify(answer(item))
                breakage = kinds[kind]
                if callable(breakage):
                    breakage(item)
                else:
                    spoil(item, breakage)
            return response

    def state_hook(self, view: Callable[[], dict], *, lock=None) -> None:
        """``GET state``: ``view()`` (under ``lock``)."""
        @self.app.get(f"{self.hooks_prefix}/state", endpoint="emulation_state")
        def state_view():
            with lock or nullcontext():
                return jsonify(view())

    def expire_tokens_hook(self, expire: Callable[[], None] | None = None, *, path: str = "tokens/expire") -> None:
        """``POST <path>``: every access token handed out stops working (``expire()``, or the app's bearer
        tokens by default), as when a platform drops them before their announced expiry."""
        @self.app.post(f"{self.hooks_prefix}/{path}", endpoint="emulation_expire_tokens")
        def expire_view():
            (expire or self.tokens.expire_all)()
            return jsonify(expired=True)
