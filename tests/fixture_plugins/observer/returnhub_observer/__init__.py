"""An extension plugin that records every transition it is told about (for the hook's test)."""
