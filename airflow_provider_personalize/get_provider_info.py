"""Airflow's registration of this provider (entry point ``apache_airflow_provider``)."""

from __future__ import annotations

from typing import Any

from airflow_provider_personalize import __version__


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-personalize",
        "name": "Amazon Personalize",
        "description": "Operators, sensors, triggers and a local emulator for Amazon Personalize.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Amazon Personalize",
                "external-doc-url": "https://aws.amazon.com/personalize/",
                "tags": ["aws"],
            }
        ],
        "hooks": [
            {
                "integration-name": "Amazon Personalize",
                "python-modules": ["airflow_provider_personalize.hooks.personalize"],
            }
        ],
        "operators": [
            {
                "integration-name": "Amazon Personalize",
                "python-modules": ["airflow_provider_personalize.operators.personalize"],
            }
        ],
        "sensors": [
            {
                "integration-name": "Amazon Personalize",
                "python-modules": ["airflow_provider_personalize.sensors.personalize"],
            }
        ],
        "triggers": [
            {
                "integration-name": "Amazon Personalize",
                "python-modules": ["airflow_provider_personalize.triggers.personalize"],
            }
        ],
        "extra-links": [
            "airflow_provider_personalize.links.personalize.PersonalizeResourceLink",
        ],
    }
