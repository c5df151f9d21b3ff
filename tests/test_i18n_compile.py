"""Several processes (gunicorn's workers booting together) may compile the same catalogue at once:
each writes its own temporary file, so none fails on another's rename."""
from __future__ import annotations

import threading

from hub import i18n


def test_concurrent_compiles_of_one_catalogue_all_succeed(tmp_path):
    po = sorted(i18n.SOURCE.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))[0]
    mo = tmp_path / "messages.mo"
    errors = []
    for _ in range(20):
        start = threading.Barrier(4, timeout=30)

        def compile_one(start=start):
            try:
                start.wait()
                i18n.compile_catalogue(po, mo)
            except Exception as exc:  # the test reports whatever a compile raised
                errors.append(exc)

        threads = [threading.Thread(target=compile_one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert mo.stat().st_size > 0 and not list(tmp_path.glob("*.tmp"))
