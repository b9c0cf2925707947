"""The account's applied quota values: what an approved Service Quotas increase changes.

An AWS account starts with the default value of every quota (``engine/quotas.py``); for the quotas AWS
marks adjustable, the account can ask for more with Service Quotas, and once AWS approves, the higher value
applies (https://docs.aws.amazon.com/servicequotas/latest/userguide/request-quota-increase.html). A team
running twenty dataset groups has had the "active dataset groups" quota (5) raised first.

The emulator holds one set of applied values per process, keyed by the kind's API name: the
harness sets them (``harness/account_quotas.py``); the backend's quota checks read them. Only adjustable
quotas can be changed, and only upwards: an increase request's ``DesiredValue`` is "the new, increased
value for the quota"
(https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_RequestServiceQuotaIncrease.html).
"""

import dataclasses
import threading
from collections.abc import Mapping

from ..engine.quotas import QUOTAS_BY_KIND, ResourceQuota


class AppliedQuotas:
    """The applied values of adjustable quotas, by kind; thread-safe, as server mode serves many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limits: dict[str, int] = {}

    def apply(self, limits: Mapping[str, int]) -> None:
        """Replace the applied values (an empty mapping: the defaults); ValueError names a bad one."""
        for kind, limit in limits.items():
            quotas = QUOTAS_BY_KIND.get(kind, ())
            if not any(quota.adjustable for quota in quotas):
                adjustable = sorted(k for k, qs in QUOTAS_BY_KIND.items() if any(q.adjustable for q in qs))
                raise ValueError(
                    f"{kind!r} has no adjustable quota; adjustable ones: {', '.join(adjustable)}."
                )
            default = min(quota.limit for quota in quotas)
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < default:
                raise ValueError(
                    f"The {kind} quota can only be raised: an integer >= its default {default}, "
                    f"not {limit!r}."
                )
        with self._lock:
            self._limits = dict(limits)

    def applied(self, quota: ResourceQuota) -> ResourceQuota:
        """``quota`` with the account's value."""
        with self._lock:
            limit = self._limits.get(quota.kind) if quota.adjustable else None
        return quota if limit is None else dataclasses.replace(quota, limit=limit)

    def current(self) -> dict[str, int]:
        with self._lock:
            return dict(self._limits)


APPLIED_QUOTAS = AppliedQuotas()
