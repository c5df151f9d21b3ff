"""The emulator answers like the API it stands for: wrong credentials are refused."""
import httpx

from hub.testing import EmulatorServer
from {{ cookiecutter.__package }} import emulator


def test_emulator_refuses_wrong_credentials():
    with EmulatorServer(emulator.create_app(demo=True)) as server:
        path = "/{{ 'returns' if cookiecutter.kind == 'marketplace' else 'orders' }}"
        assert httpx.get(server.url + path).status_code == 401
