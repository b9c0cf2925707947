"""The DAGs of the deployment ``personalize_deployment.yaml`` describes (bootstrap, schedules, teardown).

``example-shop_bootstrap`` creates it (or adopts what exists); ``example-shop_import`` imports each night's
interactions, which triggers ``example-shop_example-shop-for-you_update``; the ``_full`` retraining, the
batch jobs and ``example-shop_teardown`` follow the config. ``make demo-config`` runs them on the local
Personalize service.
"""

from personalize_example_common import DEFAULT_ARGS

from airflow_provider_personalize.pipelines import dags_from_config

globals().update(dags_from_config("personalize_deployment.yaml", default_args=DEFAULT_ARGS))
