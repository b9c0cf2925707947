"""Tags, kept by moto's tagging service per ARN, under AWS's tagging rules.

From "Managing tags" (https://docs.aws.amazon.com/personalize/latest/dg/tagging-resources.html):

- "Maximum number of tags per resource - 50", counted over the tags a resource has and those a Create or
  TagResource adds (a key it already has is replaced, not added): TooManyTagsException, "You have exceeded
  the maximum number of tags you can apply to this resource." (API_TagResource);
- "Your tag keys and tag values can't start with ``aws:``": refused with InvalidInputException (AWS names no
  error for it; InvalidInputException is the one TagResource and the Creates declare for bad input). The
  prefix is compared ignoring case, as AWS's general tagging rules reserve it in any case;
- key and value lengths (1-128, 0-256) and characters are botocore's model's, checked with every request;
- UntagResource takes at most 50 keys: TooManyTagKeysException, "The request contains more tag keys than can
  be associated with a resource (50 tag keys per resource)." (API_UntagResource).
"""

from typing import Any

from moto.utilities.tagging_service import TaggingService

from ..engine.quotas import MAX_TAG_KEYS_PER_UNTAG, MAX_TAGS_PER_RESOURCE
from .exceptions import InvalidInputException, TooManyTagKeysException, TooManyTagsException

RESERVED_PREFIX = "aws:"
Tags = list[dict[str, str]]


class ResourceTags:
    """Every resource's tags, by ARN."""

    def __init__(self) -> None:
        self._tagger = TaggingService(tag_name="tags", key_name="tagKey", value_name="tagValue")

    def check(self, arn: str, tags: Tags | None) -> None:
        """Refuse ``tags`` for ``arn`` as AWS would, before anything is created or changed."""
        new = self._tagger.flatten_tag_list(tags or [])
        reserved = [
            text for pair in new.items() for text in pair if (text or "").lower().startswith(RESERVED_PREFIX)
        ]
        if reserved:
            raise InvalidInputException(
                f"Tag keys and values can't start with '{RESERVED_PREFIX}' (reserved for AWS): {reserved[0]}"
            )
        if len(self._tagger.get_tag_dict_for_resource(arn) | new) > MAX_TAGS_PER_RESOURCE:
            raise TooManyTagsException(
                "You have exceeded the maximum number of tags you can apply to this resource "
                f"({MAX_TAGS_PER_RESOURCE})."
            )

    def tag(self, arn: str, tags: Tags | None) -> None:
        self.check(arn, tags)
        self._tagger.tag_resource(arn, tags or [])

    def untag(self, arn: str, keys: list[str]) -> None:
        if len(keys) > MAX_TAG_KEYS_PER_UNTAG:
            raise TooManyTagKeysException(
                "The request contains more tag keys than can be associated with a resource "
                f"({MAX_TAG_KEYS_PER_UNTAG} tag keys per resource)."
            )
        self._tagger.untag_resource_using_names(arn, keys)

    def listed(self, arn: str) -> dict[str, Any]:
        return self._tagger.list_tags_for_resource(arn)

    def forget(self, arn: str) -> None:
        self._tagger.delete_all_tags_for_resource(arn)
