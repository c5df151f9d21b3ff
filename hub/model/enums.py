"""The closed vocabularies of the canonical model: decisions, fulfilment and states."""
from enum import StrEnum


class Decision(StrEnum):
    """The six outcomes a merchant can choose in the shop."""

    ACCEPTED = "accepted"    # refunded
    REJECTED = "rejected"    # no refund
    REPAIRED = "repaired"    # repaired and sent back, no refund
    EXCHANGED = "exchanged"  # replacement instead of refund
    KEPT = "kept"            # customer keeps the item and is refunded
    CANCELLED = "cancelled"  # request withdrawn


class Fulfilment(StrEnum):
    """Who shipped the order and so who handles the return."""

    MERCHANT = "merchant"
    MARKETPLACE = "marketplace"  # FBB, FBA, ...


class State(StrEnum):
    """A return's place in the pipeline (docs/architecture.md, States)."""

    RECEIVED = "received"
    WAITING_FOR_ORDER = "waiting_for_order"
    IN_SHOP = "in_shop"
    DECIDED = "decided"
    PUSHED = "pushed"
    CLOSED_WITHOUT_PUSH = "closed_without_push"
    NEEDS_ATTENTION = "needs_attention"


OPEN_STATES = frozenset({State.RECEIVED, State.WAITING_FOR_ORDER, State.IN_SHOP, State.DECIDED})
FINAL_STATES = frozenset({State.PUSHED, State.CLOSED_WITHOUT_PUSH})
# A return's merchant_action (what the merchant must do outside Returnhub) is pending while the merchant has
# not decided it yet: "Requires action" in the overview. Once decided (or closed) the action is behind them.
ACTION_PENDING_STATES = frozenset({State.RECEIVED, State.WAITING_FOR_ORDER, State.IN_SHOP, State.NEEDS_ATTENTION})
