"""Plugins that ship with the core and load like installed ones (subject to the allow- and block-lists)."""
