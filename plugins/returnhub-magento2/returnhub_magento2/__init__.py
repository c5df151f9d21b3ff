"""Returnhub shop plugin for Magento 2: Adobe Commerce RMA over REST, Open Source by order comment convention."""
__version__ = "0.1.0"
