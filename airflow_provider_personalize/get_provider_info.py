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
        "config": {
            "personalize": {
                "description": (
                    "How the Personalize hook rides out rate limits (ThrottlingException, "
                    "LimitExceededException on any request but a quota answer, HTTP 429): it sends the "
                    "request again after a random wait of up to rate_limit_base_delay x 2^(n-1) seconds "
                    "(at most rate_limit_max_delay) before the n-th retry, until rate_limit_budget seconds "
                    "have passed since the first attempt."
                ),
                "options": {
                    "rate_limit_base_delay": _option(
                        "The longest wait before the first retry, in seconds.", "1.0"
                    ),
                    "rate_limit_max_delay": _option("The longest wait before any retry, in seconds.", "20.0"),
                    "rate_limit_budget": _option(
                        "Seconds after the first attempt past which a rate-limited request is not retried "
                        "and its error is raised.",
                        "300.0",
                    ),
                },
            }
        },
    }


def _option(description: str, default: str) -> dict[str, Any]:
    return {
        "description": description,
        "version_added": "0.1.0",
        "type": "float",
        "example": None,
        "default": default,
    }
