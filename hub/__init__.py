"""Returnhub: marketplace returns into the web shop, the merchant's decision back to the marketplace."""
import pluggy

__version__ = "0.1.0"
HUB_API = 1  # bumped on any break of the plugin contract; manifests declare the range they support

hookimpl = pluggy.HookimplMarker("returnhub")

__all__ = ["__version__", "HUB_API", "hookimpl"]
