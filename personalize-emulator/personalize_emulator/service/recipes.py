"""The built-in recipes, their algorithms and feature transformations (global, ARNs without region/account).

Custom-solution recipes come from AWS's "Choosing a recipe" guide; domain recipes (use cases) from
"Choosing recommender use cases" for the ECOMMERCE and VIDEO_ON_DEMAND domains. Legacy recipes that
AWS no longer offers for new solutions (HRNN, SIMS v1 ...) are left out, except ``aws-sims`` which is
still listed. Every listed recipe trains a real model here (``engine/training.py``, ``engine/actions.py``,
``engine/segments.py``); aws-semantic-similarity (text embeddings of item descriptions) is not listed, as the
emulator does not train it. Timestamps are fixed: recipes predate any resource a user creates.

Feature transformations: where a recipe's page lists its "Feature transformation ARN" the recipe names that
one (several recipes share one); the newer recipes' pages list none, and those name a transformation of the
recipe's own name, so that DescribeRecipe's ARN always resolves with DescribeFeatureTransformation.
"""

from dataclasses import dataclass

RECIPES_CREATED_AT = 1543622400.0  # 2018-12-01, when the service became generally available


@dataclass(frozen=True)
class Recipe:
    name: str
    recipe_type: str
    description: str
    domain: str | None = None
    feature_transformation: str | None = None  # as the recipe's page lists it; None: the recipe's own name

    @property
    def arn(self) -> str:
        return f"arn:aws:personalize:::recipe/{self.name}"

    @property
    def algorithm_arn(self) -> str:
        return f"arn:aws:personalize:::algorithm/{self.name}"

    @property
    def feature_transformation_arn(self) -> str:
        return f"arn:aws:personalize:::feature-transformation/{self.feature_transformation or self.name}"

    def describe(self) -> dict[str, object]:
        described: dict[str, object] = {
            "name": self.name,
            "recipeArn": self.arn,
            "algorithmArn": self.algorithm_arn,
            "featureTransformationArn": self.feature_transformation_arn,
            "status": "ACTIVE",
            "description": self.description,
            "recipeType": self.recipe_type,
            "creationDateTime": RECIPES_CREATED_AT,
            "lastUpdatedDateTime": RECIPES_CREATED_AT,
        }
        if self.domain:
            described["domain"] = self.domain
        return described


_CUSTOM = [
    Recipe("aws-user-personalization", "USER_PERSONALIZATION", "Items for a user, with exploration."),
    Recipe("aws-user-personalization-v2", "USER_PERSONALIZATION", "Items for a user (transformer-based)."),
    # https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-search.html
    Recipe(
        "aws-personalized-ranking",
        "PERSONALIZED_RANKING",
        "Ranks a list of items for a user.",
        feature_transformation="JSON-percentile-filtering",
    ),
    Recipe("aws-personalized-ranking-v2", "PERSONALIZED_RANKING", "Ranks items (transformer-based)."),
    # https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-popularity.html
    Recipe(
        "aws-popularity-count",
        "USER_PERSONALIZATION",
        "Recommends the most popular items.",
        feature_transformation="sims",
    ),
    Recipe("aws-trending-now", "USER_PERSONALIZATION", "Recommends items gaining popularity fastest."),
    Recipe("aws-similar-items", "RELATED_ITEMS", "Items similar to an item (interactions and metadata)."),
    # https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-sims.html
    Recipe(
        "aws-sims",
        "RELATED_ITEMS",
        "Items similar to a given item, from co-occurrence in interactions.",
        feature_transformation="sims",
    ),
    Recipe("aws-next-best-action", "PERSONALIZED_ACTIONS", "Recommends the next best actions for a user."),
    Recipe("aws-item-affinity", "USER_SEGMENTATION", "Users most likely to interact with given items."),
    Recipe(
        "aws-item-attribute-affinity",
        "USER_SEGMENTATION",
        "Users most likely to interact with items that have given attributes.",
    ),
]

_ECOMMERCE = [
    Recipe("aws-ecomm-customers-who-viewed-x-also-viewed", "RELATED_ITEMS", "Viewed X, also viewed."),
    Recipe("aws-ecomm-frequently-bought-together", "RELATED_ITEMS", "Frequently bought together."),
    Recipe("aws-ecomm-popular-items-by-purchases", "USER_PERSONALIZATION", "Best sellers."),
    Recipe("aws-ecomm-popular-items-by-views", "USER_PERSONALIZATION", "Most viewed."),
    Recipe("aws-ecomm-recommended-for-you", "USER_PERSONALIZATION", "Recommended for you."),
]

_VIDEO_ON_DEMAND = [
    Recipe("aws-vod-because-you-watched-x", "RELATED_ITEMS", "Because you watched X."),
    Recipe("aws-vod-more-like-x", "RELATED_ITEMS", "More like X."),
    Recipe("aws-vod-most-popular", "USER_PERSONALIZATION", "Most popular."),
    Recipe("aws-vod-trending-now", "USER_PERSONALIZATION", "Trending now."),
    Recipe("aws-vod-top-picks", "USER_PERSONALIZATION", "Top picks for you."),
]

RECIPES: dict[str, Recipe] = {
    recipe.arn: recipe
    for recipe in [
        *_CUSTOM,
        *(Recipe(r.name, r.recipe_type, r.description, "ECOMMERCE") for r in _ECOMMERCE),
        *(Recipe(r.name, r.recipe_type, r.description, "VIDEO_ON_DEMAND") for r in _VIDEO_ON_DEMAND),
    ]
}
ALGORITHMS: dict[str, Recipe] = {recipe.algorithm_arn: recipe for recipe in RECIPES.values()}
# ARN -> name
FEATURE_TRANSFORMATIONS: dict[str, str] = {
    recipe.feature_transformation_arn: recipe.feature_transformation_arn.rsplit("/", 1)[1]
    for recipe in RECIPES.values()
}
