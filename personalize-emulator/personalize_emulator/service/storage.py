"""S3 and IAM as moto holds them, for the jobs' data work: reading inputs, writing outputs, checking roles.

S3 and IAM are moto's own backends for the job's account (``s3_backends``, ``iam_backends``), the same in
both modes; they load when a job first needs them, not with the emulator. A role that does not exist in
moto's IAM, or whose trust policy does not let ``personalize.amazonaws.com`` assume it (an Allow of
``sts:AssumeRole`` to that service principal, or to ``*``), fails the job with AWS's ``Insufficient
privileges for accessing data in S3.``; so does a missing bucket or object, because a role cannot tell a
missing object from one it may not read
(https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html).

Paths: a location that is not ``s3://bucket/...`` fails with ``Invalid S3 input path: <uri>`` (or
``output``), texts seen from AWS (without the URI).
"""

import json
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .exceptions import CreationFailed

INSUFFICIENT_PRIVILEGES = "Insufficient privileges for accessing data in S3."
PERSONALIZE_PRINCIPAL = "personalize.amazonaws.com"


def _whole_object(key: Any) -> Iterator[bytes]:
    yield key.value


# How a job reads a stored S3 object's bytes. moto's public ``FakeKey.value`` copies the whole object; the
# harness installs a reader that streams it a chunk at a time (``harness.patches``), so that a large import
# is never held twice in memory.
read_object_chunks: Callable[[Any], Iterator[bytes]] = _whole_object


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str, direction: str) -> "S3Location":
        parsed = urllib.parse.urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise CreationFailed(f"Invalid S3 {direction} path: {uri}")
        return cls(parsed.netloc, parsed.path.lstrip("/"))

    @property
    def is_folder(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


@dataclass(frozen=True)
class StoredObject:
    """An S3 object a job reads: its URI, size in bytes, and its content, a chunk at a time."""

    uri: str
    size: int
    chunks: Iterator[bytes]


def check_input_size(
    objects: list[StoredObject], what: str, max_bytes: int, max_files: int | None = None
) -> None:
    """Fail a job whose input is over a quota (``engine/quotas.py``), saying which."""
    if max_files is not None and len(objects) > max_files:
        raise CreationFailed(f"{what} has {len(objects)} input files; the quota is {max_files}.")
    total = sum(stored.size for stored in objects)
    if total > max_bytes:
        raise CreationFailed(f"{what} has {total} bytes of input; the quota is {max_bytes} bytes.")


@dataclass(frozen=True)
class Account:
    """Where a job runs: its account and region, which name moto's S3 and IAM backends."""

    account_id: str
    region_name: str

    def s3(self) -> Any:
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        return s3_backends[self.account_id][get_partition(self.region_name)]

    def read_objects(self, uri: str, suffix: str = "", every_match: bool = False) -> list["StoredObject"]:
        """The object at ``uri``; or, when ``uri`` is a folder (ends in ``/``) or ``every_match`` asks for
        every object whose key starts with its path (as batch jobs read their input), each such object whose
        name ends in ``suffix``."""
        location = S3Location.parse(uri, "input")
        s3 = self.s3()
        bucket = _bucket(s3, location.bucket)
        if location.is_folder or every_match:
            names = sorted(
                name
                for name in list(bucket.keys.keys())
                if name.startswith(location.key) and not name.endswith("/") and name.endswith(suffix)
            )
        else:
            names = [location.key]
        keys = [(name, s3.get_object(location.bucket, name)) for name in names]
        if not keys or any(key is None for _, key in keys):
            raise CreationFailed(INSUFFICIENT_PRIVILEGES)
        return [StoredObject(location.uri(name), key.size, read_object_chunks(key)) for name, key in keys]

    def write_object(
        self, folder_uri: str, name: str, content: bytes, kms_key_arn: str | None = None
    ) -> None:
        """Write ``name`` under ``folder_uri``; with ``kms_key_arn``, SSE-KMS encrypted under that key."""
        location = S3Location.parse(folder_uri, "output")
        s3 = self.s3()
        _bucket(s3, location.bucket)
        prefix = location.key if location.is_folder else f"{location.key}/"
        encryption = {"encryption": "aws:kms", "kms_key_id": kms_key_arn} if kms_key_arn else {}
        s3.put_object(location.bucket, f"{prefix}{name}", content, **encryption)


def _bucket(s3: Any, name: str) -> Any:
    from moto.s3.exceptions import MissingBucket

    try:
        return s3.get_bucket(name)
    except MissingBucket:
        raise CreationFailed(INSUFFICIENT_PRIVILEGES) from None


def _trust_policy(document: str) -> dict[str, Any]:
    try:
        return dict(json.loads(document))
    except ValueError:
        return dict(json.loads(urllib.parse.unquote(document)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def trust_policy(service: str = PERSONALIZE_PRINCIPAL) -> str:
    """A role trust policy (JSON) that lets ``service`` assume the role: Personalize's, by default."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _personalize_may_assume(policy: dict[str, Any]) -> bool:
    for statement in _as_list(policy.get("Statement", [])):
        actions = {action.lower() for action in _as_list(statement.get("Action", []))}
        if statement.get("Effect") != "Allow" or not actions & {"sts:assumerole", "sts:*", "*"}:
            continue
        principal = statement.get("Principal", {})
        if principal == "*" or PERSONALIZE_PRINCIPAL in _as_list(principal.get("Service", [])):
            return True
    return False


def assumable_role(role_arn: str) -> Any:
    """The role ``role_arn`` in moto's IAM if Personalize may assume it, else None."""
    from moto.iam.models import iam_backends

    # arn:<partition>:iam::<account>:role/<name>
    parts = role_arn.split(":")
    try:
        role = iam_backends[parts[4]][parts[1]].get_role_by_arn(role_arn)
    except Exception:  # moto raises its IAM NotFoundException; a malformed ARN fails the same way
        return None
    return role if _personalize_may_assume(_trust_policy(role.assume_role_policy_document)) else None


def check_role(role_arn: str) -> None:
    """Fail unless ``role_arn`` exists in moto's IAM and Personalize may assume it."""
    if assumable_role(role_arn) is None:
        raise CreationFailed(INSUFFICIENT_PRIVILEGES)
