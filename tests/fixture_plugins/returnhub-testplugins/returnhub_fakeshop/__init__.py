"""A small fake shop for the core's tests: orders, returns created once by reference, decisions."""
