"""One zeep view of the shipped Magento 1 SOAP v2 WSDL (the subset Returnhub uses) per process: it builds and
reads every message (the client's and the emulator's), so both follow the WSDL's schema. Loading never goes online."""
from __future__ import annotations

import functools
from pathlib import Path

import zeep
from zeep.transports import Transport

WSDL_DIR = Path(__file__).parent / "wsdl"
WSDL = WSDL_DIR / "magento1-v2-returnhub.wsdl.xml"
NAMESPACE = "urn:Magento"
SOAP_ENCODING = "http://schemas.xmlsoap.org/soap/encoding/"


class OfflineTransport(Transport):
    """Loads the WSDL and the SOAP encoding schema from the package; never fetches anything."""

    def load(self, url):
        if url.rstrip("/") == SOAP_ENCODING.rstrip("/"):
            return (WSDL_DIR / "soap-encoding.xsd").read_bytes()
        if Path(url).resolve() == WSDL.resolve() or url == str(WSDL):
            return WSDL.read_bytes()
        raise ValueError(f"the Magento 1 WSDL refers to {url}, which is not shipped with the plugin")


@functools.lru_cache(maxsize=1)
def client() -> zeep.Client:
    """The zeep client for the WSDL (its service address is never used: calls go through the core's client)."""
    return zeep.Client(str(WSDL), transport=OfflineTransport(),
                       settings=zeep.Settings(strict=False))


def operation(name: str):
    """The binding operation ``name`` (KeyError for one the WSDL does not have)."""
    return client().service._binding._operations[name]
