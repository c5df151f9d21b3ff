"""The shared pieces shop adapters build on: settings loaded by the adapter's schema with a clear error, one
lazily built client closed with the adapter, and '<order>/<reference>' return ids."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from marshmallow import Schema, fields, validate

from hub.adapters import AdapterContext, ClientShop, load_settings
from hub.errors import PermanentError
from hub.model import Return
from hub.sdk.order_ids import by_order, join_id, split_id


class _Settings(Schema):
    url = fields.Url(required=True)
    size = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class _Client:
    made: list[_Client] = []

    def __init__(self, ctx, settings):
        self.settings, self.closed = settings, False
        _Client.made.append(self)

    def close(self):
        self.closed = True


class _Shop(ClientShop):
    slug, title, settings_schema, client_class = "helpershop", "Helper shop", _Settings, _Client

    def __init__(self, ctx):
        super().__init__(ctx)
        self.settings = load_settings(self, "Helper shop")


def test_settings_load_by_the_schema_and_unknown_keys_are_dropped():
    shop = _Shop(AdapterContext(settings={"url": "https://shop.test", "stale": 1}))
    assert shop.settings == {"url": "https://shop.test", "size": 10}


def test_invalid_settings_say_what_is_wrong_or_only_which_fields():
    ctx = AdapterContext(settings={"url": "not a url", "size": 99})
    with pytest.raises(PermanentError, match=r"^Helper shop settings are invalid: \{.*'size'.*\}$"):
        _Shop(ctx)
    shop = _Shop(AdapterContext(settings={"url": "https://shop.test"}))
    shop.ctx = ctx
    with pytest.raises(PermanentError, match=r"^Ops settings are invalid: \['size', 'url'\]$"):
        load_settings(shop, "Ops", names_only=True)


def test_the_client_is_built_once_on_first_use_and_closed_with_the_adapter():
    _Client.made.clear()
    shop = _Shop(AdapterContext(settings={"url": "https://shop.test"}))
    shop.close()  # nothing built yet: nothing to close
    assert _Client.made == []
    first = shop.client
    assert shop.client is first and first.settings["url"] == "https://shop.test"
    shop.close()
    assert first.closed and shop.client is not first and len(_Client.made) == 2


def test_order_scoped_return_ids():
    assert join_id(1042, "R-7") == "1042/R-7" and split_id("1042/R-7") == ("1042", "R-7")
    assert split_id("1042/R/7") == ("1042", "R/7")
    a, b, c, none = (Return(external_id=x, marketplace_order_id="o", lines=[], requested_at=datetime.now(UTC))
                     for x in "abcd")
    a.shop_return_id, b.shop_return_id, c.shop_return_id = "1/x", "2/y", "1/z"
    assert by_order([a, b, c, none]) == {"1": [a, c], "2": [b]}
