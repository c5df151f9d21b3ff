"""The pipeline as one table: every step a return can take, the job that takes it, the adapter method it
calls, the capability it needs, and the states it moves between.

The state machine's transitions (``hub.sync.state.ALLOWED``), the states each job claims, the job that
moves a waiting return on (after a step, a retry, or in the reconciler), the hints the UI shows and the
conformance kit's capability-vs-method rules are all read from ``STEPS``; nothing repeats it by hand.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hub.manifest import MarketplaceCapabilities, ShopCapabilities
from hub.model import State

S = State


class Job(StrEnum):
    """The RQ jobs of ``hub.sync.jobs``, by name; ``queueing.enqueue`` takes only these."""

    POLL_MARKETPLACE = "poll_marketplace"
    CREATE_IN_SHOP = "create_in_shop"
    POLL_DECISIONS = "poll_decisions"
    PUSH_DECISIONS = "push_decisions"
    POLL_ALL_MARKETPLACES = "poll_all_marketplaces"
    POLL_ALL_DECISIONS = "poll_all_decisions"
    POLL_GROUP = "poll_group"
    RECONCILE = "reconcile"
    REFRESH_STATISTICS = "refresh_statistics"

    @property
    def path(self) -> str:
        """The dotted path RQ imports the job function from."""
        return f"hub.sync.jobs.{self.value}"


@dataclass(frozen=True)
class Guard:
    """A capability a step needs: whose manifest declares it, how it is written there, and the test."""

    kind: str | None  # "marketplace", "shop" or None (no capability needed)
    declared_as: str
    holds: Callable[[MarketplaceCapabilities, ShopCapabilities], bool]

    def __call__(self, marketplace: MarketplaceCapabilities, shop: ShopCapabilities) -> bool:
        return self.holds(marketplace, shop)


ALWAYS = Guard(None, "always", lambda m, s: True)
TAKES_DECISIONS = Guard("marketplace", "push_decision: true", lambda m, s: m.push_decision)
RECORDS_ONLY = Guard("marketplace", "push_decision: false", lambda m, s: not m.push_decision)
PER_LINE_PUSH = Guard("marketplace", "per_line_push: true", lambda m, s: m.push_decision and m.per_line_push)
AUTO_ACCEPTS = Guard("marketplace", "auto_accept_fulfilment", lambda m, s: bool(m.auto_accept_fulfilment))
LOOKS_UP_ORDERS = Guard("marketplace", "fetch_order: true", lambda m, s: m.fetch_order)
SHOP_POLLS = Guard("shop", "decision_source 'poll'", lambda m, s: s.polls_decisions)
SHOP_WEBHOOKS = Guard("shop", "decision_source 'webhook'", lambda m, s: s.webhook_decisions)
SHOP_API = Guard("shop", "decision_source 'api'", lambda m, s: "api" in s.decision_source)


@dataclass(frozen=True)
class Step:
    """One row of the table: ``from_states`` x ``to_states`` are its transitions.

    ``job`` is the job that takes the step (None: a web request or the merchant). ``waits``: a return
    in a from-state waits for ``job`` to move it on (so that job is queued after it arrives there);
    ``claims``: the job leases returns in the from-states in batches. ``hint`` tells the merchant
    what a return in a from-state waits for.
    """

    name: str
    from_states: frozenset[State | None]
    to_states: frozenset[State]
    job: Job | None = None
    adapter: str | None = None  # "marketplace" or "shop": whose adapter method the step calls
    method: str | None = None
    guard: Guard = ALWAYS
    waits: bool = False
    claims: bool = False
    hint: str | None = None

    @property
    def edges(self) -> set[tuple[State | None, State]]:
        return {(a, b) for a in self.from_states for b in self.to_states}


def _step(name, sources, targets, **kw) -> Step:
    return Step(name, frozenset(sources), frozenset(targets), **kw)


WORKING = (S.RECEIVED, S.WAITING_FOR_ORDER, S.IN_SHOP, S.DECIDED)

STEPS: tuple[Step, ...] = (
    _step("import", [None], [S.RECEIVED], job=Job.POLL_MARKETPLACE, adapter="marketplace",
          method="fetch_returns"),
    _step("register", [None], [S.RECEIVED], adapter="marketplace", method="fetch_order", guard=LOOKS_UP_ORDERS),
    _step("create", [S.RECEIVED, S.WAITING_FOR_ORDER], [S.IN_SHOP], job=Job.CREATE_IN_SHOP, adapter="shop",
          method="create_return", waits=True, claims=True, hint="to be created in the shop"),
    _step("wait_for_order", [S.RECEIVED], [S.WAITING_FOR_ORDER], job=Job.CREATE_IN_SHOP, adapter="shop",
          method="find_order", claims=True),
    _step("auto_accept", [S.IN_SHOP], [S.CLOSED_WITHOUT_PUSH], job=Job.CREATE_IN_SHOP, guard=AUTO_ACCEPTS),
    _step("decide_by_poll", [S.IN_SHOP], [S.DECIDED], job=Job.POLL_DECISIONS, adapter="shop",
          method="fetch_decisions", guard=SHOP_POLLS, waits=True,
          hint="for the merchant's decision in the shop (read on every decision poll)"),
    _step("decide_by_webhook", [S.IN_SHOP], [S.DECIDED], adapter="shop", method="parse_webhook",
          guard=SHOP_WEBHOOKS, hint="for the merchant's decision in the shop (announced by its webhook)"),
    _step("decide_by_api", [S.IN_SHOP], [S.DECIDED], guard=SHOP_API,
          hint="for the shop to report the merchant's decision through the API"),
    _step("decide_manually", [S.IN_SHOP, S.NEEDS_ATTENTION], [S.DECIDED]),
    _step("push", [S.DECIDED], [S.PUSHED], job=Job.PUSH_DECISIONS, adapter="marketplace",
          method="push_decision", guard=TAKES_DECISIONS, waits=True, claims=True,
          hint="to be sent to the marketplace"),
    _step("push_lines", [S.IN_SHOP], [], job=Job.PUSH_DECISIONS, adapter="marketplace", method="push_decision",
          guard=PER_LINE_PUSH, waits=True, claims=True),
    _step("close_without_push", [S.DECIDED], [S.CLOSED_WITHOUT_PUSH], guard=RECORDS_ONLY),
    _step("fail", WORKING, [S.NEEDS_ATTENTION]),
    _step("retry", [S.NEEDS_ATTENTION], WORKING),
)

BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
SCHEDULED = frozenset({Job.POLL_MARKETPLACE, Job.POLL_DECISIONS})  # queued on a schedule, not by the reconciler


def allowed() -> dict[State | None, set[State]]:
    """Every transition of the table, by from-state (the final states have none)."""
    table: dict[State | None, set[State]] = {None: set(), **{state: set() for state in State}}
    for step in STEPS:
        for source, target in step.edges:
            table[source].add(target)
    return table


def steps_between(source: State | None, target: State) -> list[Step]:
    """The steps that make the transition ``source -> target`` (empty: it is no transition)."""
    return [step for step in STEPS if (source, target) in step.edges]


def from_states(name: str) -> frozenset[State | None]:
    """The states the step ``name`` starts from."""
    return BY_NAME[name].from_states


def claim_states(job: Job, marketplace: MarketplaceCapabilities, shop: ShopCapabilities) -> list[State]:
    """The states whose returns ``job`` leases, given the connection's capabilities."""
    found = {state for step in STEPS if step.job == job and step.claims and step.guard(marketplace, shop)
             for state in step.from_states}
    return sorted(found, key=list(State).index)


