"""The emulated Personalize control plane: resources, their lifecycles and AWS's rules between them.

One generic machinery (create, look up, list, delete, tag) serves every kind in ``kinds.KINDS``;
kind-specific rules live in the ``create_*`` / ``update_*`` methods of :class:`PersonalizeEmulatorBackend`.
The resources themselves, and what they own, are ``resources.py``'s and ``jobs.py``'s.

Semantics, from AWS's API reference and developer guide:

- Names are unique per account, region and kind (the ARN holds the name): a second create with the same
  name raises ResourceAlreadyExistsException, also while the first is being deleted. A dataset's ARN is
  ``dataset/<group name>/<TYPE>``, so a second dataset of a type in a group is a duplicate too.
- Children can only be created under an ACTIVE parent (ResourceInUseException otherwise).
- Deletes are asynchronous: DELETE PENDING > DELETE IN_PROGRESS, then ResourceNotFoundException. Only an
  ACTIVE, CREATE FAILED or INACTIVE resource can be deleted. A parent cannot be deleted while it has
  children (jobs block only while they run); a schema cannot be deleted while a dataset uses it, nor a
  dataset while a solution version of its group trains. When a resource is gone, its jobs and solution
  versions go with it. Schemas have no status: they go at once.
- A job (and a recommender) does its data work from its in-progress status on, and applies it as it reaches
  its final status (``jobs.py``); a job that cannot do its work ends in CREATE FAILED (FAILED for data
  deletion jobs) with a failureReason.

Where AWS documents a rule but not its wording, the message here is our own, and says what is wrong.
Where AWS's behaviour is undocumented we pick the conservative choice:

- List operations return the most recently created resources first; a nextToken names the first resource
  of the next page (moto's paginator), so a token whose resource has gone since is refused with
  InvalidNextTokenException rather than silently skipping or repeating resources;
- event tracker ARNs end in a random 8-hex-digit id, like solution versions' (random as moto's
  ``/moto-api/seed`` seeds it, like every id here);
- UpdateCampaign only deploys another version of the campaign's own solution;
- a metric attribution update applies at once (the API gives it no update status);
- a dataset group counts against the quota of 5 (or the account's applied value, ``account_quotas.py``)
  until it is gone, deletion included;
"""

import functools
import threading
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.exceptions import InvalidToken
from moto.moto_api._internal import mock_random
from moto.personalize.models import PersonalizeBackend
from moto.utilities.paginator import Paginator
from moto.utilities.utils import get_partition

