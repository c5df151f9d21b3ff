"""Registers the {{ cookiecutter.platform_name }} {{ cookiecutter.kind }} and its emulator with Returnhub."""
from hub import hookimpl
from hub.adapters import Emulator


{% if cookiecutter.kind == "marketplace" -%}
@hookimpl
def returnhub_register_marketplaces():
    from {{ cookiecutter.__package }}.adapter import {{ cookiecutter.__class_name }}Marketplace
    return [{{ cookiecutter.__class_name }}Marketplace]
{%- else -%}
@hookimpl
def returnhub_register_shops():
    from {{ cookiecutter.__package }}.adapter import {{ cookiecutter.__class_name }}Shop
    return [{{ cookiecutter.__class_name }}Shop]
{%- endif %}


@hookimpl
def returnhub_register_emulators():
    from {{ cookiecutter.__package }} import emulator
    return [Emulator(slug="{{ cookiecutter.slug }}", create_app=emulator.create_app,
                     settings=emulator.settings,
{%- if cookiecutter.kind == "shop" %} seed_orders=emulator.seed_orders{% else %} demo_orders=emulator.demo_orders{% endif %})]
