"""Encryption at rest for plugin settings marked secret, and their redaction for display."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from marshmallow import Schema

_MARK = "$encrypted"


def secret_fields(schema: Schema | type[Schema]) -> set[str]:
    """Names of the fields a settings schema marks ``metadata={"secret": True}``."""
    schema = schema() if isinstance(schema, type) else schema
    return {name for name, f in schema.fields.items() if f.metadata.get("secret")}


class SecretBox:
    """Fernet keyed from RETURNHUB_SECRET_KEY; encrypts the secret fields of a settings dict."""

    def __init__(self, key: str):
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("stored secret cannot be decrypted: RETURNHUB_SECRET_KEY changed?") from None

    def seal(self, schema, settings: dict) -> dict:
        """The settings as stored: secret fields replaced by ``{"$encrypted": token}``."""
        sealed = dict(settings)
        for name in secret_fields(schema):
            value = sealed.get(name)
            if value is not None and not _is_sealed(value):
                sealed[name] = {_MARK: self.encrypt(str(value))}
        return sealed

    def open(self, settings: dict) -> dict:
        """The settings as an adapter needs them, secrets decrypted."""
        return {k: self.decrypt(v[_MARK]) if _is_sealed(v) else v for k, v in (settings or {}).items()}


def _is_sealed(value) -> bool:
    return isinstance(value, dict) and set(value) == {_MARK}


def redact(schema, settings: dict) -> dict:
    """Settings safe to show: secret fields only say whether they are set."""
    secrets = secret_fields(schema)
    return {k: ("(set)" if v else "") if k in secrets else v for k, v in (settings or {}).items()}
