"""Magento 1 SOAP v2 calls through the core's HTTP client: zeep builds and reads the messages, a session from
login() is kept and renewed once when Magento says it expired, faults and HTML answers become clear errors."""
from __future__ import annotations

from types import SimpleNamespace

import httpx
from lxml import etree
from zeep.exceptions import Fault, XMLSyntaxError
from zeep.helpers import serialize_object

from hub.errors import AuthError, PermanentError, TransientError
from hub.http import raise_for_status
from returnhub_magento1 import wsdl_client

ENDPOINT = "/index.php/api/v2_soap/index/"
SESSION_EXPIRED = "5"  # Mage_Api global fault: 'Session expired. Try to relogin.'
ACCESS_DENIED = "2"  # 'Access denied.': wrong API user/key, or a role without the resource
ORDER_NOT_EXISTS = "100"  # sales_order fault: 'Requested order not exists.'
CREDITMEMO_NOT_EXISTS = "100"


class SoapFault(PermanentError):
    """Magento answered a SOAP fault: ``code`` is its faultcode (e.g. '100', '101')."""

    def __init__(self, operation: str, code: str, message: str):
        super().__init__(f"Magento SOAP fault {code} on {operation}: {message}")
        self.code, self.fault_message = code, message


class MagentoSoap:
    """The store's SOAP v2 endpoint (``<store_url>/index.php/api/v2_soap/index/``) with one API session."""

    def __init__(self, ctx, settings: dict):
        self.settings = settings
        self.memo = ctx.memo
        self.key = f"magento1:session:{settings['store_url']}:{settings['api_user']}"
        self.http: httpx.Client = ctx.http(settings["store_url"].rstrip("/"),
                                           headers={"Content-Type": "text/xml; charset=utf-8"})

    def close(self) -> None:
        self.http.close()

    def login(self) -> str:
        """A new session id (login(username, apiKey)); AuthError for a refused user or key."""
        try:
            session = self._send("login", username=self.settings["api_user"], apiKey=self.settings["api_key"])
        except SoapFault as exc:
            if exc.code == ACCESS_DENIED:
                raise AuthError(f"Magento refused the API user and key ({exc.fault_message}): check System › Web "
                                "Services › SOAP/XML-RPC Users and the user's role") from exc
            raise
        self.memo[self.key] = session
        return session

    def call(self, operation: str, **params):
        """``operation`` with the session; one new login when Magento says the session expired."""
        session = self.memo.get(self.key) or self.login()
        try:
            return self._send(operation, sessionId=session, **params)
        except SoapFault as exc:
            if exc.code != SESSION_EXPIRED:
                if exc.code == ACCESS_DENIED:
                    raise AuthError(f"{exc} (the API user's role lacks this resource)") from exc
                raise
        self.memo.pop(self.key, None)
        try:
            return self._send(operation, sessionId=self.login(), **params)
        except SoapFault as exc:
            if exc.code == SESSION_EXPIRED:
                raise AuthError(f"{exc}: a fresh session expired at once (check the store's API session "
                                "timeout)") from exc
            raise

    def _send(self, operation: str, **params):
        op = wsdl_client.operation(operation)
        envelope = op.input.serialize(**params)
        body = etree.tostring(envelope.content, xml_declaration=True, encoding="utf-8")
        headers = {"SOAPAction": f'"{op.soapaction}"'}
        # No automatic re-send after a lost answer: salesOrderAddComment is looked up before it is repeated.
        response = self.http.post(ENDPOINT, content=body, headers=headers)
        return self._read(operation, op, response)

    def _read(self, operation: str, op, response: httpx.Response):
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        where = f"{operation} ({response.request.url.path})"
        if "xml" not in kind:
            if response.status_code in (401, 403, 429) or response.status_code >= 500:
                if response.status_code in (502, 503, 504) and "html" in kind:
                    raise TransientError(f"{where} -> {response.status_code}: the store answered an HTML page "
                                         "instead of its SOAP API (maintenance mode?); retrying later",
                                         status=response.status_code)
                raise_for_status(response)
            raise PermanentError(f"{where} -> {response.status_code}: the store answered {kind or 'no XML'} "
                                 "instead of SOAP XML: is the store URL the Magento base URL (SOAP v2 under "
                                 "/index.php/api/v2_soap/)?")
        if response.status_code in (401, 403, 429):
            raise_for_status(response)
        reply = SimpleNamespace(status_code=response.status_code, content=response.content,
                                headers=response.headers, encoding="utf-8")
        try:
            result = wsdl_client.client().service._binding.process_reply(wsdl_client.client(), op, reply)
        except Fault as fault:
            raise SoapFault(operation, str(fault.code or ""), str(fault.message or "")) from fault
        except XMLSyntaxError as exc:
            if response.status_code >= 500:
                raise_for_status(response)
            raise PermanentError(f"{where}: the store's answer is not SOAP XML ({exc})") from exc
        if response.status_code >= 500:
            raise_for_status(response)
        return serialize_object(result, dict)
