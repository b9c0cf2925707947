"""Install the emulated Personalize backend into moto, for both in-process and server mode.

moto has no plugin mechanism: ``moto.backends.get_backend("personalize")`` reads the attribute
``personalize_backends`` of ``moto.personalize``, so we replace it (and the same name in moto's own
models and responses modules, which look it up at call time). Server mode caches one Flask app per
service at the first request, so ``install()`` must run before the server serves anything.

personalize-runtime and personalize-events need nothing more in server mode: moto's server picks the
backend by the SigV4 credential scope, which is ``personalize`` for all three APIs, and the Personalize
app then routes by path (``urls.py``). In-process, their hosts are in ``urls.url_bases``.
"""

import functools
import re

_installed = False


def install() -> None:
    """Replace moto's schema-only Personalize backend with the emulator's (idempotent).

    Every call also (re-)reads ``PERSONALIZE_EMULATOR_STEP_SECONDS`` into the default transitions, so that
    each ``mock_personalize()`` honours the environment of its moment.
    """
    global _installed
    from .kinds import KINDS
    from .lifecycle import register_default_transitions

    register_default_transitions([kind.arn_resource_type for kind in KINDS.values()])
    if _installed:
        return
    import moto.backend_index
    import moto.core.responses
    import moto.moto_api._internal.urls
    import moto.personalize
    import moto.personalize.models
    import moto.personalize.responses

    from . import faults, urls
    from .models import personalize_backends

    for module in (moto.personalize, moto.personalize.models, moto.personalize.responses):
        module.personalize_backends = personalize_backends  # type: ignore[attr-defined]
    _route_personalize_first(moto.backend_index.backend_url_patterns, urls.url_bases)
    # Beside moto's own /moto-api routes, which both modes serve without a signature.
    moto.moto_api._internal.urls.url_paths[f"{{0}}{faults.ROUTE}$"] = faults.faults_route
    # moto lists a response class's methods (inspect.getmembers) on every request; classes do not change
    # once imported, so the list is remembered. A third of an in-process describe's time otherwise.
    moto.core.responses.method_names_from_class = functools.cache(moto.core.responses.method_names_from_class)
    _installed = True


def _route_personalize_first(patterns: list[tuple[str, re.Pattern[str]]], url_bases: list[str]) -> None:
    """Put Personalize's URL patterns first in moto's routing table.

    In-process, moto tries the table's patterns (one per service, ~180) in order on every request; ours
    first makes Personalize requests cheap and costs every other service one failed match.
    """
    ours = [(service, pattern) for service, pattern in patterns if service == "personalize"]
    known = {pattern.pattern for _, pattern in ours}
    ours += [("personalize", re.compile(url_base)) for url_base in url_bases if url_base not in known]
    patterns[:] = ours + [(service, pattern) for service, pattern in patterns if service != "personalize"]