def next_jobs(state: State, marketplace: MarketplaceCapabilities, shop: ShopCapabilities) -> list[Job]:
    """The jobs a return in ``state`` waits for (queue them once it is there); none for a final state."""
    jobs = [step.job for step in STEPS
            if step.waits and state in step.from_states and step.guard(marketplace, shop)]
    return list(dict.fromkeys(jobs))


def reconciled_jobs(marketplace: MarketplaceCapabilities, shop: ShopCapabilities) -> dict[Job, list[State]]:
    """The jobs the reconciler re-queues when returns wait for them, with the states they wait in."""
    found: dict[Job, list[State]] = {}
    for step in STEPS:
        if step.waits and step.claims and step.job not in SCHEDULED and step.guard(marketplace, shop):
            found.setdefault(step.job, [])
            found[step.job] += [s for s in step.from_states if s not in found[step.job]]
    return {job: sorted(states, key=list(State).index) for job, states in found.items()}


def hint(state: State, marketplace: MarketplaceCapabilities, shop: ShopCapabilities) -> str | None:
    """What a return in ``state`` waits for, for the merchant ("Waiting for ..."); None when nothing."""
    for step in STEPS:
        if step.hint and state in step.from_states and step.guard(marketplace, shop):
            return f"Waiting {step.hint}."
    return None


def adapter_methods(kind: str) -> dict[str, list[Guard]]:
    """The adapter methods the pipeline calls on a ``kind`` adapter, each with the guards it is called
    under (ALWAYS: every such adapter needs it). The kit's capability rules read this."""
    methods: dict[str, list[Guard]] = {}
    for step in STEPS:
        if step.adapter == kind and step.method:
            methods.setdefault(step.method, [])
            if step.guard not in methods[step.method]:
                methods[step.method].append(step.guard)
    return methods


def capabilities_of(marketplace_cls, shop_cls) -> tuple[MarketplaceCapabilities, ShopCapabilities]:
    """The capabilities of a connection's two adapter classes (None: a plugin not loaded, nothing declared)."""
    return (marketplace_cls.capabilities if marketplace_cls is not None else MarketplaceCapabilities(),
            shop_cls.capabilities if shop_cls is not None else ShopCapabilities())
