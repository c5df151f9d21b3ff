"""Certifies the plugin with the Returnhub conformance kit, at the quality its manifest declares."""
{%- set cls = cookiecutter.__class_name %}
from hub.testing import {{ "MarketplaceSuite" if cookiecutter.kind == "marketplace" else "ShopSuite" }}
from {{ cookiecutter.__package }} import emulator
{%- if cookiecutter.kind == "marketplace" %}
from {{ cookiecutter.__package }}.adapter import DECISIONS, {{ cls }}Marketplace
{%- else %}
from {{ cookiecutter.__package }}.adapter import OUTCOMES, {{ cls }}Shop
{%- endif %}

{% if cookiecutter.kind == "marketplace" %}
class Test{{ cls }}Conformance(MarketplaceSuite):
    adapter = {{ cls }}Marketplace
    reason_samples = [(code, None) for code in emulator.RETURN_REASONS]  # the emulator's whole vocabulary

    def seed_returns(self, app, count):
        emulator.seed(app, count)

    def pushed_decisions(self, app, ret):
        return {line: DECISIONS[outcome] for line, outcome in emulator.pushed(app, ret.external_id).items()}
{%- else %}
class Test{{ cls }}Conformance(ShopSuite):
    adapter = {{ cls }}Shop

    def decide_in_shop(self, app, shop_return_id, ret, decision):
        emulator.decide(app, shop_return_id, OUTCOMES[decision.value])
{%- endif %}
