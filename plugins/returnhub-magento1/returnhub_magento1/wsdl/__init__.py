"""Returnhub's own WSDL for the subset of the Magento 1 SOAP v2 API it uses, and the SOAP encoding schema part."""
