"""Flaw: a plain httpx client that repeats a 429 at once, without waiting out its Retry-After."""
import httpx
from returnhub_kitmarket.adapter import KitMarketplace

from hub.http import raise_for_status


class Adapter(KitMarketplace):
    slug = "kitnowait"

    @property
    def client(self):
        if "client" not in self.ctx.memo:
            self.ctx.memo["client"] = httpx.Client(base_url=self.settings["base_url"],
                                                   headers={"X-Api-Key": self.settings["api_key"]})
        return self.ctx.memo["client"]

    def get(self, path, **params):
        response = self.client.get(path, params=params)
        if response.status_code in (429, 503, 500):  # repeated straight away: Retry-After ignored
            response = self.client.get(path, params=params)
        raise_for_status(response)
        return response.json()
