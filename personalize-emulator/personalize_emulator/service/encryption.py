"""Customer KMS keys: a dataset group's ``kmsKeyArn`` and a job output's, checked on moto's KMS and IAM.

What AWS documents ("Giving Amazon Personalize permission to use your AWS KMS key",
https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-key-access.html; CreateDatasetGroup,
https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html):

- a dataset group with a key needs a role with access to it, and the key policy and the role's IAM policies
  must both allow Decrypt, GenerateDataKey, DescribeKey and ListGrants, the key policy CreateGrant too; the
  same holds for dataset export, batch inference and batch segment jobs and metric attributions that name a
  key, and for dataset import jobs only the key policy must allow them;
- "Revoking AWS KMS key permissions after creating a resource can lead to issues": the key is checked again
  as each later job of the group starts, so a key disabled (or scheduled for deletion) since fails the job.

Checked here: the key exists in moto's KMS (in the region and account of its ARN) and is Enabled; the key
policy has an Allow statement for ``personalize.amazonaws.com``, the role, or ``*``, covering each action
(``kms:*`` and ``*`` included) on ``*`` or the key; the role exists, Personalize may assume it, and its
inline and attached policies allow the role's actions on the key. A matching Deny wins. Conservative where
AWS is silent: an Allow with a Condition is not counted (the emulator cannot evaluate conditions), a Deny
with one is; a key policy that only delegates to the account's IAM (the default policy's account-root
statement) does not let the Personalize service use the key. A dataset group whose key fails ends CREATE
FAILED; AWS does not publish its failure texts, so the reasons here say what is wrong.
Outputs written under a key carry SSE-KMS with it (moto S3 object metadata).
"""

import fnmatch
import json
import urllib.parse
from typing import Any

from .exceptions import CreationFailed
from .storage import PERSONALIZE_PRINCIPAL, assumable_role

KEY_POLICY_ACTIONS = (
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:ListGrants",
)
ROLE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ListGrants")


def _document(text: str) -> dict[str, Any]:
    try:
        return dict(json.loads(text))
    except ValueError:
        return dict(json.loads(urllib.parse.unquote(text)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), str(pattern).lower()) for pattern in _as_list(patterns))


def _principal_matches(principal: Any, role_arn: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return PERSONALIZE_PRINCIPAL in _as_list(principal.get("Service", [])) or any(
        candidate in ("*", role_arn) for candidate in _as_list(principal.get("AWS", []))
    )


def _allowed(statements: list[dict[str, Any]], action: str, resource: str, principal_of: Any) -> bool:
    """Whether ``statements`` allow ``action`` on ``resource``; ``principal_of(statement)`` says whether a
    statement applies to the caller (always, for identity policies)."""
    allowed = False
    for statement in statements:
        if not principal_of(statement):
            continue
        if not _matches(statement.get("Action", []), action) or not _matches(
            statement.get("Resource", "*"), resource
        ):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow" and not statement.get("Condition"):
            allowed = True
    return allowed


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [statement for statement in _as_list(document.get("Statement", [])) if isinstance(statement, dict)]


def _role_statements(role: Any, account_id: str, partition: str) -> list[dict[str, Any]]:
    from moto.iam.models import iam_backends

    iam = iam_backends[account_id][partition]
    documents = [
        _document(iam.get_role_policy(role.name, name)[1]) for name in iam.list_role_policies(role.name)
    ]
    attached, _ = iam.list_attached_role_policies(role.name)
    documents += [
        _document(iam.get_policy_version(policy.arn, policy.default_version_id).document)
        for policy in attached
    ]
    return [statement for document in documents for statement in _statements(document)]


def _key(key_arn: str) -> Any:
    from moto.kms.models import kms_backends

    parts = key_arn.split(":")  # arn:<partition>:kms:<region>:<account>:key/<id>
    try:
        return kms_backends[parts[4]][parts[3]].describe_key(key_arn)
    except Exception:  # moto's NotFoundException, or an ARN naming no region or account
        return None


def check_key(key_arn: str, role_arn: str | None, *, role_needs_access: bool = True) -> None:
    """Fail (CreationFailed, the failureReason) unless Personalize may use ``key_arn`` with ``role_arn``."""
    key = _key(key_arn)
    cannot = f"Amazon Personalize cannot use the KMS key {key_arn}"
    if key is None:
        raise CreationFailed(f"{cannot}: the key does not exist.")
    if key.key_state != "Enabled":
        raise CreationFailed(f"{cannot}: the key is {key.key_state}.")
    statements = _statements(_document(key.policy))
    for action in KEY_POLICY_ACTIONS:
        if not _allowed(
            statements, action, key.arn, lambda s: _principal_matches(s.get("Principal"), role_arn or "")
        ):
            raise CreationFailed(
                f"{cannot}: its key policy does not allow {PERSONALIZE_PRINCIPAL} or the role {action}."
            )
    if not role_needs_access:
        return
    if not role_arn:
        raise CreationFailed(f"{cannot}: a role with access to the key is required.")
    role = assumable_role(role_arn)
    if role is None:
        raise CreationFailed(f"{cannot}: Amazon Personalize cannot assume the role {role_arn}.")
    parts = role_arn.split(":")
    role_statements = _role_statements(role, parts[4], parts[1])
    for action in ROLE_ACTIONS:
        if not _allowed(role_statements, action, key.arn, lambda statement: True):
            raise CreationFailed(
                f"{cannot}: the policies of the role {role_arn} do not allow {action} on it."
            )
