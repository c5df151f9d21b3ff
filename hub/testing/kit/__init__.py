"""The conformance kit: the suites a plugin subclasses to certify itself, and what they run on."""
from hub.testing.kit.base import PluginSuite, tier
from hub.testing.kit.clock import FakeClock
from hub.testing.kit.faults import FaultInjector, RunningEmulator
from hub.testing.kit.marketplace import MarketplaceSuite
from hub.testing.kit.shop import ShopSuite

__all__ = ["FakeClock", "FaultInjector", "MarketplaceSuite", "PluginSuite", "RunningEmulator", "ShopSuite", "tier"]
