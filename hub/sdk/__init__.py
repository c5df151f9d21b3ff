"""The plugin SDK: auth objects, paginators, the incremental cursor and detail fetches (public contract).

Plugins import from the submodules: :mod:`hub.sdk.auth`, :mod:`hub.sdk.signing`, :mod:`hub.sdk.paging`,
:mod:`hub.sdk.cursor`, :mod:`hub.sdk.details`, :mod:`hub.sdk.tokens` (platform token calls).
See docs/writing-plugins.md, "The SDK: auth, paging, cursors".
"""
