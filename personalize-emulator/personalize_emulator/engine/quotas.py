"""THE table of Amazon Personalize's quotas that a Create request or a job can hit, each row cited.

Two kinds of rows:

- resource quotas (:data:`RESOURCE_QUOTAS`): how many resources of a kind may exist, or be unfinished, per
  region or per dataset group. A Create over one fails with LimitExceededException (the service's
  ``models.py`` counts them);
- data quotas (the constants below): what one job's data may hold. A job over one ends in its failed
  status with a failureReason (the engine's checks and the service's jobs apply them).

Quotas a Create or a job cannot hit here are left out: request rates (the faults module throttles on
demand), model training sizes (hundreds of millions of interactions), recommendation throughput.
Adjustable quotas have their default values. Sources, unless a row names another page:

- LIMITS: https://docs.aws.amazon.com/personalize/latest/dg/limits.html ("Service quotas")
"""

from dataclasses import dataclass
from typing import Literal

LIMITS = "https://docs.aws.amazon.com/personalize/latest/dg/limits.html"
DELETE_RECORDS = "https://docs.aws.amazon.com/personalize/latest/dg/delete-records.html"
TAGGING = "https://docs.aws.amazon.com/personalize/latest/dg/tagging-resources.html"
UNTAG_RESOURCE = "https://docs.aws.amazon.com/personalize/latest/dg/API_UntagResource.html"
CREATE_EVENT_TRACKER = "https://docs.aws.amazon.com/personalize/latest/dg/API_CreateEventTracker.html"
METRIC_ATTRIBUTION = "https://docs.aws.amazon.com/personalize/latest/dg/measuring-recommendation-impact.html"
CUSTOM_SCHEMAS = "https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html"
ITEMS_SCHEMA = "https://docs.aws.amazon.com/personalize/latest/dg/item-dataset-requirements.html"
USERS_SCHEMA = "https://docs.aws.amazon.com/personalize/latest/dg/user-dataset-requirements.html"
INTERACTIONS_SCHEMA = (
    "https://docs.aws.amazon.com/personalize/latest/dg/interactions-dataset-requirements.html"
)
ACTIONS_SCHEMA = "https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html"

Scope = Literal["region", "datasetGroupArn"]
# Which resources count: every existing one, the unfinished ones (a PENDING or IN_PROGRESS status), or only
# those still PENDING.
Counted = Literal["existing", "unfinished", "pending"]

MB = 1 << 20
GB = 1 << 30


@dataclass(frozen=True)
class ResourceQuota:
    """At most ``limit`` resources of the kind ``kind`` (an API name) per ``scope``, as ``counted``."""

    kind: str
    limit: int
    source: str
    scope: Scope = "region"
    counted: Counted = "existing"
    # The service quotas page marks it adjustable: an account may have a higher value, once AWS has
    # approved a Service Quotas increase (``service/account_quotas.py``).
    adjustable: bool = False

    def message(self, plural: str) -> str:
        """The LimitExceededException message; AWS's own words for the unfinished-jobs quotas, as seen in
        the wild, ours (saying the rule) for the others."""
        if self.counted == "unfinished":
            return f"More than {self.limit} resources with PENDING or IN_PROGRESS status."
        where = "per dataset group" if self.scope == "datasetGroupArn" else "per region"
        if self.counted == "pending":
            return f"Exceeded the limit of {self.limit} {plural} with a status of PENDING {where}."
        return f"Exceeded the limit of {self.limit} {plural} {where}."


