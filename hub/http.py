"""The one httpx client factory every plugin uses: address guard, rate limit, retries, redacted logs.

A client from :class:`ClientFactory` never follows redirects, checks every request's host against
the :class:`AddressGuard` and connects to the very address it checked (no DNS rebinding), waits for
the connection's shared :class:`RateLimiter`, retries what is safe to retry, and logs each attempt
through the :class:`Redactor`. :func:`raise_for_status` turns answers into :mod:`hub.errors`.
"""
from __future__ import annotations

import functools
import ipaddress
import json
import logging
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import ClassVar
from urllib.parse import quote, quote_plus

import certifi
import httpx

from hub import clock, metrics
from hub.errors import AddressNotAllowed, AuthError, PermanentError, TransientError
from hub.host_patterns import HostPatterns

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# Errors raised before any byte of the request left: safe to retry for every method.
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

log = logging.getLogger("hub.http")


# --- answers ---------------------------------------------------------------------------------

def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if absent or invalid."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" zone: RFC 5322 says UTC without a claim of local time
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (clock.time() if now is None else now))


def per_minute(requests) -> dict:
    """An operation's ``rate_limit`` (see :meth:`ClientFactory.__call__`) of ``requests`` a minute; a budget a
    seller may set (a setting's value, None when unset: 60)."""
    return {"requests": int(requests or 60), "per_seconds": 60}


def raise_for_status(response: httpx.Response, describe=None) -> None:
    """Raise the :mod:`hub.errors` class that tells the core whether to retry, pause or give up; its message is
    ``describe(response)`` when a plugin reads the platform's own error text (default :func:`describe_error`)."""
    status = response.status_code
    if status < 400:
        return
    message = (describe or _describe)(response)
    if status in (401, 403):
        raise AuthError(message)
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise TransientError(message, retry_after=retry_after, status=status)
    raise PermanentError(message)


def _describe(response: httpx.Response) -> str:
    """'METHOD /path -> status: code: title' without query string or secrets; see :func:`describe_error`."""
    return describe_error(response)


def describe_error(response: httpx.Response) -> str:
    """A readable, secret-free account of an error answer: 'POST /token -> 401: invalid_client: Bad credentials'.

    The platform's error code and message come from JSON bodies of the common shapes (OAuth2
    ``error``/``error_description``, RFC 7807 ``title``/``detail``, ``errors[0].code/message``,
    ``message``/``code``); other bodies give a short excerpt. Every secret the Redactor knows is hidden.
    """
    try:
        where = f"{response.request.method} {response.request.url.path}"
    except RuntimeError:  # a Response built by hand, without its request
        where = "(request unknown)"
    try:
        text = response.text
    except httpx.ResponseNotRead:  # a streamed answer the caller has not read
        text = ""
    code, message = platform_error(text)
    if code or message:
        detail = f"{code}: {message}" if code and message else (code or message)
    else:
        detail = " ".join(text.split())
    head = f"{where} -> {response.status_code}"
    return Redactor.redact(f"{head}: {detail[:200]}" if detail else head)


def platform_error(text: str) -> tuple[str | None, str | None]:
    """(error code, message) from a JSON error body of a common shape; (None, None) if none is found."""
    try:
        body = json.loads(text) if text and text.lstrip()[:1] in ("{", "[") else None
    except ValueError:
        return None, None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = {"errors": body}
    if not isinstance(body, dict):
        return None, None
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return (_text(first.get("code") or first.get("error") or first.get("type")),
                _text(first.get("message") or first.get("detail") or first.get("title")))
    if isinstance(body.get("error"), dict):  # {"error": {"code": ..., "message": ...}}
        inner = body["error"]
        return _text(inner.get("code") or inner.get("status")), _text(inner.get("message"))
    code = body.get("error") or body.get("code") or body.get("errorCode") or body.get("title")
    message = (body.get("error_description") or body.get("detail") or body.get("message")
               or body.get("errorMessage"))
    if code == message:
        message = None
    return _text(code), _text(message)