from ..engine.avro import SchemaError, canonical_dataset_type, parse_schema, schema_problem_for_dataset_type
from ..engine.quotas import QUOTAS_BY_KIND
from . import lifecycle
from .account_quotas import APPLIED_QUOTAS
from .exceptions import (
    InvalidInputException,
    InvalidNextTokenException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from .filtering import FilterResource, parsed_filter
from .jobs import (
    BatchInferenceJob,
    BatchSegmentJob,
    DataDeletionJob,
    DatasetExportJob,
    DatasetImportJob,
    Recommender,
    SolutionVersion,
)
from .kinds import KINDS, Kind
from .recipes import ALGORITHMS, FEATURE_TRANSFORMATIONS, RECIPES, RECIPES_CREATED_AT
from .resources import Dataset, DatasetGroup, Resource, Schema, Solution, TrainedResource, dataset_type
from .tags import ResourceTags

NO_BATCH_RECIPES = frozenset({"aws-trending-now", "aws-next-best-action"})
# Next-Best-Action's datasets exist in custom dataset groups only
# (https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html).
CUSTOM_ONLY_DATASET_TYPES = frozenset({"Actions", "Action_Interactions"})
DELETABLE_STATUSES = frozenset({"ACTIVE", lifecycle.CREATE_FAILED, "INACTIVE"})
PAGING_MEMBERS = frozenset({"nextToken", "maxResults"})
DEFAULT_PAGE_SIZE = 100
Params = dict[str, Any]

RESOURCE_CLASSES: dict[str, type[Resource]] = {
    "DatasetGroup": DatasetGroup,
    "Schema": Schema,
    "Dataset": Dataset,
    "DatasetImportJob": DatasetImportJob,
    "DatasetExportJob": DatasetExportJob,
    "DataDeletionJob": DataDeletionJob,
    "Solution": Solution,
    "SolutionVersion": SolutionVersion,
    "BatchInferenceJob": BatchInferenceJob,
    "BatchSegmentJob": BatchSegmentJob,
    "Recommender": Recommender,
    "Filter": FilterResource,
}


def _unless_given(defaults: Params, params: Params) -> Params:
    return {member: value for member, value in defaults.items() if params.get(member) is None}


def paginate(items: list[Params], params: Params, key: str, unique_member: str) -> Params:
    """One page of ``items`` (listed newest first) as the List operation ``params`` ask for it.

    moto's paginator: a token names the first item of the next page (its ``unique_member``) and the
    request's other members, so that a token is only good for the listing it came from. moto's
    ``PaginatedResult`` does not fit: it pages in the response class, over the parameters moto's own
    request parser gives, whereas our List operations page in the backend over the JSON body.
    """
    where = {member: value for member, value in params.items() if member not in PAGING_MEMBERS}
    try:
        paginator = Paginator(
            max_results=params.get("maxResults"),
            max_results_default=DEFAULT_PAGE_SIZE,
            starting_token=params.get("nextToken"),
            unique_attribute=unique_member,
            param_values_to_check=where,
            # moto raises an exception class given here (typed as a bool) for a token it cannot read.
            fail_on_invalid_token=InvalidNextTokenException,  # type: ignore[arg-type]
        )
        page, next_token = paginator.paginate(items)
    except InvalidToken:  # a token of another listing, or whose next item has gone since
        raise InvalidNextTokenException() from None
    return {key: page, "nextToken": next_token} if next_token else {key: page}


# Held while a Create checks and inserts (see ``add``); re-entrant, should creating a resource create another.
_CREATING = threading.RLock()


class PersonalizeEmulatorBackend(PersonalizeBackend):
    """Personalize's control plane for one account and region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.resources: dict[str, Resource] = {}
        self.tags = ResourceTags()

    # moto finds this backend's routes in the module named as this one with ``urls`` for ``models``
    # (``BaseBackend._url_module``), as for every moto service: ``service/urls.py``.

    @functools.cached_property
    def urls(self) -> dict[str, Any]:
        """moto rebuilds this on every in-process request; the routes never change."""
        return super().urls

    # -- the generic machinery ------------------------------------------------------------------

    def arn(self, kind: Kind, resource_id: str) -> str:
        partition = get_partition(self.region_name)
        prefix = f"arn:{partition}:personalize:{self.region_name}:{self.account_id}"
        return f"{prefix}:{kind.arn_resource_type}/{resource_id}"

    def get(self, kind: Kind, arn: str) -> Resource:
        resource = self.resources.get(arn)
        if resource is None or resource.kind is not kind or resource.status == lifecycle.GONE:
            raise ResourceNotFoundException(arn)
        return resource

    def get_active(self, kind: Kind, arn: str) -> Resource:
        resource = self.get(kind, arn)
        if resource.status != "ACTIVE":
            raise ResourceInUseException(
                f"The {kind.label} {arn} is in {resource.status} state; it must be ACTIVE."
            )
        return resource

    def live(self, kind: Kind, where: Params | None = None) -> list[Resource]:
        """The kind's existing resources, newest first, whose ancestors match ``where``."""
        matching = [
            resource
            for resource in list(self.resources.values())
            if resource.kind is kind
            and all(resource.ancestors.get(member) == arn for member, arn in (where or {}).items())
        ]
        return [resource for resource in reversed(matching) if resource.status != lifecycle.GONE]

    def forget(self, resource: Resource) -> None:
        """Remove a deleted resource, and the resources under it."""
        gone = [resource.arn] + [
            descendant.arn
            for descendant in list(self.resources.values())
            if resource.arn in descendant.ancestors.values()
        ]
        for arn in gone:
            forgotten = self.resources.pop(arn, None)
            if forgotten is not None:
                forgotten.cancel()
            self.tags.forget(arn)

    def reset(self) -> None:
        """moto's reset (``/moto-api/reset``, and the mock's exit): every walk stops before the data goes, so
        that no job of the old data writes into the new (the clock's thread ends with them)."""
        for resource in list(self.resources.values()):
            resource.cancel()
        super().reset()

    def add(
        self,
        kind: Kind,
        params: Params,
        *,
        resource_id: str | None = None,
        arn: str | None = None,
        **derived: Any,
    ) -> Resource:
        """Create a resource from its Create request ``params`` (plus ``derived`` members).

        Its ARN is ``arn``, else formed from ``resource_id``, else from its name.
        """
        ancestors: dict[str, str] = {}
        if kind.parent_kind and kind.parent_member:
            parent_arn = params[kind.parent_member]
            parent = self.get_active(kind.parent_kind, parent_arn)
            ancestors = {kind.parent_member: parent_arn, **parent.ancestors}
        arn = arn or self.arn(kind, resource_id or params[kind.name_member])
        # The server serves requests on many threads: the name and quota checks and the insertion are one
        # step, or two Creates racing for the last unit of a quota (or for one name) would both succeed.
        with _CREATING:
            existing = self.resources.get(arn)
            if existing is not None and existing.status != lifecycle.GONE:
                raise ResourceAlreadyExistsException(arn)
            self._check_quotas(kind, ancestors)
            self.tags.check(arn, params.get("tags"))
            attributes = {key: value for key, value in params.items() if key != "tags"} | derived
            resource = RESOURCE_CLASSES.get(kind.api_name, Resource)(self, kind, arn, attributes, ancestors)
            self.resources[arn] = resource
            self.tags.tag(arn, params.get("tags"))
        resource.lifecycle.begin(kind.statuses or ("ACTIVE",))  # now that the backend knows it
        return resource

    def _check_quotas(self, kind: Kind, ancestors: dict[str, str]) -> None:
        """LimitExceededException for a Create over one of the kind's quotas (``engine/quotas.py``)."""
        for quota in map(APPLIED_QUOTAS.applied, QUOTAS_BY_KIND.get(kind.api_name, ())):
            where: Params | None = {quota.scope: ancestors[quota.scope]} if quota.scope != "region" else None
            counted = [
                resource
                for resource in self.live(kind, where)
                if quota.counted == "existing"
                or (quota.counted == "unfinished" and resource.is_running)
                or (quota.counted == "pending" and resource.status == kind.statuses[0])
            ]
            if len(counted) >= quota.limit:
                raise LimitExceededException(quota.message(f"{kind.label}s"))

    def describe_resource(self, kind: Kind, params: Params) -> Params:
        resource = self.get(kind, params[kind.arn_member])
        resource.advance()
        described = resource.describe()
        if resource.status == lifecycle.GONE:  # the describe's own progression finished a deletion
            raise ResourceNotFoundException(resource.arn)
        return {kind.describe_key: described}

    def list_resources(self, kind: Kind, params: Params) -> Params:
        where = {member: value for member, value in params.items() if member not in PAGING_MEMBERS}
        if kind.api_name == "SolutionVersion" and "solutionArn" in where:
            # The one List operation documented to raise ResourceNotFoundException for an unknown parent.
            self.get(KINDS["Solution"], where["solutionArn"])
        summaries = [resource.summary() for resource in self.live(kind, where)]
        return paginate(summaries, params, kind.list_key, kind.arn_member)

    def delete_resource(self, kind: Kind, params: Params) -> Params:
        resource = self.get(kind, params[kind.arn_member])
        if resource.status not in DELETABLE_STATUSES:
            raise ResourceInUseException(f"The {kind.label} {resource.arn} is in {resource.status} state.")
        for blocker in resource.deletion_blockers():
            raise ResourceInUseException(
                f"The {kind.label} {resource.arn} is in use by the {blocker.kind.label} {blocker.arn} "
                f"({blocker.status})."
            )
        if kind.has_status:
            resource.lifecycle.begin(lifecycle.DELETE)
        else:
            self.forget(resource)
        return {}

    def descendants(self, resource: Resource) -> list[Resource]:
        return [
            descendant
            for descendant in list(self.resources.values())
            if resource.arn in descendant.ancestors.values() and descendant.status != lifecycle.GONE
        ]

    # -- dataset groups, schemas, datasets ---------------------------------------------------------

    def create_dataset_group(self, params: Params) -> Params:
        # A KMS key needs a role with access to it, and the role serves only for the key.
        if bool(params.get("roleArn")) != bool(params.get("kmsKeyArn")):
            raise InvalidInputException("roleArn and kmsKeyArn must be given together, or not at all.")
        group = self.add(KINDS["DatasetGroup"], params)
        response: Params = {"datasetGroupArn": group.arn}
        if params.get("domain"):
            response["domain"] = params["domain"]
        return response

    def create_schema(self, params: Params) -> Params:  # type: ignore[override]
        try:
            parse_schema(params["schema"])
        except SchemaError as error:
            raise InvalidInputException(str(error)) from None
        return {"schemaArn": self.add(KINDS["Schema"], params).arn}

    def _fitting_schema(self, schema_arn: str, of_type: str, group: Resource) -> Resource:
        """The schema ``schema_arn``, if it can back a dataset of type ``of_type`` in ``group``: the checks
        CreateDataset and UpdateDataset make (``engine/avro.py``)."""
        schema = self.get(KINDS["Schema"], schema_arn)
        group_domain = group.attributes.get("domain")
        if schema.attributes.get("domain") != group_domain:
            schema_domain = schema.attributes.get("domain")
            raise InvalidInputException(
                f"The schema {schema_arn} (domain {schema_domain or 'none'}) does not match "
                f"the domain of the dataset group {group.arn} ({group_domain or 'none'})."
            )
        problem = schema_problem_for_dataset_type(
            parse_schema(schema.attributes["schema"]), of_type, group_domain
        )
        if problem:
            raise InvalidInputException(problem)
        return schema

    def create_dataset(self, params: Params) -> Params:
        of_type = canonical_dataset_type(params["datasetType"])
        if of_type is None:
            raise InvalidInputException(
                f"Invalid datasetType {params['datasetType']}: it must be one of "
                "Interactions, Items, Users, Actions, Action_Interactions."
            )
        group = self.get_active(KINDS["DatasetGroup"], params["datasetGroupArn"])
        if of_type in CUSTOM_ONLY_DATASET_TYPES and group.attributes.get("domain"):
            raise InvalidInputException(f"{of_type} datasets cannot be created in a Domain dataset group.")
        self._fitting_schema(params["schemaArn"], of_type, group)
        resource_id = f"{group.attributes['name']}/{of_type.upper()}"
        dataset = self.add(KINDS["Dataset"], params, resource_id=resource_id)
        return {"datasetArn": dataset.arn}

    def update_dataset(self, params: Params) -> Params:
        dataset = self.get_active(KINDS["Dataset"], params["datasetArn"])
        group = self.get(KINDS["DatasetGroup"], dataset.attributes["datasetGroupArn"])
        self._fitting_schema(params["schemaArn"], dataset_type(dataset), group)
        dataset.begin_update({"schemaArn": params["schemaArn"]})
        return {"datasetArn": dataset.arn}

    # -- jobs on datasets -------------------------------------------------------------------------

    def create_dataset_import_job(self, params: Params) -> Params:
        job = self.add(KINDS["DatasetImportJob"], params, **_unless_given({"importMode": "FULL"}, params))
        return {"datasetImportJobArn": job.arn}

    def create_dataset_export_job(self, params: Params) -> Params:
        job = self.add(KINDS["DatasetExportJob"], params, **_unless_given({"ingestionMode": "PUT"}, params))
        return {"datasetExportJobArn": job.arn}

    def create_data_deletion_job(self, params: Params) -> Params:
        return {"dataDeletionJobArn": self.add(KINDS["DataDeletionJob"], params).arn}

    # -- solutions and solution versions ----------------------------------------------------------

    def _custom_recipe(self, recipe_arn: str) -> None:
        recipe = RECIPES.get(recipe_arn)
        if recipe is None:
            raise ResourceNotFoundException(recipe_arn)
        if recipe.domain:
            raise InvalidInputException(
                f"The recipe {recipe_arn} is a recommender use case ({recipe.domain}); "
                "use it with CreateRecommender, not CreateSolution."
            )

    def create_solution(self, params: Params) -> Params:
        if params.get("recipeArn"):
            self._custom_recipe(params["recipeArn"])
        elif not params.get("performAutoML"):
            raise InvalidInputException("Provide a recipeArn, or set performAutoML to true.")
        defaults = {"performHPO": False, "performAutoML": False, "performAutoTraining": True}
        solution = self.add(KINDS["Solution"], params, **_unless_given(defaults, params))
        return {"solutionArn": solution.arn}

    def update_solution(self, params: Params) -> Params:
        solution = self.get_active(KINDS["Solution"], params["solutionArn"])
        solution.begin_update({key: value for key, value in params.items() if key != "solutionArn"})
        return {"solutionArn": solution.arn}

    def create_solution_version(self, params: Params) -> Params:
        solution = self.get_active(KINDS["Solution"], params["solutionArn"])
        inherited = {
            member: solution.attributes[member]
            for member in (
                "performHPO",
                "performAutoML",
                "performIncrementalUpdate",
                "recipeArn",
                "eventType",
                "datasetGroupArn",
                "solutionConfig",
            )
            if member in solution.attributes
        }
        version = self.add(
            KINDS["SolutionVersion"],
            params,
            arn=f"{solution.arn}/{mock_random.uuid4().hex[:8]}",
            trainingType="MANUAL",
            **inherited,
            **_unless_given({"trainingMode": "FULL"}, params),
        )
        return {"solutionVersionArn": version.arn}

    def get_solution_metrics(self, params: Params) -> Params:
        version = self.get_active(KINDS["SolutionVersion"], params["solutionVersionArn"])
        training = version.training_result if isinstance(version, TrainedResource) else None
        return {"solutionVersionArn": version.arn, "metrics": training.metrics if training else {}}

    def stop_solution_version_creation(self, params: Params) -> Params:
        version = self.get(KINDS["SolutionVersion"], params["solutionVersionArn"])
        if version.status not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
            raise ResourceInUseException(
                f"The solution version {version.arn} is in {version.status} state; "
                "only a version in CREATE PENDING or CREATE IN_PROGRESS can be stopped."
            )
        version.lifecycle.begin(lifecycle.STOP_SOLUTION_VERSION)
        return {}

    # -- campaigns and batch jobs ----------------------------------------------------------------

    def create_campaign(self, params: Params) -> Params:
        campaign = self.add(KINDS["Campaign"], params, **_unless_given({"minProvisionedTPS": 1}, params))
        return {"campaignArn": campaign.arn}

    def update_campaign(self, params: Params) -> Params:
        campaign = self.get_active(KINDS["Campaign"], params["campaignArn"])
        if campaign.update is not None and campaign.update.status not in ("ACTIVE", lifecycle.CREATE_FAILED):
            raise ResourceInUseException(f"The campaign {campaign.arn} has an update in progress.")
        if params.get("solutionVersionArn"):
            version = self.get_active(KINDS["SolutionVersion"], params["solutionVersionArn"])
            if version.ancestors["solutionArn"] != campaign.ancestors["solutionArn"]:
                raise InvalidInputException(
                    f"The solution version {version.arn} is not a version of the campaign's solution."
                )
        current = {
            member: campaign.attributes[member]
            for member in ("solutionVersionArn", "minProvisionedTPS", "campaignConfig")
            if member in campaign.attributes
        }
        request = {key: value for key, value in params.items() if key != "campaignArn"}
        campaign.begin_update(current | request)
        return {"campaignArn": campaign.arn}

    def _check_filter(self, params: Params) -> None:
        if params.get("filterArn"):
            self.get_active(KINDS["Filter"], params["filterArn"])

    def create_batch_inference_job(self, params: Params) -> Params:
        self._check_filter(params)
        version = self.get(KINDS["SolutionVersion"], params["solutionVersionArn"])
        recipe = version.attributes.get("recipeArn", "").rsplit("/", 1)[-1]
        if recipe in NO_BATCH_RECIPES:
            # "You can't get batch recommendations with the Trending-Now or Next-Best-Action recipes."
            # (https://docs.aws.amazon.com/personalize/latest/dg/batch-inference-job-output-examples.html)
            raise InvalidInputException(f"Batch inference jobs cannot use a solution version of {recipe}.")
        job = self.add(KINDS["BatchInferenceJob"], params)
        return {"batchInferenceJobArn": job.arn}

    def create_batch_segment_job(self, params: Params) -> Params:
        self._check_filter(params)
        return {"batchSegmentJobArn": self.add(KINDS["BatchSegmentJob"], params).arn}

    # -- recommenders --------------------------------------------------------------------------

    def create_recommender(self, params: Params) -> Params:
        group = self.get_active(KINDS["DatasetGroup"], params["datasetGroupArn"])
        domain = group.attributes.get("domain")
        if not domain:
            raise InvalidInputException(
                f"Recommenders can only be created in a Domain dataset group; {group.arn} has no domain."
            )
        recipe = RECIPES.get(params["recipeArn"])
        if recipe is None:
            raise ResourceNotFoundException(params["recipeArn"])
        if recipe.domain != domain:
            raise InvalidInputException(f"The recipe {recipe.arn} is not a use case of the {domain} domain.")
        return {"recommenderArn": self.add(KINDS["Recommender"], params).arn}

    def update_recommender(self, params: Params) -> Params:
        recommender = self.get_active(KINDS["Recommender"], params["recommenderArn"])
        recommender.begin_update({"recommenderConfig": params["recommenderConfig"]})
        return {"recommenderArn": recommender.arn}

    def stop_recommender(self, params: Params) -> Params:
        recommender = self.get_active(KINDS["Recommender"], params["recommenderArn"])
        recommender.lifecycle.begin(lifecycle.STOP_RECOMMENDER)
        return {"recommenderArn": recommender.arn}

    def start_recommender(self, params: Params) -> Params:
        recommender = self.get(KINDS["Recommender"], params["recommenderArn"])
        if recommender.status != "INACTIVE":
            raise ResourceInUseException(
                f"The recommender {recommender.arn} is in {recommender.status} state; it must be INACTIVE."
            )
        recommender.lifecycle.begin(lifecycle.START_RECOMMENDER)
        return {"recommenderArn": recommender.arn}

    # -- filters, event trackers, metric attributions ---------------------------------------------

    def create_filter(self, params: Params) -> Params:
        self.get_active(KINDS["DatasetGroup"], params["datasetGroupArn"])
        parsed = parsed_filter(self, params)
        resource = self.add(KINDS["Filter"], params)
        assert isinstance(resource, FilterResource)
        resource.parsed = parsed
        return {"filterArn": resource.arn}

    def create_event_tracker(self, params: Params) -> Params:
        tracker = self.add(
            KINDS["EventTracker"],
            params,
            resource_id=mock_random.uuid4().hex[:8],
            trackingId=str(mock_random.uuid4()),
            accountId=self.account_id,
        )
        return {"eventTrackerArn": tracker.arn, "trackingId": tracker.attributes["trackingId"]}

    def create_metric_attribution(self, params: Params) -> Params:
        return {"metricAttributionArn": self.add(KINDS["MetricAttribution"], params).arn}

    def update_metric_attribution(self, params: Params) -> Params:
        if not params.get("metricAttributionArn"):
            raise InvalidInputException("metricAttributionArn is required.")
        attribution = self.get_active(KINDS["MetricAttribution"], params["metricAttributionArn"])
        removed = set(params.get("removeMetrics") or [])
        metrics = [kept for kept in attribution.attributes["metrics"] if kept["metricName"] not in removed]
        known = {metric["metricName"] for metric in metrics}
        for metric in params.get("addMetrics") or []:
            if metric["metricName"] in known:
                raise ResourceAlreadyExistsException(f"{attribution.arn}/{metric['metricName']}")
            metrics.append(metric)
        attribution.attributes["metrics"] = metrics
        if params.get("metricsOutputConfig"):
            attribution.attributes["metricsOutputConfig"] = params["metricsOutputConfig"]
        return {"metricAttributionArn": attribution.arn}

    def list_metric_attribution_metrics(self, params: Params) -> Params:
        attribution = self.get(KINDS["MetricAttribution"], params["metricAttributionArn"])
        return paginate(attribution.attributes["metrics"], params, "metrics", "metricName")

    # -- recipes, algorithms, feature transformations ---------------------------------------------

    def list_recipes(self, params: Params) -> Params:
        recipes = [
            recipe.describe() for recipe in RECIPES.values() if params.get("domain") in (None, recipe.domain)
        ]
        summary_members = ("name", "recipeArn", "status", "creationDateTime", "lastUpdatedDateTime", "domain")
        summaries = [{key: recipe[key] for key in summary_members if key in recipe} for recipe in recipes]
        return paginate(summaries, params, "recipes", "recipeArn")

    def describe_recipe(self, params: Params) -> Params:
        recipe = RECIPES.get(params["recipeArn"])
        if recipe is None:
            raise ResourceNotFoundException(params["recipeArn"])
        described = recipe.describe()
        described.pop("domain", None)
        return {"recipe": described}

    def describe_algorithm(self, params: Params) -> Params:
        recipe = ALGORITHMS.get(params["algorithmArn"])
        if recipe is None:
            raise ResourceNotFoundException(params["algorithmArn"])
        algorithm = {
            "name": recipe.name,
            "algorithmArn": recipe.algorithm_arn,
            "defaultHyperParameters": {},
            "defaultResourceConfig": {},
            "trainingInputMode": "File",
            "creationDateTime": recipe.describe()["creationDateTime"],
            "lastUpdatedDateTime": recipe.describe()["lastUpdatedDateTime"],
        }
        return {"algorithm": algorithm}

    def describe_feature_transformation(self, params: Params) -> Params:
        arn = params["featureTransformationArn"]
        name = FEATURE_TRANSFORMATIONS.get(arn)
        if name is None:
            raise ResourceNotFoundException(arn)
        transformation = {
            "name": name,
            "featureTransformationArn": arn,
            "defaultParameters": {},
            "creationDateTime": RECIPES_CREATED_AT,
            "lastUpdatedDateTime": RECIPES_CREATED_AT,
            "status": "ACTIVE",
        }
        return {"featureTransformation": transformation}

    # -- tags (``tags.py``) ------------------------------------------------------------------------

    def _tagged(self, arn: str) -> Resource:
        resource = self.resources.get(arn)
        if resource is None or resource.status == lifecycle.GONE:
            raise ResourceNotFoundException(arn)
        return resource

    def tag_resource(self, params: Params) -> Params:
        self.tags.tag(self._tagged(params["resourceArn"]).arn, params["tags"])
        return {}

    def untag_resource(self, params: Params) -> Params:
        self.tags.untag(self._tagged(params["resourceArn"]).arn, params["tagKeys"])
        return {}

    def list_tags_for_resource(self, params: Params) -> Params:
        return self.tags.listed(self._tagged(params["resourceArn"]).arn)


personalize_backends = BackendDict(PersonalizeEmulatorBackend, "personalize")
