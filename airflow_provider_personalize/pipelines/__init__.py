"""Declarative pipelines: a config file describes a Personalize deployment, ``dags_from_config`` its DAGs.

See the README ("Declarative pipelines") for the format, the JSON Schema editors can use
(:data:`SCHEMA_PATH`), and how MPEML and CDK pipeline configs are read.
"""

from airflow_provider_personalize.pipelines.config import load_deployment
from airflow_provider_personalize.pipelines.dags import dags_from_config
from airflow_provider_personalize.pipelines.validation import (
    SCHEMA_DIRECTORY,
    SCHEMA_FILES,
    ConfigError,
    Problem,
)

SCHEMA_PATH = SCHEMA_DIRECTORY / SCHEMA_FILES["personalize"]
"""The JSON Schema of this provider's config format (``personalize-pipeline.schema.json``)."""

__all__ = ["SCHEMA_PATH", "ConfigError", "Problem", "dags_from_config", "load_deployment"]
