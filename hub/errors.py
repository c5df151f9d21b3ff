"""The error types plugins raise, so the core knows whether to retry, pause or give up."""
from __future__ import annotations


class HubError(Exception):
    """Base of every error the core classifies."""


class TransientError(HubError):
    """Worth retrying later: timeouts, connection errors, 429, 5xx.

    ``retry_after`` (seconds) is the platform's own hint, honoured by the scheduler of retries.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class AuthError(HubError):
    """The credentials are rejected (401/403, invalid_grant): the connection needs the merchant."""


class PermanentError(HubError):
    """Retrying will not help (a 4xx that is not auth or rate limit, a refused decision)."""


class OrderNotFound(HubError):
    """The shop has no order for this return yet; the core waits and retries until a deadline."""


class AddressNotAllowed(HubError):
    """An outgoing request was refused by the address guard (scheme, private or loopback address)."""


class InvalidPayload(HubError):
    """A platform sent data the plugin cannot map; the core quarantines it with this message."""

    def __init__(self, message: str, *, external_id: str | None = None, raw=None):
        super().__init__(message)
        self.external_id = external_id
        self.raw = raw
