"""Install the emulated Personalize backend into moto, for both in-process and server mode.

moto has no plugin mechanism: ``moto.backends.get_backend("personalize")`` reads the attribute
``personalize_backends`` of ``moto.personalize``, so we replace it (and the same name in moto's own
models and responses modules, which look it up at call time). Server mode caches one Flask app per
service at the first request, so ``install()`` must run before the server serves anything.
"""

import re

_installed = False


def install() -> None:
    """Replace moto's schema-only Personalize backend with the emulator's (idempotent)."""
    global _installed
    if _installed:
        return
    import moto.backend_index
    import moto.personalize
    import moto.personalize.models
    import moto.personalize.responses

    from . import urls
    from .kinds import KINDS
    from .lifecycle import register_default_transitions
    from .models import personalize_backends

    for module in (moto.personalize, moto.personalize.models, moto.personalize.responses):
        module.personalize_backends = personalize_backends  # type: ignore[attr-defined]
    known = {pattern.pattern for service, pattern in moto.backend_index.backend_url_patterns}
    for url_base in urls.url_bases:
        if url_base not in known:
            moto.backend_index.backend_url_patterns.append(("personalize", re.compile(url_base)))
    register_default_transitions([kind.arn_resource_type for kind in KINDS.values()])
    _installed = True
