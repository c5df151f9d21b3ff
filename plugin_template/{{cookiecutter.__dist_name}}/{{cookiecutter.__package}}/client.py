"""The HTTP client of the example API that ``emulator.py`` serves: replace its calls with the platform's.

Every request goes through ``ctx.http`` (the core's client: address guard, the manifest's rate
limit, retries honouring Retry-After, redacted logs); ``raise_for_status`` turns answers into the
errors the core understands (401/403 → AuthError, 429/5xx → TransientError, other 4xx → PermanentError).
"""
from __future__ import annotations

from hub.http import raise_for_status


class Client:
    def __init__(self, ctx, settings: dict):
{%- if cookiecutter.auth == "api_key" %}
        self.http = ctx.http(settings["base_url"], headers={"X-Api-Key": settings["api_key"]})
{%- elif cookiecutter.auth == "bearer_token" %}
        self.http = ctx.http(settings["base_url"], headers={"Authorization": f"Bearer {settings['access_token']}"})
{%- else %}
        self.http = ctx.http(settings["base_url"], auth=(settings["username"], settings["password"]))
{%- endif %}

    def close(self) -> None:
        self.http.close()

    def call(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        response = self.http.request(method, path, params=params, json=body)
        raise_for_status(response)
        return response.json()
