"""Magento integration credentials as an httpx auth: a bearer token, or OAuth 1.0a HMAC-SHA256 signatures.

Magento signs integration calls with OAuth 1.0a; the access token alone works as a bearer token only
where the store allows it (``oauth/consumer/enable_integration_as_bearer``). The signature base string
and HMAC come from oauthlib; JSON bodies are not part of an OAuth 1.0a signature.
"""
from __future__ import annotations

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client

from hub.sdk.auth import BearerAuth, Signature, SigningAuth, ToSign


def oauth1_signer(consumer_key: str, consumer_secret: str, token: str, token_secret: str):
    """A :class:`hub.sdk.auth.SigningAuth` signer: a fresh OAuth 1.0a ``Authorization`` header per attempt."""

    def sign(req: ToSign) -> Signature:
        client = Client(consumer_key, client_secret=consumer_secret, resource_owner_key=token,
                        resource_owner_secret=token_secret, signature_method=SIGNATURE_HMAC_SHA256,
                        timestamp=str(int(req.time)))
        _, headers, _ = client.sign(str(req.url), http_method=req.method)
        return Signature(headers={"Authorization": headers["Authorization"]})

    return sign


def magento_auth(settings: dict):
    """The auth object the settings ask for (``auth_method`` bearer or oauth1)."""
    if settings.get("auth_method") == "oauth1":
        signer = oauth1_signer(settings["consumer_key"], settings["consumer_secret"], settings["access_token"],
                               settings["access_token_secret"])
        return SigningAuth(signer, secret_headers=["Authorization"],
                           secrets=[settings["consumer_secret"], settings["access_token"],
                                    settings["access_token_secret"], settings["consumer_key"]])
    return BearerAuth(settings["access_token"])
