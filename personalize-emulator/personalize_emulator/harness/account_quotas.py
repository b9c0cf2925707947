"""The account's applied quota values (``service/account_quotas.py``): how to set them.

An account whose Service Quotas increase AWS has approved has a higher value for that quota, e.g. 20
active dataset groups instead of 5. Only the quotas AWS marks adjustable can be raised (``engine/quotas.py``
says which), and only above their default. Set them

- at server start, from the environment: ``PERSONALIZE_EMULATOR_APPLIED_QUOTAS``, JSON mapping a kind's
  API name to its value (``{"DatasetGroup": 20}``), read by :func:`configure_from_environment`;
- in-process: ``account_quotas.apply({"DatasetGroup": 20})``; ``apply({})`` restores the defaults.
"""

import json
import os
from collections.abc import Mapping

from ..service.account_quotas import APPLIED_QUOTAS

ENVIRONMENT_VARIABLE = "PERSONALIZE_EMULATOR_APPLIED_QUOTAS"

apply = APPLIED_QUOTAS.apply
current = APPLIED_QUOTAS.current


def configure_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Apply the values of ``PERSONALIZE_EMULATOR_APPLIED_QUOTAS``, if it is set; ValueError if invalid."""
    value = environ.get(ENVIRONMENT_VARIABLE)
    if value:
        apply(json.loads(value))
