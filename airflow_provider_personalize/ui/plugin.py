"""The Airflow plugin that puts the Personalize view in the UI (entry point ``airflow.plugins``).

Every Airflow 3 api-server mounts the view's FastAPI app at ``/personalize``. The navigation entry
depends on the UI: from Airflow 3.1 an external view, shown inside the UI at ``/plugin/personalize``;
on Airflow 3.0, whose UI has no external views, a link in its "Plugins" menu. (3.1+ also lists such
links as external views, so each version gets exactly one entry.)

Every Airflow process that loads plugins imports this module (task processes do, for macros), so it
imports nothing heavy: the FastAPI app is built on first use of ``fastapi_apps``, by the api-server.
"""

from __future__ import annotations

from typing import Any

from airflow import __version__ as airflow_version
from airflow.providers.common.compat.sdk import AirflowPlugin

URL_PREFIX = "/personalize"


def navigation(version: str) -> dict[str, list[dict[str, str]]]:
    """The plugin's navigation attributes for the UI of Airflow ``version``: one entry, either way."""
    major, minor = (int(part) for part in version.split(".")[:2])
    if (major, minor) >= (3, 1):
        external_view = {
            "name": "Personalize",
            "href": "personalize/",  # relative to the UI's base URL, as external views' hrefs are
            "url_route": "personalize",
            "destination": "nav",
            "category": "browse",
        }
        return {"external_views": [external_view], "appbuilder_menu_items": []}
    return {
        "external_views": [],
        "appbuilder_menu_items": [{"name": "Personalize", "href": URL_PREFIX + "/"}],
    }


class _FastApiApps:
    """``fastapi_apps``, built when first read, on the class or an instance (Airflow reads both)."""

    def __get__(self, instance: object, owner: type) -> list[dict[str, Any]]:
        from airflow_provider_personalize.ui.app import app

        return [{"app": app, "url_prefix": URL_PREFIX, "name": "Amazon Personalize view"}]


class PersonalizeViewPlugin(AirflowPlugin):
    name = "personalize"
    fastapi_apps = _FastApiApps()
    external_views = navigation(airflow_version)["external_views"]
    appbuilder_menu_items = navigation(airflow_version)["appbuilder_menu_items"]
