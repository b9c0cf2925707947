"""The OpenLineage facets this provider adds: the Personalize resource a task created, and Avro schemas.

Imported only when OpenLineage asks an operator for its lineage (the ``openlineage`` extra is installed
and enabled): it imports the OpenLineage client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import attr
from openlineage.client.facet_v2 import RunFacet, schema_dataset

_DISTRIBUTION = "airflow-provider-personalize"


def _producer() -> str:
    try:
        release = version(_DISTRIBUTION)
    except PackageNotFoundError:  # a source tree that is not installed
        release = "unknown"
    return f"https://pypi.org/project/{_DISTRIBUTION}/{release}/"


PRODUCER = _producer()
"""The ``_producer`` of this provider's facets: the distribution and its version, per OpenLineage's rule
that a producer is a URI naming the code that emitted the facet and its version."""
RUN_FACET_SCHEMA = "PersonalizeRunFacet.json"
"""The JSON Schema of :class:`PersonalizeRunFacet`, shipped beside this module."""
RUN_FACET_SCHEMA_URL = f"{PRODUCER}{RUN_FACET_SCHEMA}#/$defs/PersonalizeRunFacet"
"""Its ``_schemaURL``: the schema file of this release, and the definition in it."""


@attr.define
class PersonalizeRunFacet(RunFacet):
    """The Amazon Personalize resource that a task created: what it is, and where it stands.

    Under the run facet key ``personalize``. ``status`` and ``failureReason`` are the service's, as
    DescribeX answers them (``failureReason`` only for a resource that failed); ``solutionVersionArn`` is
    the model a batch job ran. Its JSON Schema is ``PersonalizeRunFacet.json`` in this package, which its
    ``_schemaURL`` names (OpenLineage's convention for custom facets: the schema's URL and definition).
    """

    # OpenLineage facets spell their members in camelCase, as the API they describe does.
    resourceType: str
    arn: str | None = attr.field(default=None)
    status: str | None = attr.field(default=None)
    failureReason: str | None = attr.field(default=None)
    solutionVersionArn: str | None = attr.field(default=None)

    def __attrs_post_init__(self) -> None:
        if not self._producer:
            self._producer = PRODUCER
        super().__attrs_post_init__()

    @staticmethod
    def _get_schema() -> str:
        return RUN_FACET_SCHEMA_URL


def avro_schema_facet(avro_schema: str | Mapping[str, Any]) -> schema_dataset.SchemaDatasetFacet:
    """OpenLineage's schema facet of a Personalize dataset, from its Avro schema (DescribeSchema's text)."""
    record = json.loads(avro_schema) if isinstance(avro_schema, str) else avro_schema
    return schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(
                name=field["name"],
                type=_avro_type(field["type"]),
                description=field.get("doc"),
                ordinal_position=position,
            )
            for position, field in enumerate(record.get("fields", []), start=1)
        ],
        producer=PRODUCER,
    )


def _avro_type(avro_type: Any) -> str:
    """An Avro type as a type name: a union with null is its other member (the field is optional)."""
    if isinstance(avro_type, list):
        members = [_avro_type(member) for member in avro_type if member != "null"]
        return members[0] if len(members) == 1 else f"union<{','.join(members)}>"
    if isinstance(avro_type, Mapping):
        if avro_type.get("type") == "array":
            return f"array<{_avro_type(avro_type.get('items'))}>"
        return _avro_type(avro_type.get("type"))
    return str(avro_type)
