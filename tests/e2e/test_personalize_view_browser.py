"""The Personalize view in a real headless chromium, against the demo's deployment.

As ``make demo`` does: the emulator runs as its own HTTP server, ``personalize_bootstrap`` and one
``personalize_nightly_refresh`` run (with ``dag.test()`` in this process: the view reads only
Personalize); beside them, a DAG imports a malformed day's file, which Personalize fails. Then a real
api-server process (the plugin loaded from the provider's entry point) serves the view to chromium. Users
sign in with passwords (the simple auth manager), their token in Airflow's ``_token`` cookie as the login
sets it.

The screenshot of the view is saved under the test's tmp dir; with PERSONALIZE_VIEW_SCREENSHOT set (a
path, e.g. docs/personalize-view.png: ``make screenshot``) it is copied there too.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from personalize_emulator.harness.pytest_plugin import start_emulator_server
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from demo.deployment import AirflowDeployment
from demo.run_demo import BOOTSTRAP_DATE, DATASET_GROUP, NIGHT, airflow_settings, prepare_aws, prepare_night
from tests.examples import EXAMPLE_DAGS, load_example_dags, run_green

from .browser import full_page_screenshot, headless_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

REPOSITORY = Path(__file__).resolve().parents[2]
MALFORMED_IMPORT_DAG = Path(__file__).parent / "dags" / "personalize_malformed_daily_import.py"
PIPELINE = ("personalize_bootstrap", "personalize_nightly_refresh")
PASSWORDS = {"admin": "admin-password", "viewer": "viewer-password"}
PAGE_SECONDS = 60


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, airflow_home_copy, airflow_db, module_dags_folder):
    home = tmp_path_factory.mktemp("personalize-view")
    emulator = start_emulator_server(0.2)
    airflow = None
    try:
        role_arn = prepare_aws(emulator)
        prepare_night(emulator, NIGHT)
        passwords = home / "passwords.json"
        passwords.write_text(json.dumps(PASSWORDS))
        settings = airflow_settings(emulator, role_arn, home / "airflow")
        airflow = AirflowDeployment(
            home=home / "airflow",
            dags_folder=REPOSITORY / "example_dags",
            extra_env={
                **settings,
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,viewer:viewer",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            },
        )
        airflow_home_copy(airflow.home)
        with pytest.MonkeyPatch.context() as monkeypatch:
            dags = {
                dag_id: dag
                for dag_file in (*(EXAMPLE_DAGS / f"{name}.py" for name in PIPELINE), MALFORMED_IMPORT_DAG)
                for dag_id, dag in load_example_dags(
                    dag_file, module_dags_folder, settings, monkeypatch
                ).items()
            }
            run_green(dags["personalize_bootstrap"], BOOTSTRAP_DATE)
            run_green(dags["personalize_nightly_refresh"], NIGHT)
            failed = dags["personalize_malformed_daily_import"].test(
                logical_date=datetime.combine(NIGHT, time(), UTC)
            )
            assert failed.state == "failed"
        airflow.start(components=("api-server",))
        yield airflow, emulator
    finally:
        if airflow is not None:
            airflow.stop()
        emulator.stop()


@pytest.fixture
def chromium(tmp_path):
    browser = headless_chromium(tmp_path / "chromium-profile")
    try:
        yield browser
    finally:
        browser.quit()


def sign_in(chromium, airflow: AirflowDeployment, user: str) -> None:
    """Sign ``user`` in: the token from Airflow's login endpoint, in the cookie Airflow's login sets."""
    request = urllib.request.Request(
        f"{airflow.api_url}/auth/token",
        data=json.dumps({"username": user, "password": PASSWORDS[user]}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.loads(response.read())["access_token"]
    chromium.get(f"{airflow.api_url}/personalize/static/personalize.css")  # a page of the domain first
    chromium.add_cookie({"name": "_token", "value": token, "path": "/"})


def open_view(chromium, airflow: AirflowDeployment) -> None:
    chromium.get(f"{airflow.api_url}/personalize/?conn_id=aws_default")


def wait_for(chromium, css: str):
    return WebDriverWait(chromium, PAGE_SECONDS).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def test_the_view_asks_a_visitor_who_is_not_signed_in_to_sign_in(deployment, chromium):
    airflow, _ = deployment
    open_view(chromium, airflow)
    message = wait_for(chromium, "#groups .message")
    assert "Sign in to Airflow" in message.text
    assert DATASET_GROUP not in chromium.page_source


def test_the_view_refuses_a_user_who_may_not_read_the_connection(deployment, chromium):
    airflow, _ = deployment
    sign_in(chromium, airflow, "viewer")
    open_view(chromium, airflow)
    message = wait_for(chromium, "#groups .message")
    assert "HTTP 403" in message.text and "'aws_default'" in message.text
    assert DATASET_GROUP not in chromium.page_source


def test_the_view_charts_every_version_and_shows_the_live_version_and_the_jobs(
    deployment, chromium, tmp_path
):
    airflow, emulator = deployment
    personalize = emulator.client("personalize")
    solution = personalize.list_solutions()["solutions"][0]
    versions = personalize.list_solution_versions(solutionArn=solution["solutionArn"])["solutionVersions"]
    trained = [v["solutionVersionArn"].rpartition("/")[2] for v in versions if v["status"] == "ACTIVE"]
    assert len(trained) == 2  # the bootstrap's and the night's
    campaign = personalize.describe_campaign(
        campaignArn=personalize.list_campaigns()["campaigns"][0]["campaignArn"]
    )["campaign"]
    failed_import = next(
        job
        for job in personalize.list_dataset_import_jobs()["datasetImportJobs"]
        if job["status"] == "CREATE FAILED"
    )

    sign_in(chromium, airflow, "admin")
    open_view(chromium, airflow)
    wait_for(chromium, "#group article.group")
    assert chromium.find_element(By.CSS_SELECTOR, "#groups a[aria-current=page]").text == DATASET_GROUP

    chart = chromium.find_element(By.CSS_SELECTOR, f".solution[data-name='{solution['name']}'] svg")
    lines = chart.find_elements(By.CSS_SELECTOR, ".plot.overlay > .series")
    assert len(lines) >= 4  # precision, NDCG, MRR, coverage at least
    for line in lines:
        points = line.find_elements(By.CSS_SELECTOR, "circle.dot")
        assert len(points) == len(trained)  # one point per trained version
        assert all(point.is_displayed() for point in points)
    version_rows = chromium.find_elements(By.CSS_SELECTOR, ".versions tbody tr[data-version]")
    assert sorted(row.get_attribute("data-version") for row in version_rows) == sorted(trained)

    campaign_row = chromium.find_element(By.CSS_SELECTOR, f".campaigns tr[data-name='{campaign['name']}']")
    live_version = campaign["solutionVersionArn"].rpartition("/")[2]
    assert campaign_row.find_element(By.CSS_SELECTOR, ".serving").text == live_version
    live_row = chromium.find_element(By.CSS_SELECTOR, f".versions tr[data-version='{live_version}']")
    assert campaign["name"] in live_row.find_element(By.CSS_SELECTOR, ".live").text

    failed_row = chromium.find_element(
        By.CSS_SELECTOR, f".jobs tr[data-arn='{failed_import['datasetImportJobArn']}']"
    )
    reason = failed_row.find_element(By.CSS_SELECTOR, ".reason")
    assert reason.is_displayed() and reason.text == failed_import["failureReason"]
    job_kinds = {row.text.split()[0] for row in chromium.find_elements(By.CSS_SELECTOR, ".jobs tbody tr")}
    assert {"import", "training", "export", "data"} <= job_kinds

    screenshot = full_page_screenshot(chromium, tmp_path / "personalize-view.png")
    assert screenshot.stat().st_size > 20_000
    if target := os.environ.get("PERSONALIZE_VIEW_SCREENSHOT"):
        shutil.copy(screenshot, REPOSITORY / target)


def test_the_airflow_ui_shows_the_view_in_its_navigation(deployment, chromium, tmp_path):
    airflow, _ = deployment
    sign_in(chromium, airflow, "admin")
    chromium.get(f"{airflow.api_url}/plugin/personalize")
    frame = wait_for(chromium, "iframe")
    assert "personalize/" in frame.get_attribute("src")
    chromium.switch_to.frame(frame)
    wait_for(chromium, "#group article.group")
    assert DATASET_GROUP in chromium.find_element(By.CSS_SELECTOR, "#group h2").text
    chromium.switch_to.default_content()
    chromium.save_screenshot(str(tmp_path / "personalize-view-in-airflow.png"))
