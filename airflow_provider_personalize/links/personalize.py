"""A console link to any Amazon Personalize resource."""

from __future__ import annotations

from airflow.providers.amazon.aws.links.base_aws import BASE_AWS_CONSOLE_LINK, BaseAwsLink


class PersonalizeResourceLink(BaseAwsLink):
    """Link to a Personalize resource of any kind in the AWS console.

    The console addresses a resource by its ARN in the page fragment, so one link serves every kind;
    the task persists ``resource_arn`` (and the region and partition) when it knows the ARN.
    """

    name = "Amazon Personalize Resource"
    key = "personalize_resource"
    format_str = BASE_AWS_CONSOLE_LINK + "/personalize/home?region={region_name}#{resource_arn}"
