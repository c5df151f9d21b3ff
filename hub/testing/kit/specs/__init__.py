"""Official API descriptions as a kit check: find a manifest's descriptions, load each once per process,
and validate recorded traffic against them (OpenAPI 3, Swagger 2.0, GraphQL)."""
from hub.testing.kit.specs.checker import DescriptionCheck, Missing, description_check, report
from hub.testing.kit.specs.traffic import Exchange, RecordingClientFactory, TrafficRecorder
from hub.testing.kit.specs.violations import Violation

__all__ = ["DescriptionCheck", "Exchange", "Missing", "RecordingClientFactory", "TrafficRecorder", "Violation",
           "description_check", "report"]
