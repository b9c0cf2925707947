"""OpenLineage names of what the Personalize operators read and write.

OpenLineage names a dataset by a namespace (its data source) and a name unique in it
(https://openlineage.io/docs/spec/naming):

- an S3 object or folder: namespace ``s3://{bucket}``, name its key. A folder (a prefix ending in ``/``,
  which Personalize reads or writes as a whole) is named by its key without the trailing ``/``, as
  OpenLineage's Spark integration names directories, so that a job reading the same folder joins it; the
  bucket itself is ``/``.
- a Personalize resource (a dataset, a model): OpenLineage's AWS convention, which its naming table gives for
  AWS Glue (namespace ``arn:aws:glue:{region}:{account id}``, name ``table/{database}/{table}``): the ARN
  split after the account. ``arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS`` is
  namespace ``arn:aws:personalize:us-east-1:123456789012``, name ``dataset/shop/INTERACTIONS``. The ARN is
  stable (a dataset's is its group's name and its type), so events of every run and tool join.
"""

from __future__ import annotations

from typing import NamedTuple

_ARN_PARTS = 6  # arn:partition:service:region:account:resource


class DatasetName(NamedTuple):
    namespace: str
    name: str


def s3_dataset_name(uri: str) -> DatasetName:
    """The OpenLineage name of an ``s3://bucket/key`` object, or of a folder ``s3://bucket/prefix/``."""
    scheme, separator, location = uri.partition("://")
    if scheme != "s3" or not separator or not location.split("/", 1)[0]:
        raise ValueError(f"Not an S3 URI of the form s3://bucket/key: {uri!r}")
    bucket, _, key = location.partition("/")
    return DatasetName(f"s3://{bucket}", key.rstrip("/") or "/")


def arn_dataset_name(arn: str) -> DatasetName:
    """The OpenLineage name of an AWS resource, from its ARN: namespace up to the account, name the rest."""
    parts = arn.split(":", _ARN_PARTS - 1)
    if len(parts) != _ARN_PARTS or parts[0] != "arn" or not parts[5]:
        raise ValueError(f"Not an ARN of the form arn:partition:service:region:account:resource: {arn!r}")
    return DatasetName(":".join(parts[:5]), parts[5])
