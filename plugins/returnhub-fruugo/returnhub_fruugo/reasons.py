"""Fruugo's return reasons: none arrive. Its order API counts announced and returned items per order line
and names no reason (the optional ``returnReason`` is one the retailer sends with a confirmation), so
every Fruugo line has no reason code or text and nothing is mapped; the kit checks that none is sent."""

REASONS: dict = {}
