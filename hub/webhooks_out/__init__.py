"""Outgoing webhooks: return events written to an outbox with their state change, signed, delivered at least once."""
