"""The built-in ``api`` shop: a custom shop without a plugin talks to Returnhub's REST API instead."""
