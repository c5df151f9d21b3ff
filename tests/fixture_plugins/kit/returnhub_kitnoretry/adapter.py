"""Flaw: a plain httpx client instead of ctx.http, and every error answer is taken as final."""
import httpx
from returnhub_kitmarket.adapter import KitMarketplace

from hub.errors import AuthError, PermanentError


class Adapter(KitMarketplace):
    slug = "kitnoretry"

    @property
    def client(self):
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = httpx.Client(base_url=self.settings["base_url"],
                                                   headers={"X-Api-Key": self.settings["api_key"]})
        return self.ctx.memo["client"]

    def get(self, path, **params):
        response = self.client.get(path, params=params)
        if response.status_code in (401, 403):
            raise AuthError(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentError(f"HTTP {response.status_code}")
        return response.json()
