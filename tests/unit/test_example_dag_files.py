"""The example DAGs users copy: they parse cleanly, and their shared settings reach every task that waits.

``personalize_example_common`` turns PERSONALIZE_EXAMPLE_WAITER_DELAY into the DAGs' default_args (with their
retries): a DAG that forgets them polls a local emulator at AWS's pace (every 30 s for a deletion) and is not
retried. The runs themselves are in tests/integration/test_example_dags.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.dagbag import parse_dags
from tests.examples import EXAMPLE_DAGS, waits

WAITER_DELAY = 7

pytestmark = pytest.mark.usefixtures("no_aws_calls")


@pytest.fixture(scope="module")
def dagbag() -> Iterator[Any]:
    """The example DAGs folder as Airflow's DAG processor parses it, with the examples' waiter delay set."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PERSONALIZE_EXAMPLE_WAITER_DELAY", str(WAITER_DELAY))
        # The shared module reads the environment when imported; Airflow puts the DAGs folder on sys.path,
        # which is how the DAGs import it.
        patch.delitem(sys.modules, "personalize_example_common", raising=False)
        patch.syspath_prepend(str(EXAMPLE_DAGS))
        yield parse_dags(EXAMPLE_DAGS)
        sys.modules.pop("personalize_example_common", None)


def test_every_example_dag_loads_without_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {
        "personalize_bootstrap",
        "personalize_nightly_refresh",
        "personalize_user_deletion",
        "personalize_teardown",
        "personalize_fanout_bootstrap",
        "personalize_fanout_nightly_refresh",
        # personalize_deployment_dags.py, from personalize_deployment.yaml
        "example-shop_bootstrap",
        "example-shop_import",
        "example-shop_example-shop-for-you_full",
        "example-shop_example-shop-for-you_update",
        "example-shop_example-shop-for-you_batch_inference",
        "example-shop_example-shop-audiences_batch_segment",
        "example-shop_teardown",
    }


def test_every_task_that_waits_polls_at_the_examples_delay_and_is_retried(dagbag):
    # A mapped task (the fan-out DAGs') holds its arguments in partial_kwargs until it is expanded.
    settings = {
        f"{dag_id}.{task.task_id}": (
            getattr(task, "partial_kwargs", vars(task)).get("waiter_delay"),
            getattr(task, "partial_kwargs", vars(task)).get("retries", task.retries),
        )
        for dag_id, dag in dagbag.dags.items()
        for task in dag.tasks
        if waits(getattr(task, "operator_class", type(task)))
    }
    assert "personalize_teardown.delete_dataset_group" in settings
    assert {task: values for task, values in settings.items() if values != (WAITER_DELAY, 2)} == {}
