"""The Personalize view's endpoints, in Airflow's own api-server app (plugins loaded as Airflow loads
them), behind Airflow's simple auth manager, reading the HTTP emulator through an Airflow connection.

Tokens are minted by the api-server's auth manager, as its login does; nothing is mocked. One spy
(counting the view's requests to Personalize) checks the cache; it changes no behaviour.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

import pytest

from airflow_provider_personalize.ui import app as view_app
from airflow_provider_personalize.ui import reader as view_reader

# One pytest-xdist worker runs them all, so that the module's api-server app is set up once.
pytestmark = pytest.mark.xdist_group("personalize_view")

RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
WAIT_SECONDS = 60
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def api_app(airflow_db) -> Any:
    """Airflow's api-server app (its core API, the auth manager and the plugins' FastAPI apps)."""
    from airflow.api_fastapi.app import create_app

    return create_app("core")


@pytest.fixture
def client(api_app, personalize_aws_conn_id: str) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    view_reader.forget_answers()
    with TestClient(api_app) as test_client:
        test_client.params = {"conn_id": personalize_aws_conn_id}  # the view's connection, on every request
        yield test_client
    view_reader.forget_answers()


def token(role: str) -> str:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=role, role=role))


def as_user(role: str = "admin", json_answer: bool = True) -> dict[str, str]:
    accept = {"Accept": "application/json"} if json_answer else {"Accept": "text/html"}
    return {"Authorization": f"Bearer {token(role)}", **accept}


def wait_for(read: Callable[[], dict], done: Callable[[dict], bool]) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        answer = read()
        if done(answer):
            return answer
        time.sleep(0.1)
    raise TimeoutError(f"still {answer}")


def settled(key: str) -> Callable[[dict], bool]:
    return lambda answer: answer[key]["status"] in ("ACTIVE", "CREATE FAILED", "COMPLETED", "FAILED")


def dataset_group(personalize, name: str) -> str:
    arn = personalize.create_dataset_group(name=name)["datasetGroupArn"]
    wait_for(lambda: personalize.describe_dataset_group(datasetGroupArn=arn), settled("datasetGroup"))
    return arn


def chart_points(page: str) -> list[list[str | None]]:
    """Per line of the page's metrics chart, the labels (version ids) of its points, left to right."""
    svg = ElementTree.fromstring(page[page.index("<svg") : page.index("</svg>") + len("</svg>")])
    overlay = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "plot overlay")
    return [
        [
            point.findtext(f"{SVG}desc[@class='label']")
            for point in line.iter(f"{SVG}g")
            if point.get("class") == "dots"
        ]
        for line in overlay
    ]


def history(personalize, it_dags) -> dict[str, str]:
    """A dataset group with a season behind it: a good and a failed import, two trained versions, a
    campaign moved from the first to the second, an export, a data deletion and a batch inference."""
    role, bucket = it_dags.ROLE_ARN, it_dags.BUCKET
    arns = {"group": dataset_group(personalize, "view-shop")}
    schema = personalize.create_schema(
        name="view-shop-interactions", schema=json.dumps(it_dags.INTERACTIONS_SCHEMA)
    )
    arns["dataset"] = personalize.create_dataset(
        name="view-shop-interactions",
        schemaArn=schema["schemaArn"],
        datasetGroupArn=arns["group"],
        datasetType="Interactions",
    )["datasetArn"]
    wait_for(lambda: personalize.describe_dataset(datasetArn=arns["dataset"]), settled("dataset"))

    def imported(name: str, key: str, mode: str) -> str:
        arn = personalize.create_dataset_import_job(
            jobName=name,
            datasetArn=arns["dataset"],
            dataSource={"dataLocation": f"s3://{bucket}/{key}"},
            roleArn=role,
            importMode=mode,
        )["datasetImportJobArn"]
        wait_for(
            lambda: personalize.describe_dataset_import_job(datasetImportJobArn=arn),
            settled("datasetImportJob"),
        )
        return arn

    def trained() -> str:
        arn = personalize.create_solution_version(solutionArn=arns["solution"])["solutionVersionArn"]
        wait_for(
            lambda: personalize.describe_solution_version(solutionVersionArn=arn), settled("solutionVersion")
        )
        return arn

    arns["import"] = imported("view-full-import", "interactions.csv", "FULL")
    arns["solution"] = personalize.create_solution(
        name="view-shop-solution", datasetGroupArn=arns["group"], recipeArn=RECIPE, performAutoTraining=False
    )["solutionArn"]
    wait_for(lambda: personalize.describe_solution(solutionArn=arns["solution"]), settled("solution"))
    arns["first_version"] = trained()
    arns["campaign"] = personalize.create_campaign(
        name="view-shop-campaign", solutionVersionArn=arns["first_version"], minProvisionedTPS=1
    )["campaignArn"]
    wait_for(lambda: personalize.describe_campaign(campaignArn=arns["campaign"]), settled("campaign"))
    # A file of user ids is no interactions file: the service refuses it, saying which columns lack.
    arns["failed_import"] = imported("view-bad-import", "deletion-requests.csv", "INCREMENTAL")
    arns["second_version"] = trained()
    personalize.update_campaign(campaignArn=arns["campaign"], solutionVersionArn=arns["second_version"])
    wait_for(
        lambda: personalize.describe_campaign(campaignArn=arns["campaign"])["campaign"],
        lambda campaign: campaign["latestCampaignUpdate"]["status"] == "ACTIVE",
    )
    arns["export"] = personalize.create_dataset_export_job(
        jobName="view-export",
        datasetArn=arns["dataset"],
        roleArn=role,
        jobOutput={"s3DataDestination": {"path": f"s3://{bucket}/view-exports/"}},
    )["datasetExportJobArn"]
    arns["deletion"] = personalize.create_data_deletion_job(
        jobName="view-deletion",
        datasetGroupArn=arns["group"],
        dataSource={"dataLocation": f"s3://{bucket}/deletion-requests.csv"},
        roleArn=role,
    )["dataDeletionJobArn"]
    arns["batch"] = personalize.create_batch_inference_job(
        jobName="view-batch",
        solutionVersionArn=arns["second_version"],
        jobInput={"s3DataSource": {"path": f"s3://{bucket}/batch-input/users.jsonl"}},
        jobOutput={"s3DataDestination": {"path": f"s3://{bucket}/batch-output/"}},
        roleArn=role,
    )["batchInferenceJobArn"]
    wait_for(
        lambda: personalize.describe_data_deletion_job(dataDeletionJobArn=arns["deletion"]),
        settled("dataDeletionJob"),
    )
    wait_for(
        lambda: personalize.describe_batch_inference_job(batchInferenceJobArn=arns["batch"]),
        settled("batchInferenceJob"),
    )
    wait_for(
        lambda: personalize.describe_dataset_export_job(datasetExportJobArn=arns["export"]),
        settled("datasetExportJob"),
    )
    return arns


