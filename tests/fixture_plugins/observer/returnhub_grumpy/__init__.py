"""An observer that raises on every transition: the others are still told, the transition stands."""
