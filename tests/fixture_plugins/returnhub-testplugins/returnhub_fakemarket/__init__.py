"""A small fake marketplace for the core's tests: JSON returns, per-line decisions, fault injection."""
