"""OpenLineage for the Personalize operators: what each data movement reads and writes, and how it ended.

The create operators answer OpenLineage's ``get_openlineage_facets_on_start/complete/failure`` from
:mod:`.operator_lineage`, reading the data each kind moves from the table of kinds
(:attr:`airflow_provider_personalize.resources.ResourceKind.moves`); :mod:`.naming` names S3 locations and
Personalize resources; :mod:`.facets` holds this provider's run facet and the schema facet of an Avro schema.
Nothing here is imported unless OpenLineage asks a task for its lineage.
"""
