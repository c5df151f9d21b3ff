"""Every extension point of Returnhub, one documented hookspec each.

Two mechanisms, on purpose:

* **pluggy hooks** (this module) for one-to-many extension points: adding platforms, observing
  transitions, mounting pages. Every installed plugin may answer; the core collects all answers.
* **adapter classes** (:mod:`hub.adapters`) for the one-to-one work with a platform (fetch, create,
  push). A plugin registers its adapter classes through a hook; the core calls the adapter of a
  connection directly, never broadcasting "fetch returns" to every plugin.

Calling: the core calls each plugin's implementation on its own, through pluggy, so one plugin's
exception never keeps the others from being called. A ``@hookimpl`` whose name is not one of the
hooks below (a typo such as ``returnhub_regster_shops``) fails that plugin when it loads.

Evolution: arguments may be added (pluggy passes only those an implementation names); removing or
renaming one, or changing a return type, bumps ``hub.HUB_API``, which manifests pin.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("returnhub")


@hookspec
def returnhub_register_marketplaces():
    """Add marketplaces.

    Called once per process when the plugins load (inside ``create_app``).

    :return: a list of :class:`hub.adapters.Marketplace` subclasses; each class's ``slug`` must
        equal the ``slug`` of the plugin's manifest.
    """


@hookspec
def returnhub_register_shops():
    """Add shop platforms.

    Called once per process when the plugins load.

    :return: a list of :class:`hub.adapters.Shop` subclasses, ``slug`` as in the manifest.
    """


@hookspec
def returnhub_return_transition(ret, event):
    """Observe a return's state change (notifications, metrics, audit export).

    Called after the transaction that made the change has committed, once per transition, in the
    process that made it. An exception here is logged and never undoes the transition.

    :param ret: the return as :class:`hub.model.Return`, in its new state.
    :param event: dict with ``from_state``, ``to_state``, ``actor``, ``detail``, ``at``.
    :return: ignored.
    """


@hookspec
def returnhub_register_blueprints():
    """Add pages or webhook endpoints.

    Called once when the web app is created. Each blueprint is mounted under
    ``/plugins/<slug>/`` where ``slug`` is the registering plugin's.

    :return: a list of :class:`flask.Blueprint`.
    """


@hookspec
def returnhub_register_emulators():
    """Add emulators of platforms, for tests, benchmarks and ``returnhub demo``.

    Called by ``returnhub demo`` and the test kit, never in production serving.

    :return: a list of :class:`hub.adapters.Emulator`.
    """
