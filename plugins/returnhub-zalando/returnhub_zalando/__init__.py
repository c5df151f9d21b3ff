"""Returnhub plugin for Zalando zDirect: partner-fulfilled returns out, ZSS and ZRS returns in."""
__version__ = "0.1.0"
