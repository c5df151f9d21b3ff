"""The emulator driven by an independent Kaufland client from PyPI (python-kaufland-api, a test-only
dependency): its own signing, URL encoding and array parameters must be taken as the API takes them."""
from __future__ import annotations

import pytest

kaufland = pytest.importorskip("kaufland", reason="install the plugin's 'tests' extra (python-kaufland-api)")


@pytest.fixture
def api(emu):
    from kaufland.api.return_units import ReturnUnits
    from kaufland.api.returns import Returns
    from returnhub_kaufland.emulator import CLIENT_KEY, SECRET_KEY
    keys = dict(client_key=CLIENT_KEY, secret_key=SECRET_KEY, endpoint=f"{emu.url}/v2", storefront="de")
    with Returns(**keys) as returns, ReturnUnits(**keys) as units:
        yield returns, units


def test_list_read_and_accept_with_the_pypi_client(api, state):
    returns, units = api
    made = state.seed(3, units=1)
    listed = returns.get_returns(limit=2, offset=1, ts_created_from_iso="2020-01-01T00:00:00Z",
                                 fulfillment_type=["fulfilled_by_merchant"]).payload
    assert listed["pagination"] == {"offset": 1, "limit": 2, "total": 3}
    unit_id = made[0]["unit_ids"][0]
    detail = units.get_return_unit(unit_id, embedded=["order_unit"]).payload["data"]
    assert detail["order_unit"]["id_offer"] and detail["return"]["id_return"] == made[0]["id_return"]
    assert units.accept_return_unit(unit_id).status_code == 204
    assert state.units[unit_id]["status"] == "return_accepted"


def test_a_wrong_secret_from_the_pypi_client_is_refused(emu, state):
    from kaufland.api.returns import Returns
    from kaufland.base.exceptions import ApiException
    from returnhub_kaufland.emulator import CLIENT_KEY
    with Returns(client_key=CLIENT_KEY, secret_key="0" * 64, endpoint=f"{emu.url}/v2") as returns, \
            pytest.raises(ApiException) as caught:
        returns.get_returns()
    assert caught.value.status_code == 401
