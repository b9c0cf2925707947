"""The Personalize view's plugin as Airflow loads it, and what loading it costs other processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from airflow_provider_personalize.ui.plugin import URL_PREFIX, PersonalizeViewPlugin, navigation

LOADED_PLUGINS = (
    "import json; from airflow import plugins_manager; plugins, errors = plugins_manager._get_plugins(); "
    "print(json.dumps({'names': [p.name for p in plugins], 'errors': errors}))"
)


@pytest.mark.parametrize("lazy_discover_providers", ["True", "False"])
def test_airflow_loads_the_plugin_once_without_errors_however_it_discovers_providers(
    lazy_discover_providers,
):
    # Airflow reads providers' own "plugins" lists only with lazy_discover_providers off; the
    # airflow.plugins entry point always. Registered in both, the plugin would load twice and Airflow
    # would report the second as an import error: it is registered once, by the entry point.
    environment = {**os.environ, "AIRFLOW__CORE__LAZY_DISCOVER_PROVIDERS": lazy_discover_providers}
    completed = subprocess.run(
        [sys.executable, "-c", LOADED_PLUGINS], env=environment, capture_output=True, text=True, check=True
    )
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert loaded["names"].count("personalize") == 1
    assert loaded["errors"] == {}


def test_loading_the_plugin_imports_neither_the_view_nor_fastapi():
    # Task processes load plugins (for macros): the view's app is built only where it is read.
    plugin = "airflow_provider_personalize.ui.plugin"
    probe = (
        f"import sys; import {plugin}; "
        "print('loaded:', sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'pygal') "
        f"or m.startswith('airflow_provider_personalize.ui.') and m != '{plugin}'))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "loaded: []" in completed.stdout.splitlines()


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
