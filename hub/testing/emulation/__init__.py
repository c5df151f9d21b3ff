"""The emulator toolkit: what every platform emulator needs besides the platform's own mapping.

``EmulatorApp`` (Flask app + ledger + faults + rate limits + bearer tokens + OAuth2 + test hooks),
the pieces on their own (``FaultInjector``, ``TokenBucket``/``RateLimits``, ``BearerTokens``,
``OAuth2TokenEndpoint``, ``hmac_signature``/``verify_hmac``), the platform test hooks (``TestHooks``: seed,
break with ``spoil``/``DROP``, state, expire tokens), paging envelopes and JSON errors.
"""
from hub.testing.emulation.app import EmulatorApp, run_in_foreground
from hub.testing.emulation.auth import (
                                        BearerTokens,
                                        Grant,
                                        OAuth2TokenEndpoint,
                                        fresh_timestamp,
                                        hmac_signature,
                                        verify_hmac,
)
from hub.testing.emulation.errors import json_error, oauth_error, problem, too_many_requests
from hub.testing.emulation.faults import Fault, FaultInjector, Seen
from hub.testing.emulation.hooks import DROP, TestHooks, spoil
from hub.testing.emulation.ledger import Entry, Ledger
from hub.testing.emulation.paging import (
                                        BadPagingValue,
                                        by_offset,
                                        decode_token,
                                        encode_token,
                                        next_link_envelope,
                                        next_token_envelope,
                                        offset_envelope,
                                        page_number_envelope,
)
from hub.testing.emulation.ratelimit import RateLimits, TokenBucket

__all__ = ["BadPagingValue", "BearerTokens", "by_offset", "decode_token", "DROP", "EmulatorApp", "encode_token",
           "Entry", "Fault", "FaultInjector", "fresh_timestamp", "Grant", "hmac_signature", "json_error", "Ledger",
           "next_link_envelope", "next_token_envelope", "OAuth2TokenEndpoint", "oauth_error", "offset_envelope",
           "page_number_envelope", "problem", "RateLimits", "run_in_foreground", "Seen", "spoil", "TestHooks", "TokenBucket",
           "too_many_requests", "verify_hmac"]