def test_the_view_refuses_a_caller_who_is_not_signed_in_or_may_not_read_the_connection(
    client, personalize_emulator_clean
):
    dataset_group(personalize_emulator_clean.client("personalize"), "view-auth")

    assert client.get("/personalize/dataset-groups").status_code == 401
    assert client.get(
        "/personalize/dataset-groups", headers={"Authorization": "Bearer forged"}
    ).status_code in (
        401,
        403,
    )
    for role in ("viewer", "user"):
        refused = client.get("/personalize/dataset-groups", headers=as_user(role))
        assert refused.status_code == 403
        assert "personalize_emulator" in refused.json()["detail"]
        assert "view-auth" not in refused.text

    for role in ("op", "admin"):
        allowed = client.get("/personalize/dataset-groups", headers=as_user(role))
        assert allowed.status_code == 200
        assert [group["name"] for group in allowed.json()["groups"]] == ["view-auth"]
    # As the Airflow 3.2+ UI sends it: the token in Airflow's cookie.
    client.cookies.set("_token", token("admin"))
    assert client.get("/personalize/dataset-groups").status_code == 200


def test_the_page_itself_holds_no_data_and_needs_no_sign_in(client):
    page = client.get("/personalize/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="static/personalize.js"' in page.text
    assert client.get("/personalize/static/personalize.js").status_code == 200


def test_the_overview_shows_versions_metrics_the_live_version_and_jobs_with_failure_reasons(
    client, personalize, it_dags, personalize_aws_conn_id
):
    arns = history(personalize, it_dags)
    answer = client.get(
        "/personalize/dataset-groups/overview", params={"arn": arns["group"]}, headers=as_user()
    )
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert view["conn_id"] == personalize_aws_conn_id and view["region"] == "us-east-1"
    assert view["group"]["name"] == "view-shop"

    (solution,) = view["solutions"]
    versions = {version["arn"]: version for version in solution["versions"]}
    assert list(versions) == [arns["second_version"], arns["first_version"]]  # newest first
    for arn, version in versions.items():
        assert version["metrics"] == personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"]
        assert version["metrics"]["coverage"] > 0
        assert version["training"]["status"] == "ACTIVE" and version["training"]["duration_seconds"] > 0
    assert versions[arns["second_version"]]["served_by"] == ["view-shop-campaign"]
    assert versions[arns["first_version"]]["served_by"] == []

    (campaign,) = view["campaigns"]
    described = personalize.describe_campaign(campaignArn=arns["campaign"])["campaign"]
    assert campaign["solution_version_arn"] == arns["second_version"]
    assert campaign["serving_since"] == described["latestCampaignUpdate"]["lastUpdatedDateTime"].isoformat()
    assert campaign["latest_update"]["status"] == "ACTIVE"

    failure = personalize.describe_dataset_import_job(datasetImportJobArn=arns["failed_import"])[
        "datasetImportJob"
    ]["failureReason"]
    assert failure
    (dataset,) = view["datasets"]
    assert dataset["last_import"]["arn"] == arns["failed_import"]
    assert dataset["last_import"]["status"] == "CREATE FAILED"
    assert dataset["last_import"]["failure_reason"] == failure

    jobs = {job["arn"]: job for job in view["recent_jobs"]}
    kinds = {arn: job["kind"] for arn, job in jobs.items()}
    assert kinds == {
        arns["import"]: "import",
        arns["failed_import"]: "import",
        arns["first_version"]: "training",
        arns["second_version"]: "training",
        arns["export"]: "export",
        arns["deletion"]: "data deletion",
        arns["batch"]: "batch inference",
    }
    assert jobs[arns["failed_import"]]["failure_reason"] == failure
    started = [job["started"] for job in view["recent_jobs"]]
    assert started == sorted(started, reverse=True)
    deleted = personalize.describe_data_deletion_job(dataDeletionJobArn=arns["deletion"])["dataDeletionJob"]
    assert jobs[arns["deletion"]]["detail"] == f"{deleted['numDeleted']} records deleted"

    page = client.get(
        "/personalize/dataset-groups/overview",
        params={"arn": arns["group"]},
        headers=as_user(json_answer=False),
    ).text
    series = chart_points(page)
    assert len(series) == len(versions[arns["first_version"]]["metrics"])  # one line per metric
    first, second = (arns[version].rpartition("/")[2] for version in ("first_version", "second_version"))
    assert all(points == [first, second] for points in series)  # one point per version, oldest first
    assert failure in page
    assert "<script src=" not in page  # pygal's tooltip script would come from the internet


def test_a_page_view_within_the_ttl_sends_no_request_to_personalize(
    client, personalize_emulator_clean, monkeypatch
):
    group = dataset_group(personalize_emulator_clean.client("personalize"), "view-cache")
    sent: list[str] = []
    send = view_reader.PersonalizeReader.send

    def counted(reader, operation, params):
        sent.append(operation)
        return send(reader, operation, params)

    monkeypatch.setattr(view_reader.PersonalizeReader, "send", counted)

    def view_once() -> None:
        answer = client.get("/personalize/dataset-groups/overview", params={"arn": group}, headers=as_user())
        assert answer.status_code == 200

    view_once()
    first_view = len(sent)
    assert first_view >= 4  # the group, its datasets, solutions and deletion jobs
    view_once()
    view_once()
    assert len(sent) == first_view
    view_reader.forget_answers()  # what the TTL does after ANSWER_TTL_SECONDS
    view_once()
    assert len(sent) == 2 * first_view


def test_a_throttled_api_gives_a_message_naming_the_throttling(client, personalize_emulator_clean):
    personalize_emulator_clean.set_faults(throttleRate=1.0, seed=1)
    answer = client.get("/personalize/dataset-groups", headers=as_user(json_answer=False))
    assert answer.status_code == 503
    assert "throttling" in answer.text and "ThrottlingException" in answer.text
    assert answer.headers["content-type"].startswith("text/html")


def test_a_slow_api_gives_a_message_within_the_page_deadline(client, personalize_emulator_clean, monkeypatch):
    monkeypatch.setattr(view_app, "PAGE_DEADLINE_SECONDS", 0.5)
    personalize_emulator_clean.set_faults(latencySeconds=2)
    started = time.monotonic()
    answer = client.get("/personalize/dataset-groups", headers=as_user())
    assert time.monotonic() - started < 2
    assert answer.status_code == 504
    assert "has not answered within 0.5 s" in answer.json()["detail"]


def test_an_unknown_connection_is_refused_rather_than_replaced_by_the_servers_identity(client):
    answer = client.get("/personalize/dataset-groups", params={"conn_id": "nowhere"}, headers=as_user())
    assert answer.status_code == 404
    assert answer.json()["detail"] == "There is no Airflow connection named 'nowhere'."


def test_a_malformed_region_is_refused_naming_the_parameter_before_any_request(client):
    answer = client.get("/personalize/dataset-groups", params={"region": "moon-base"}, headers=as_user())
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "region"]
    # Empty, as the page's form sends it: the connection's region.
    assert (
        client.get("/personalize/dataset-groups", params={"region": ""}, headers=as_user()).status_code == 200
    )


def test_an_unknown_dataset_group_is_a_message_not_an_error_page(client):
    arn = "arn:aws:personalize:us-east-1:123456789012:dataset-group/missing"
    answer = client.get(
        "/personalize/dataset-groups/overview", params={"arn": arn}, headers=as_user(json_answer=False)
    )
    assert answer.status_code == 404
    assert "found no such resource" in answer.text and "missing" in answer.text
