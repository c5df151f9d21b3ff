"""The OpenMage SOAP v2 WSDL (merged as a store serves it at /api/v2_soap/?wsdl=1) and the SOAP encoding schema."""
