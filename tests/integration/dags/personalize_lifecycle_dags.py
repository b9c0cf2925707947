"""Issue 5's training lifecycle DAGs, run on the emulator by tests/integration/test_lifecycle_pipeline.py.

``personalize_it_lifecycle``: import -> solution -> version 1 -> gate -> campaign -> version 2 -> a gate
that refuses it (soft_fail) -> deploy skipped -> what the campaign serves, recommendations -> batch
inference with the served version -> teardown of the dataset group. ``personalize_it_lifecycle_deploy``:
the same, deferrable, with a gate that lets version 2 through, so that it is deployed (and deployed
again, a no-op). ``personalize_it_teardown``: the teardown alone (run after the pipeline, it must find
nothing and succeed).
"""

from __future__ import annotations

from airflow.sdk import DAG, task
from personalize_it_dags import BUCKET, CONN_ID, ROLE_ARN, import_interactions, interactions_dataset, it_dag

from airflow_provider_personalize.hooks.personalize import PersonalizeHook, PersonalizeRuntimeHook
from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeDeleteDatasetGroupOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)
from airflow_provider_personalize.resources import CAMPAIGN

# The DAGs folder holds both files: this one builds on the other's helpers.
GROUP_NAME = "it-lifecycle"
# A bar every trained model passes, and one none can (a share above 1).
EASY_BAR = {"coverage": 0.0, "normalized_discounted_cumulative_gain_at_10": 0.0}
IMPOSSIBLE_BAR = {"coverage": 1.01}


@task
def served_version(campaign_arn: str) -> str:
    """The version the campaign serves, read before the teardown deletes it."""
    return PersonalizeHook(aws_conn_id=CONN_ID).describe(CAMPAIGN, campaign_arn)["solutionVersionArn"]


@task
def recommend(campaign_arn: str) -> list[str]:
    runtime = PersonalizeRuntimeHook(aws_conn_id=CONN_ID).conn
    response = runtime.get_recommendations(campaignArn=campaign_arn, userId="user1", numResults=5)
    return [item["itemId"] for item in response["itemList"]]


def lifecycle(dag_id: str, second_bar: dict[str, float], **default_args) -> DAG:
    """Issue 5's DAG; the second version's gate holds it to ``second_bar``."""
    with it_dag(dag_id, **default_args) as dag:
        group, dataset = interactions_dataset(GROUP_NAME)
        import_job = import_interactions(dataset, "interactions.csv")
        solution = PersonalizeCreateSolutionOperator(
            task_id="solution",
            name="it-lifecycle",
            dataset_group_arn=group.output,
            recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization",
            perform_auto_training=False,
        )
        first = PersonalizeCreateSolutionVersionOperator(task_id="train_first", solution_arn=solution.output)
        first_gate = PersonalizeSolutionMetricsCheckOperator(
            task_id="gate_first", solution_version_arn=first.output, thresholds=EASY_BAR
        )
        campaign = PersonalizeCreateCampaignOperator(
            task_id="campaign", name="it-lifecycle", solution_version_arn=first.output
        )
        second = PersonalizeCreateSolutionVersionOperator(
            task_id="train_second", solution_arn=solution.output
        )
        # As a DAG without native rendering passes them: JSON text and numeric text.
        second_gate = PersonalizeSolutionMetricsCheckOperator(
            task_id="gate_second",
            solution_version_arn=second.output,
            thresholds="{{ " + repr(second_bar) + " | tojson }}",
            compare_to_campaign_arn=campaign.output,
            tolerance="{{ 0.01 }}",
            soft_fail=True,
        )
        deploy = PersonalizeUpdateCampaignOperator(
            task_id="deploy", campaign_arn=campaign.output, solution_version_arn=second.output
        )
        # Deploying what the campaign serves already sends nothing.
        deploy_again = PersonalizeUpdateCampaignOperator(
            task_id="deploy_again", campaign_arn=campaign.output, solution_version_arn=second.output
        )
        served = served_version.override(trigger_rule="none_failed")(campaign.output)
        recommendations = recommend.override(trigger_rule="none_failed")(campaign.output)
        batch = PersonalizeCreateBatchInferenceJobOperator(
            task_id="batch_inference",
            solution_version_arn=served,
            job_input=f"s3://{BUCKET}/lifecycle/users.jsonl",
            job_output=f"s3://{BUCKET}/lifecycle/batch-output/" + "{{ ds }}/",
            role_arn=ROLE_ARN,
            num_results=5,
        )
        import_job >> solution
        first_gate >> campaign >> second
        second_gate >> deploy >> deploy_again >> [served, recommendations]
        teardown = PersonalizeDeleteDatasetGroupOperator(
            task_id="teardown",
            dataset_group_arn=group.output,
            delete_schemas=True,
            trigger_rule="none_failed",
        )
        recommendations >> batch >> teardown
    return dag


# The second version is refused (no model reaches the bar); run with dag.test(), blocking.
personalize_it_lifecycle = lifecycle("personalize_it_lifecycle", second_bar=IMPOSSIBLE_BAR)
# The second version is deployed; run with the airflow dags test CLI, every wait deferred.
personalize_it_lifecycle_deploy = lifecycle(
    "personalize_it_lifecycle_deploy", second_bar=EASY_BAR, deferrable=True
)

with it_dag("personalize_it_teardown") as personalize_it_teardown:
    PersonalizeDeleteDatasetGroupOperator(
        task_id="teardown", dataset_group_name=GROUP_NAME, delete_schemas=True
    )
