"""Flaw: after a poll it queues a follow-up job and hands it the API key."""
from returnhub_kitmarket.adapter import KitMarketplace

from hub import runtime


class Adapter(KitMarketplace):
    slug = "kitjobleak"

    def fetch_returns(self, cursor):
        page = super().fetch_returns(cursor)
        hub = runtime._current
        if hub is not None:
            hub.queue.enqueue("returnhub_kitjobleak.adapter.refresh", kwargs={"api_key": self.settings["api_key"]})
        return page


def refresh(api_key):
    """The job the flawed adapter queues."""