GROUP: Scope = "datasetGroupArn"
RESOURCE_QUOTAS: tuple[ResourceQuota, ...] = (
    # "Your AWS account has the following quotas for each region" (LIMITS).
    ResourceQuota("Schema", 500, LIMITS),  # "Total number of active schemas"
    ResourceQuota("DatasetGroup", 5, LIMITS, adjustable=True),  # "Total number of active dataset groups"
    ResourceQuota("DatasetImportJob", 5, LIMITS, counted="unfinished"),  # "pending or in progress"
    ResourceQuota("BatchInferenceJob", 5, LIMITS, counted="unfinished", adjustable=True),
    ResourceQuota("BatchSegmentJob", 5, LIMITS, counted="unfinished"),
    ResourceQuota("SolutionVersion", 20, LIMITS, counted="unfinished", adjustable=True),
    # "Each dataset group has the following quotas" (LIMITS).
    ResourceQuota("Solution", 10, LIMITS, scope=GROUP, adjustable=True),  # "Total number of active solutions"
    ResourceQuota("Campaign", 5, LIMITS, scope=GROUP, adjustable=True),  # "Total number of active campaigns"
    ResourceQuota("Recommender", 5, LIMITS, scope=GROUP),
    ResourceQuota("Filter", 10, LIMITS, scope=GROUP, adjustable=True),
    # "You can have up to 5 deletion jobs for a dataset group with a status of PENDING."
    ResourceQuota("DataDeletionJob", 5, DELETE_RECORDS, scope=GROUP, counted="pending"),
    # "Only one event tracker can be associated with a dataset group."
    ResourceQuota("EventTracker", 1, CREATE_EVENT_TRACKER, scope=GROUP),
    # The guide creates one metric attribution per dataset group; a second one is refused (a count AWS does
    # not state: the conservative choice).
    ResourceQuota("MetricAttribution", 1, METRIC_ATTRIBUTION, scope=GROUP),
)
QUOTAS_BY_KIND: dict[str, tuple[ResourceQuota, ...]] = {
    kind: tuple(quota for quota in RESOURCE_QUOTAS if quota.kind == kind)
    for kind in {quota.kind for quota in RESOURCE_QUOTAS}
}

# -- tags (TAGGING: "Managing tags"; UNTAG_RESOURCE) ---------------------------------------------------------

# "Maximum number of tags per resource - 50", whether given at Create or by TagResource.
MAX_TAGS_PER_RESOURCE = 50
# TooManyTagKeysException: "more tag keys than can be associated with a resource (50 tag keys per resource)".
MAX_TAG_KEYS_PER_UNTAG = 50

# -- schemas: metadata fields besides the required and reserved ones -----------------------------------------

MAX_METADATA_FIELDS = {
    # "The maximum number of metadata fields excluding reserved fields ... is 5" (INTERACTIONS_SCHEMA)
    "Interactions": 5,
    "Users": 25,  # "you can add up to 25 metadata fields" (USERS_SCHEMA)
    "Items": 100,  # "You can add up to 100 metadata fields" (ITEMS_SCHEMA)
    "Actions": 10,  # the Actions dataset page's column limit (ACTIONS_SCHEMA)
    "Action_Interactions": 5,  # as Interactions (undocumented: the Interactions limit, conservative)
}

# -- dataset import jobs (LIMITS) ----------------------------------------------------------------------------

# "Minimum number of item interactions records per dataset import job with FULL or INCREMENTAL import mode."
MIN_INTERACTIONS_RECORDS_PER_IMPORT = 1000
# "Maximum amount of bulk ... data per dataset import job with FULL import mode": 100 GB; "with INCREMENTAL
# import mode": 1 GB (the same for interactions, users and items data).
MAX_IMPORT_BYTES = {"FULL": 100 * GB, "INCREMENTAL": 1 * GB}
# "Maximum number of distinct event types combined with total number of optional metadata columns in an Item
# interactions dataset": 10; "The metadata fields included in this count are EVENT_TYPE, EVENT_VALUE fields
# along with any custom metadata fields" (INTERACTIONS_SCHEMA).
MAX_EVENT_TYPES_AND_OPTIONAL_FIELDS = 10
# "Maximum number of characters for USER_ID / ITEM_ID data values": 256; "for categorical data values": 1000.
MAX_ID_CHARS = 256
MAX_CATEGORICAL_VALUE_CHARS = 1000

# -- data deletion jobs (DELETE_RECORDS) ---------------------------------------------------------------------

# "The maximum total size of your data deletion input file or files is 50 MB."
MAX_DELETION_INPUT_BYTES = 50 * MB

# -- batch jobs (LIMITS) -------------------------------------------------------------------------------------

MAX_BATCH_INFERENCE_INPUT_FILES = 1000  # "Maximum number of input files in a batch inference job"
MAX_BATCH_INFERENCE_INPUT_BYTES = 1 * GB  # "Maximum size of batch inference job input"
# "Maximum number of queries per input file for Item-Affinity recipe": 500; "for Item-Attribute-Affinity": 10.
MAX_BATCH_SEGMENT_QUERIES_PER_FILE = {"aws-item-affinity": 500, "aws-item-attribute-affinity": 10}
