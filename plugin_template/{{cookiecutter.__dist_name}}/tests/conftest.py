"""Opt in to the Returnhub conformance kit: its fixtures and the suites in test_conformance.py."""
pytest_plugins = ["hub.testing"]
