"""The canonical return: what every marketplace plugin produces and every shop plugin consumes."""
from hub.model.canonical import (
    Address,
    Customer,
    Line,
    LineDecision,
    Order,
    OrderLine,
    Page,
    Quarantined,
    Return,
    ReturnDecisions,
)
from hub.model.enums import Decision, Fulfilment, State
from hub.model.schemas import LineDecisionSchema, ReturnSchema, load_order, load_return

__all__ = [
    "Address", "Customer", "Decision", "Fulfilment", "Line", "LineDecision", "LineDecisionSchema",
    "Order", "OrderLine", "Page", "Quarantined", "Return", "ReturnDecisions", "ReturnSchema", "State",
    "load_order", "load_return",
]
