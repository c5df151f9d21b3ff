"""An observer whose hook names only ``event``: pluggy passes it that argument alone."""
