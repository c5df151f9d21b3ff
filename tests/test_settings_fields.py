"""The SDK's settings field factories build the fields the core's form, API and secret handling read, and the
``name=decision`` map parser says which part is wrong."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from hub.sdk import settings_fields as sf


class _Form(Schema):
    key = sf.credential("Key", "Where to find it.")
    secret = sf.secret("Secret")
    token = sf.saved_secret("Token", "Saved by the connect flow.")
    url = sf.base_url("API", default="https://api.example.com")
    size = sf.number("Page size", default=50, low=1, high=100)
    mode = sf.choice("Mode", "a or b", default="a", choices=["a", "b"])


def test_fields_load_with_their_defaults_and_refuse_what_is_out_of_bounds():
    loaded = _Form().load({"key": "k", "secret": "s", "url": "http://127.0.0.1:8765"})
    assert loaded == {"key": "k", "secret": "s", "token": None, "url": "http://127.0.0.1:8765", "size": 50,
                      "mode": "a"}
    with pytest.raises(ValidationError) as caught:
        _Form().load({"key": "", "secret": "", "size": 101, "mode": "c"})
    assert set(caught.value.messages) == {"key", "secret", "size", "mode"}


def test_secrets_are_never_dumped_and_carry_the_form_s_metadata():
    fields = _Form().fields
    assert _Form().dump({"key": "k", "secret": "s", "token": "t"}) == {"key": "k"}
    assert fields["secret"].metadata == {"secret": True, "label": "Secret"}
    assert fields["token"].metadata == {"secret": True, "pinned": True, "label": "Token",
                                        "help": "Saved by the connect flow."}
    assert fields["key"].metadata == {"label": "Key", "help": "Where to find it."}


def test_decision_maps_lower_case_the_names_and_name_the_bad_part():
    assert sf.decision_map("Refund=Accepted; keep = kept\n", "name=decision") == {"refund": "accepted",
                                                                                 "keep": "kept"}
    assert sf.decision_map("", "name=decision") == {}
    with pytest.raises(ValidationError, match="'refund' is not 'status=decision'"):
        sf.decision_map("refund", "status=decision")
    with pytest.raises(ValidationError, match="'maybe' is not a decision"):
        sf.decision_map("refund=maybe", "status=decision")
