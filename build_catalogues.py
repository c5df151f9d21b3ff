"""Build hook (setup.cfg ``cmdclass``): the web app's translation catalogues
(hub/translations/*/LC_MESSAGES/messages.po) are compiled to .mo when the package is built, so a wheel
ships them ready. A checkout or editable install compiles them at start-up instead (hub.i18n)."""
from pathlib import Path

from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """build_py, then compile every copied .po catalogue next to itself (what ``pybabel compile`` does)."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        for po in Path(self.build_lib, "hub", "translations").glob("*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as out:
                write_mo(out, catalog, use_fuzzy=False)

