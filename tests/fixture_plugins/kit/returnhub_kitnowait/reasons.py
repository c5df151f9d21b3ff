"""No return reasons: the kit fixture's returns carry none."""

REASONS: dict = {}
