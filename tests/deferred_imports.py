"""The modules a DAG parse must not load, shared by the two import-cost tests (tests/unit/test_import_cost.py
in the test process, tests/integration/test_import_cost_in_a_fresh_interpreter.py in a fresh one)."""

PACKAGE = "airflow_provider_personalize"
# The request validation (botocore's service model, the Unicode patterns, the filter grammar) loads when a
# task runs; the trigger, with aiobotocore and aiohttp, when a task defers; OpenLineage (the client, its
# Airflow provider's extractors, our lineage package) only when it asks a task.
DEFERRED = (
    "aiohttp",
    "aiobotocore",
    "lark",
    "regex",
    f"{PACKAGE}.triggers.personalize",
    f"{PACKAGE}.hooks.request_model",
    f"{PACKAGE}.hooks.request_rules",
    f"{PACKAGE}.hooks.avro_schema",
    f"{PACKAGE}.hooks.filter_expression",
    f"{PACKAGE}.lineage",
    "openlineage",
    "airflow.providers.openlineage.extractors",
)