def _text(value) -> str | None:
    """A short one-line string of a scalar from an error body (None for empty or nested values)."""
    if value is None or isinstance(value, (dict, list)) or value == "":
        return None
    return " ".join(str(value).split())[:160]


# --- address guard ---------------------------------------------------------------------------

def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses; IPv6 forms embedding IPv4 are judged by it."""
    if ip.version == 6:
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded)
        if ip.is_site_local:
            return False
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 (64:ff9b::/96) address leads to."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class AddressGuard:
    """Decides whether a URL may be requested: http(s) only, and every address of its host public.

    ``allow_local`` lists exact host strings (as written in URLs, e.g. ``127.0.0.1``) let through
    although not public: the explicit setting for local emulators. An allowed host's addresses are
    remembered for ``RESOLVE_TTL`` seconds: the client connects to those very addresses, so the cache
    saves a lookup per request without opening a rebinding window.

    ``allowed_hosts`` (a plugin's manifest patterns, :mod:`hub.host_patterns`) limits which host names
    may be requested at all, before any lookup; None allows any public host. Hosts in ``allow_local``
    pass either way.
    """

    RESOLVE_TTL = 10.0

    def __init__(self, allow_local: Iterable[str] = (), allowed_hosts: HostPatterns | None = None):
        self.allow_local = frozenset(host.strip("[]").lower() for host in allow_local)
        self.allowed_hosts = allowed_hosts
        self._resolved: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}

    def resolve(self, url: str | httpx.URL) -> list[IPAddress]:
        """The addresses to connect to for ``url``; AddressNotAllowed if any is refused.

        Numeric spellings ("2130706433", "0x7f000001", "127.1") are judged by what getaddrinfo
        makes of them, never by the string. A name that does not resolve raises ``socket.gaierror``.
        """
        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise AddressNotAllowed(f"invalid URL: {exc}") from exc
        if parsed.scheme not in _DEFAULT_PORTS:
            raise AddressNotAllowed(f"scheme {parsed.scheme!r} is not allowed (http or https only)")
        if not parsed.raw_host:
            raise AddressNotAllowed("URL has no host")
        host = parsed.raw_host.decode("ascii")
        key = (host.lower(), parsed.port or _DEFAULT_PORTS[parsed.scheme])
        if self.allowed_hosts is not None and key[0] not in self.allow_local:
            self.allowed_hosts.check(host)
        cached = self._resolved.get(key)
        if cached is not None and cached[0] > clock.monotonic():
            return cached[1]
        infos = socket.getaddrinfo(host, key[1], type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if key[0] not in self.allow_local:
            refused = [str(ip) for ip in addresses if not is_public_address(ip)]
            if refused:
                raise AddressNotAllowed(f"host {host} resolves to non-public {', '.join(refused)}")
        self._resolved[key] = (clock.monotonic() + self.RESOLVE_TTL, addresses)
        return addresses


# --- rate limit ------------------------------------------------------------------------------

# KEYS[1]: the bucket (hash: tokens available at time ts). ARGV: capacity, refill rate per second,
# pause seconds (0: take tokens), most tokens to take, now ('' for Redis TIME). ts in the future means
# paused until then. Returns {seconds to wait before a token is available, tokens taken}. Redis TIME is
# the shared clock of every worker; a fake clock in force (tests) passes its own time instead.
_BUCKET_LUA = """
local capacity, rate, pause, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local given = tonumber(ARGV[5])
local now = given
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if ts <= now then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local wait, taken = 0, 0
if pause > 0 then
  if now + pause > ts then tokens, ts = 1, now + pause end
elseif ts == now and tokens >= 1 then
  taken = math.min(want, math.floor(tokens))
  tokens = tokens - taken
else
  -- never 0 without a token: the caller would go on without one
  wait = math.max(0.000001, ts - now + math.max(0, 1 - tokens) / rate)
end
-- %.17g round-trips a double: a rounded ts a hair after now would leave the bucket stuck in the future
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
local ttl = math.ceil((ts - now + capacity / rate) * 1000) + 1000
if given ~= nil then ttl = ttl + 3600000 end  -- a fake clock's bucket must not expire with real time
redis.call('PEXPIRE', KEYS[1], ttl)
return {string.format('%.9f', wait), taken}
"""


class RateLimiter:
    """Token bucket in Redis (one Lua script, atomic), shared by every worker process of a connection.

    Bursts up to ``requests``, refills ``requests / per_seconds`` a second. After :meth:`pause`
    the bucket restarts with one token, so sending resumes at the steady rate, not in a burst.

    A fast bucket (``LEASE_RATE`` requests a second or more) hands a process several tokens per
    Redis call, to be spent within ``LEASE_SECONDS``: the rate still holds, since every request
    spends a token taken from the shared bucket, and another worker's pause reaches this one within
    ``LEASE_SECONDS``. Slower buckets take one token per request.
    """

    LEASE_RATE = 40.0
    LEASE_MAX = 10
    LEASE_SECONDS = 0.25

    def __init__(self, redis, key: str, requests: int, per_seconds: float):
        if requests < 1 or per_seconds <= 0:
            raise ValueError("rate limit needs requests >= 1 and per_seconds > 0")
        self.key = f"returnhub:ratelimit:{key}"
        self.capacity = requests
        self.rate = requests / per_seconds
        self.lease = 1 if self.rate < self.LEASE_RATE else max(1, min(self.LEASE_MAX, int(self.rate / 20)))
        self.sleep = clock.sleep
        self._script = redis.register_script(_BUCKET_LUA)
        self._lock = threading.Lock()
        self._leased, self._leased_until = 0, 0.0

    def _run(self, pause: float, want: int = 1) -> tuple[float, int]:
        now = "" if isinstance(clock.get(), clock.SystemClock) else repr(clock.time())
        wait, taken = self._script(keys=[self.key], args=[self.capacity, self.rate, pause, want, now])
        return float(wait), int(taken)

    def _take(self) -> float:
        """Take a token (from this process's lease, else from Redis); 0, or the seconds to wait."""
        with self._lock:
            if self._leased and clock.monotonic() < self._leased_until:
                self._leased -= 1
                return 0.0
            wait, taken = self._run(0, self.lease)
            if taken:
                self._leased, self._leased_until = taken - 1, clock.monotonic() + self.LEASE_SECONDS
            return wait

    def acquire(self, timeout: float = 30.0) -> None:
        """Block (sleeping) until a token is taken; TransientError if none within ``timeout``."""
        deadline = clock.monotonic() + timeout
        while (wait := self._take()) > 0:
            if clock.monotonic() + wait > deadline:
                raise TransientError(f"rate limit: no request slot within {timeout:g} s",
                                     retry_after=wait)
            self.sleep(wait)

    def pause(self, seconds: float) -> None:
        """No worker sends for this key for ``seconds`` (after a 429 with Retry-After)."""
        if seconds > 0:
            with self._lock:
                self._leased = 0
            self._run(seconds)


# --- log redaction ---------------------------------------------------------------------------

_SECRET_PARAM = re.compile(
    r"(?i)([?&;][^=&#\s]*(?:token|secret|key|password|passwd|signature|auth)[^=&#\s]*=)[^&#\s'\"]*")
_SECRET_HEADER = re.compile(  # not after "/": "POST /token: ConnectError" is a path, not a header
    r"(?i)(?<![/\w-])((?:proxy-)?authorization|cookie|set-cookie|x-api-key|api-key|apikey"
    r"|[\w-]*(?:token|secret|password|signature)[\w-]*)"
    r"(['\"]?\s*:\s*['\"]?|['\"],\s*b['\"])[^\r\n'\",}]+")  # "Name: v", {'name': 'v'}, (b'Name', b'v')
_SCHEME_CREDENTIALS = re.compile(  # "Token" only before a credential-like word: "Token expired" stays
    r"(?i)\b(Bearer|Basic|Digest|Token(?=\s+(?:[\w.~+/=-]{16}|[\w.~+/=-]*\d)))\s+(?=[\w.~+/=-]*\w)[\w.~+/=-]+")
_URL_PASSWORD = re.compile(r"(//[^/:@\s]*:)[^/@\s]+@")


class Redactor(logging.Filter):
    """Replaces secrets with "***" in log records: registered values (also URL-encoded),
    Authorization and token-like header values, query parameters named like secrets, and the
    values of header and parameter names registered as secret (``Shop-Client-Key``, ``sign``).

    Secrets and secret names are registered process-wide (``Redactor.add``, ``Redactor.add_names``):
    a secret is hidden in every record any Redactor sees, whichever connection registered it.
    """

    _secrets: ClassVar[set[str]] = set()
    _pattern: ClassVar[re.Pattern | None] = None
    _recent: ClassVar[dict[str, None]] = {}  # short-lived values (signatures), newest last, bounded
    RECENT_MAX: ClassVar[int] = 256
    _names: ClassVar[set[str]] = set()
    _name_patterns: ClassVar[tuple[re.Pattern, ...]] = ()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def add(cls, secret: str) -> None:
        """Register a secret value to hide from now on."""
        if not secret:
            return
        with cls._lock:
            cls._secrets |= {secret, quote(secret, safe=""), quote_plus(secret)}
            ordered = sorted(cls._secrets, key=len, reverse=True)  # longest first: no partial leaks
            cls._pattern = re.compile("|".join(map(re.escape, ordered)))

    @classmethod
    def add_recent(cls, secret: str) -> None:
        """Hide a one-off value (a request signature) while it is among the last ``RECENT_MAX`` registered."""
        if not secret or len(secret) < 8:
            return
        with cls._lock:
            for value in (secret, quote(secret, safe="")):
                cls._recent.pop(value, None)
                cls._recent[value] = None
            while len(cls._recent) > cls.RECENT_MAX:
                del cls._recent[next(iter(cls._recent))]

    @classmethod
    def discard(cls, secret: str) -> None:
        """Stop looking for a value no longer in use (a replaced access token), so the pattern stays small."""
        if not secret:
            return
        with cls._lock:
            cls._secrets -= {secret, quote(secret, safe=""), quote_plus(secret)}
            ordered = sorted(cls._secrets, key=len, reverse=True)
            cls._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @classmethod
    def add_names(cls, *names: str) -> None:
        """Register header or query/form parameter names whose values are secret, e.g. ``Shop-Signature``."""
        fresh = {name.lower() for name in names if name} - cls._names
        if not fresh:
            return
        with cls._lock:
            cls._names |= fresh
            alternatives = "|".join(map(re.escape, sorted(cls._names, key=len, reverse=True)))
            cls._name_patterns = (
                # "Name: v", {'name': 'v'}, (b'Name', b'v'), "name": "v" (JSON)
                re.compile(rf"(?i)(?<![\w-])({alternatives})(['\"]?\s*:\s*['\"]?|['\"],\s*b['\"])[^\r\n'\",}}]+"),
                # name=v in a query string or form body
                re.compile(rf"(?i)(?<![\w-])({alternatives})(=)[^&#\s'\"]*"),
            )

    @classmethod
    def redact(cls, text: str) -> str:
        """``text`` with every secret replaced by ***."""
        if cls._pattern is not None:
            text = cls._pattern.sub("***", text)
        with cls._lock:
            recent = list(cls._recent)
        for value in recent:
            if value in text:
                text = text.replace(value, "***")
        for pattern in cls._name_patterns:
            text = pattern.sub(r"\1\2***", text)
        text = _SCHEME_CREDENTIALS.sub(r"\1 ***", text)
        text = _SECRET_HEADER.sub(r"\1\2***", text)
        text = _URL_PASSWORD.sub(r"\1***@", text)
        return _SECRET_PARAM.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


# httpx logs every full URL (query string included) at INFO and httpcore the response headers
# at DEBUG: redact them as well as our own lines (a logger's filters skip its children's records).
_redactor = Redactor()
for _name in ("hub.http", "hub.sdk", "hub.sync.jobs", "rq.worker", "httpx", "httpcore.connection",
              "httpcore.http11", "httpcore.http2", "httpcore.proxy", "httpcore.socks"):
    logging.getLogger(_name).addFilter(_redactor)


# --- clients ---------------------------------------------------------------------------------

class ClientFactory:
    """Makes the httpx clients of one connection, all sharing its guard, rate limit and policy.

    ``sleep`` (an attribute) is what waits between retries; tests replace it.

    ``allowed_hosts`` (a plugin's manifest patterns, or a list of them) limits the hosts every
    client may reach; None (the core's own clients) leaves any public host.
    """

    metrics_label: str | None = None  # the plugin whose calls these are, for /metrics (None: not counted)

    def __init__(self, *, redis=None, limiter_key: str | None = None, rate_limit: dict | None = None,
                 allow_local: Iterable[str] = (), allowed_hosts: HostPatterns | Iterable[str] | None = None,
                 timeout: float = 10.0, retries: int = 3,
                 backoff_base: float = 0.5, backoff_max: float = 20.0, max_retry_after: float = 60.0,
                 secrets: Iterable[str] = (), max_connections: int = 20):
        if allowed_hosts is not None and not isinstance(allowed_hosts, HostPatterns):
            allowed_hosts = HostPatterns(allowed_hosts)
        self.guard = AddressGuard(allow_local, allowed_hosts)
        self.redis = redis
        self.limiter_key = limiter_key
        self.limiter = (RateLimiter(redis, limiter_key, **rate_limit)
                        if redis is not None and limiter_key and rate_limit else None)
        self.timeout = timeout
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.limits = httpx.Limits(max_connections=max_connections,
                                   max_keepalive_connections=max_connections)
        self.sleep = clock.sleep
        for secret in secrets:
            Redactor.add(secret)

    def __call__(self, base_url: str, *, headers: dict | None = None, auth=None,
                 timeout: float | None = None, operation: str | None = None,
                 rate_limit: dict | None = None) -> httpx.Client:
        """A client for ``base_url``; close it (or use ``with``) when done.

        ``operation`` + ``rate_limit`` add a bucket of their own (shared by every worker of the
        connection) on top of the connection's: for APIs that limit each operation separately.
        """
        limiters = [self.limiter] if self.limiter is not None else []
        if operation and rate_limit and self.redis is not None and self.limiter_key:
            limiters.append(RateLimiter(self.redis, f"{self.limiter_key}:{operation}", **rate_limit))
        return httpx.Client(
            base_url=base_url, headers=headers, auth=auth,
            timeout=self.timeout if timeout is None else timeout,
            follow_redirects=False, trust_env=False,  # no env proxies, no .netrc credentials
            transport=_GuardedTransport(self, limiters),
        )

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(backoff_max, backoff_base * 2**attempt)]."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2 ** attempt))


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for the process: building one costs tens of milliseconds."""
    return ssl.create_default_context(cafile=certifi.where())


class _GuardedTransport(httpx.BaseTransport):
    """Guards, pins, rate-limits, retries and logs every request of one client.

    One connection pool per origin host: a TLS connection verified for one name is never reused
    for another name that happens to resolve to the same address.
    """

    def __init__(self, factory: ClientFactory, limiters: list[RateLimiter]):
        self._factory = factory
        self._limiters = limiters
        self._pools: dict[tuple, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        factory = self._factory
        retry_sent = request.extensions.get("returnhub_retry", request.method in IDEMPOTENT_METHODS)
        attempt = 0
        while True:
            for limiter in self._limiters:
                limiter.acquire()
            prepare = request.extensions.get("returnhub_prepare")
            if prepare is not None:  # an hub.sdk.auth object: fresh token / signature for this attempt
                prepare(request)
            try:
                response = self._send(request, attempt)
            except httpx.TransportError as exc:
                if attempt >= factory.retries or not (retry_sent or isinstance(exc, _NOTHING_SENT)):
                    raise TransientError(Redactor.redact(
                        f"{request.method} {request.url.path}: {type(exc).__name__} {exc} "
                        f"(attempt {attempt + 1})")) from exc
                delay = factory.backoff(attempt)
            else:
                delay = self._retry_delay(response, attempt, retry_sent)
                if delay is None:
                    return response
                response.close()
            factory.sleep(delay)
            attempt += 1

    def _retry_delay(self, response: httpx.Response, attempt: int, retry_sent: bool) -> float | None:
        """Seconds to wait before retrying this answer, or None to hand it to the caller."""
        factory = self._factory
        status = response.status_code
        if status in (429, 503):  # refused before processing: safe to repeat for every method
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                for limiter in self._limiters:
                    limiter.pause(retry_after)
                if retry_after > factory.max_retry_after or attempt >= factory.retries:
                    return None
                return retry_after
        elif status < 500 or not retry_sent:
            return None
        return factory.backoff(attempt) if attempt < factory.retries else None

    def _send(self, request: httpx.Request, attempt: int) -> httpx.Response:
        """One attempt: resolve and check the host, connect to a checked address, log the outcome."""
        url = request.url
        try:
            addresses = self._factory.guard.resolve(url)
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {url.host}: {exc}", request=request) from exc
        except AddressNotAllowed as exc:
            log.warning("refused %s %s: %s", request.method, url, exc)
            raise
        pool = self._pool(url)
        started = time.perf_counter()
        try:
            response = self._connect_first(pool, request, addresses)
        except httpx.TransportError as exc:
            log.debug("%s %s -> %s after %d ms (attempt %d)", request.method, url,
                      type(exc).__name__, (time.perf_counter() - started) * 1000, attempt + 1)
            metrics.count_http(self._factory.redis, self._factory.metrics_label, None)
            raise
        metrics.count_http(self._factory.redis, self._factory.metrics_label, response.status_code)
        log.debug("%s %s -> %d in %d ms (attempt %d)", request.method, url, response.status_code,
                  (time.perf_counter() - started) * 1000, attempt + 1)
        return response

    @staticmethod
    def _connect_first(pool: httpx.HTTPTransport, request: httpx.Request,
                       addresses: list[IPAddress]) -> httpx.Response:
        """Send to the first checked address that accepts a connection."""
        if len(addresses) == 1 and request.url.host == str(addresses[0]):
            return pool.handle_request(request)  # an address literal: already pinned
        for ip in addresses:
            extensions = dict(request.extensions)
            if request.url.scheme == "https":  # TLS verifies the name while the socket uses the IP
                extensions["sni_hostname"] = request.url.raw_host.decode("ascii")
            pinned = httpx.Request(request.method, request.url.copy_with(host=str(ip)),
                                   headers=request.headers,  # keeps the Host header of the name
                                   stream=request.stream, extensions=extensions)
            try:
                return pool.handle_request(pinned)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = exc
        raise error

    def _pool(self, url: httpx.URL) -> httpx.HTTPTransport:
        key = (url.scheme, url.raw_host, url.port)
        with self._lock:
            if key not in self._pools:
                self._pools[key] = httpx.HTTPTransport(limits=self._factory.limits, verify=_tls_context())
            return self._pools[key]

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
