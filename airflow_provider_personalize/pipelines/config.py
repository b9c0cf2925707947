"""Reading a config file into a :class:`~.model.Deployment`, or refusing it with every problem at once.

1. Parse: JSON (``.json``) or YAML (anything else; YAML also reads JSON).
2. Recognise the format, unless given: MPEML and the CDK pipeline wrap the API members of the dataset
   group in ``serviceConfig``, and the CDK pipeline lists its datasets under ``datasetGroup``.
3. Check the document against its format's JSON Schema (:mod:`.validation`), read it (:mod:`.format_*`,
   tolerant of what the schema check reports) and check the rules across its parts (:mod:`.checks`). Any
   problem raises :class:`~.validation.ConfigError` listing them all, each with its path.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from airflow_provider_personalize.pipelines import checks, format_cdk, format_mpeml, format_personalize
from airflow_provider_personalize.pipelines.document import ReadOptions, mapping
from airflow_provider_personalize.pipelines.model import Deployment
from airflow_provider_personalize.pipelines.validation import (
    SCHEMA_FILES,
    ConfigError,
    Problem,
    schema_problems,
)

ConfigFormat = Literal["personalize", "mpeml", "cdk"]
_READERS: dict[str, Callable[[Any, ReadOptions], tuple[Deployment, list[Problem]]]] = {
    "personalize": format_personalize.read,
    "mpeml": format_mpeml.read,
    "cdk": format_cdk.read,
}


def load_deployment(
    path: str | Path, *, config_format: ConfigFormat | None = None, options: ReadOptions | None = None
) -> Deployment:
    """The deployment ``path`` describes; raises ConfigError listing every problem, each by its path."""
    path = Path(path)
    document = parse(path)
    config_format = config_format or detect_format(document)
    if config_format not in _READERS:
        raise ConfigError(str(path), [Problem("config_format", f"must be one of {', '.join(_READERS)}")])
    problems = schema_problems(document, SCHEMA_FILES[config_format])
    deployment, reader_problems = _READERS[config_format](document, options or ReadOptions())
    problems += [*reader_problems, *checks.problems(deployment)]
    if problems:
        raise ConfigError(str(path), list(dict.fromkeys(problems)))
    return dataclasses.replace(deployment, source=str(path))


def parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(path), [Problem("", f"cannot be read: {error.strerror or error}")]) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            where = f"line {error.lineno}, column {error.colno}"
            raise ConfigError(str(path), [Problem(where, f"not valid JSON: {error.msg}")]) from None
    import yaml

    # libyaml's loader where PyYAML was built with it: several times faster, and parsing is paid per parse.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(str(path), [Problem(where, f"not valid YAML: {problem}")]) from None


def detect_format(document: Any) -> ConfigFormat:
    group = mapping(mapping(document).get("datasetGroup"))
    if "serviceConfig" not in group:
        return "personalize"
    return "cdk" if "datasets" in group else "mpeml"
