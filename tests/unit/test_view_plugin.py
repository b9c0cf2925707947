"""The Personalize view's plugin: its app and its navigation entries.

How Airflow loads it, and what loading it costs other processes, is checked in fresh interpreters in
tests/integration/test_view_plugin_loading.py.
"""

from __future__ import annotations

import pytest

from airflow_provider_personalize.ui.plugin import URL_PREFIX, PersonalizeViewPlugin, navigation


def test_the_api_server_gets_the_view_app_under_its_prefix():
    for holder in (PersonalizeViewPlugin, PersonalizeViewPlugin()):  # Airflow reads either
        (entry,) = holder.fastapi_apps
        assert entry["url_prefix"] == URL_PREFIX == "/personalize"
        assert {route.path for route in entry["app"].routes} >= {"/", "/dataset-groups", "/static"}


@pytest.mark.parametrize(
    ("version", "external_views", "menu_items"),
    [("3.0.6", 0, 1), ("3.1.0", 1, 0), ("3.1.8rc1", 1, 0), ("3.3.2", 1, 0)],
)
def test_each_airflow_ui_gets_exactly_one_navigation_entry(version, external_views, menu_items):
    entries = navigation(version)
    assert len(entries["external_views"]) == external_views
    assert len(entries["appbuilder_menu_items"]) == menu_items
    (entry,) = entries["external_views"] + entries["appbuilder_menu_items"]
    assert entry["name"] == "Personalize"
    # External views' hrefs are relative to the UI's base URL; 3.0's menu links are plain links.
    assert entry["href"] == ("personalize/" if external_views else "/personalize/")


def test_the_installed_airflow_shows_the_view_in_its_navigation():
    from airflow import __version__

    assert PersonalizeViewPlugin.external_views == navigation(__version__)["external_views"]
    assert PersonalizeViewPlugin.appbuilder_menu_items == navigation(__version__)["appbuilder_menu_items"]
