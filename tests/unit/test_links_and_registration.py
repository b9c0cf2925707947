"""The console link, and the provider as Airflow sees it."""

from __future__ import annotations

import importlib

from airflow_provider_personalize.get_provider_info import get_provider_info
from airflow_provider_personalize.hooks.retries import RateLimitPolicy
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink

ARN = "arn:aws:personalize:eu-west-1:123456789012:dataset-group/recs"


def test_the_link_opens_the_resource_in_its_region():
    url = PersonalizeResourceLink().format_link(
        region_name="eu-west-1",
        aws_domain=PersonalizeResourceLink.get_aws_domain("aws"),
        resource_arn=ARN,
    )
    assert url == f"https://console.aws.amazon.com/personalize/home?region=eu-west-1#{ARN}"


def test_a_link_without_an_arn_is_empty():
    assert PersonalizeResourceLink().format_link(region_name="eu-west-1", aws_domain="aws.amazon.com") == ""


def test_every_module_and_link_registered_exists():
    info = get_provider_info()
    for section in ("hooks", "operators", "sensors", "triggers"):
        for entry in info[section]:
            for module in entry["python-modules"]:
                importlib.import_module(module)
    for link in info["extra-links"]:
        module, _, name = link.rpartition(".")
        assert getattr(importlib.import_module(module), name) is PersonalizeResourceLink


def test_the_configuration_documented_is_the_rate_limit_policys():
    options = get_provider_info()["config"]["personalize"]["options"]
    documented = {name: float(option["default"]) for name, option in options.items()}
    default = RateLimitPolicy()
    assert documented == {
        "rate_limit_base_delay": default.base_delay,
        "rate_limit_max_delay": default.max_delay,
        "rate_limit_budget": default.budget_seconds,
    }


def test_airflow_lists_the_provider():
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-personalize" in manager.providers
    assert "airflow_provider_personalize.links.personalize.PersonalizeResourceLink" in (
        manager.extra_links_class_names
    )
