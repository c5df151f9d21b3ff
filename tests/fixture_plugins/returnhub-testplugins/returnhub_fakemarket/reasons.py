"""The fake marketplace's reason codes -> canonical reasons (hub.model.Reason values)."""

REASONS = {"TOO_SMALL": "too_small", "TOO_BIG": "too_big", "BROKEN": "defective", "CHANGED_MIND": "changed_mind"}
