"""Checking a config against its format's JSON Schema, with every problem named by its path in the file.

jsonschema (python-jsonschema, already in Airflow's dependencies: Airflow validates DAG params with it) does
the checking, against the schema files editors use too (:mod:`.jsonschemas`), so what an editor flags and
what ``dags_from_config`` refuses cannot drift apart. It walks the whole document and reports every error,
not the first; this module turns each into ``path: what is wrong`` in the config's own vocabulary
(``solutions[2].campaigns[0].minProvisionedTPS: must be >= 1``).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

# The formats' schemas, files of the package (written by jsonschemas.py, which documents them).
SCHEMA_DIRECTORY = Path(__file__).parent / "schemas"
SCHEMA_FILES = {
    "personalize": "personalize-pipeline.schema.json",
    "mpeml": "mpeml.schema.json",
    "cdk": "cdk-pipeline.schema.json",
}
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}
_ARTICLES = {"object": "an object", "array": "a list", "integer": "an integer"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config, where it is (a path into the file, or an argument of the factory)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(ValueError):
    """A config that cannot become DAGs; ``problems`` lists every problem found, each with its path."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{source}: {count}, nothing was built:\n{listing}")


def path_text(parts: Iterable[str | int]) -> str:
    """``["solutions", 2, "name"]`` -> ``solutions[2].name``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_problems(document: Any, schema_file: str) -> list[Problem]:
    """Every way ``document`` breaks the schema in ``schema_file`` (a file of ``pipelines/schemas``)."""
    validator = _validator(schema_file)
    problems: list[Problem] = []
    for error in validator.iter_errors(document):
        problems.extend(_problems(error))
    return _unique(problems)


@functools.cache
def _validator(schema_file: str) -> Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads((SCHEMA_DIRECTORY / schema_file).read_text(encoding="utf-8")))


def _problems(error: ValidationError) -> Iterator[Problem]:
    path = path_text(error.absolute_path)
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword in ("anyOf", "oneOf"):
        yield from _alternatives(error)
    elif keyword == "required":
        missing = error.message.split("'")[1]
        yield Problem(path_text([*error.absolute_path, missing]), "required, but missing")
    elif keyword == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for member in sorted(set(value) - set(known)):
            yield Problem(path_text([*error.absolute_path, member]), _unknown_member(member, known))
    elif keyword == "type":
        yield Problem(path, f"must be {_a(expected)}, not {_json_type(value)} {_short(value)}")
    elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[keyword]
        yield Problem(path, f"must be {sign} {expected}")
    elif keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        yield Problem(path, f"must have {bound} {expected} characters, has {len(value)}")
    elif keyword in ("minItems", "maxItems", "minProperties", "maxProperties"):
        bound = "at least" if keyword.startswith("min") else "at most"
        noun = "items" if keyword.endswith("Items") else "members"
        yield Problem(path, f"must have {bound} {expected} {noun}, has {len(value)}")
    elif keyword == "enum":
        yield Problem(path, f"{_short(value)} is not one of {', '.join(map(str, expected))}")
    elif keyword == "const":
        yield Problem(path, f"must be {expected!r}")
    elif keyword == "pattern":
        yield Problem(path, f"{_short(value)} does not match the pattern {expected}")
    else:
        yield Problem(path, error.message)


def _alternatives(error: ValidationError) -> Iterator[Problem]:
    """A value allowed in several forms (an s3:// URI or the API's structure): the problems with the form
    of the value's own type, or the forms allowed when its type fits none."""
    by_branch: dict[int, list[ValidationError]] = {}
    for sub_error in error.context or ():
        by_branch.setdefault(sub_error.relative_schema_path[0], []).append(sub_error)
    fitting = [
        branch_errors
        for branch, branch_errors in sorted(by_branch.items())
        if _fits_type(error.instance, error.validator_value[branch])
    ]
    if fitting:
        for sub_error in fitting[0]:
            yield from _problems(sub_error)
        return
    forms = [_form(branch) for branch in error.validator_value]
    yield Problem(
        path_text(error.absolute_path),
        f"must be {' or '.join(dict.fromkeys(forms))}, not {_json_type(error.instance)}",
    )


def _fits_type(value: Any, branch: dict[str, Any]) -> bool:
    branch_type = _branch_type(branch)
    if branch_type is None:
        return "const" not in branch
    python_type = _JSON_TYPES[branch_type]
    return isinstance(value, python_type) and not (isinstance(value, bool) and branch_type != "boolean")


def _branch_type(branch: dict[str, Any]) -> str | None:
    if "type" in branch:
        return str(branch["type"])
    if "$ref" in branch:
        return _branch_type(_resolve(branch["$ref"]))
    if "anyOf" in branch:
        return None
    return None


@functools.cache
def _defs() -> dict[str, Any]:
    """Every ``$defs`` entry of the schema files (the API shapes are the same in each)."""
    merged: dict[str, Any] = {}
    for schema_file in SCHEMA_FILES.values():
        merged.update(_validator(schema_file).schema.get("$defs", {}))
    return merged


def _resolve(reference: str) -> dict[str, Any]:
    return _defs().get(reference.rpartition("/")[2], {})


def _form(branch: dict[str, Any]) -> str:
    if "const" in branch:
        return repr(branch["const"])
    branch_type = _branch_type(branch)
    if branch_type == "string" and "$ref" in branch and "Location" in branch["$ref"]:
        return "an s3:// URI"
    return _a(branch_type or "value")


def _unknown_member(member: str, known: list[str]) -> str:
    close = difflib.get_close_matches(member, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown member ({hint}known here: {', '.join(known)})"


def _a(json_type: Any) -> str:
    if isinstance(json_type, list):
        return " or ".join(_a(each) for each in json_type)
    return _ARTICLES.get(json_type, f"a {json_type}")


def _json_type(value: Any) -> str:
    for name, python_type in _JSON_TYPES.items():
        if isinstance(value, python_type) and not (isinstance(value, bool) and name != "boolean"):
            return {"integer": "an integer", "number": "a number", "null": "null"}.get(name, _a(name))
    return type(value).__name__


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
