"""The Personalize view's plugin as Airflow loads it, and what loading it costs other processes: each in a
fresh interpreter, as Airflow's processes load plugins."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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
    # Errors of other providers' plugins are theirs: OpenLineage's provider (the openlineage extra) lists
    # its plugin in both places, and Airflow reports it "already registered" with lazy discovery off.
    ours = {source: error for source, error in loaded["errors"].items() if "personalize" in source.lower()}
    assert ours == {}


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
