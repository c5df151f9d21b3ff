"""Returnhub shop plugin for Magento 1 / OpenMage over SOAP v2."""
__version__ = "0.1.0"
