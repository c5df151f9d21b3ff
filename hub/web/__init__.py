"""The merchant web app: one blueprint per area."""
