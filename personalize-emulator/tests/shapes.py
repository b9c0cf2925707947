"""Responses as they travel, checked against botocore's output shapes.

botocore's parser accepts members it does not know and types it does not expect without a word, so a client
cannot tell a response shaped as AWS shapes it from one that is not. :class:`ResponseRecorder` keeps the raw
body of every response a client receives (botocore's ``after-call`` event), and :func:`shape_violations`
checks a decoded body against the operation's output shape: no member the shape does not have, every
required member present, every value of its member's type (JSON protocols: timestamps as epoch seconds,
blobs as base64 strings) and enum.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

NUMBER_TYPES = {"integer": (int,), "long": (int,), "float": (int, float), "double": (int, float)}


def shape_violations(value: Any, shape: Shape, path: str = "") -> Iterator[str]:
    where = path or "the response"
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            yield f"{where} is {type(value).__name__}, not a structure"
            return
        for name in value.keys() - shape.members.keys():
            yield f"{where} has the member {name}, which {shape.name} does not have"
        for name in shape.required_members:
            if name not in value:
                yield f"{where} lacks the required member {name}"
        for name, member in value.items():
            if name in shape.members:
                yield from shape_violations(member, shape.members[name], f"{path}.{name}".lstrip("."))
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            yield f"{where} is {type(value).__name__}, not a list"
            return
        for index, item in enumerate(value):
            yield from shape_violations(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            yield f"{where} is {type(value).__name__}, not a map"
            return
        for key, item in value.items():
            yield from shape_violations(key, shape.key, f"{path} key")
            yield from shape_violations(item, shape.value, f"{path}[{key}]")
    elif shape.type_name in ("string", "blob"):
        if not isinstance(value, str):
            yield f"{where} is {type(value).__name__}, not a string"
        elif shape.enum and value not in shape.enum:
            yield f"{where} is {value!r}, not one of {list(shape.enum)}"
    elif shape.type_name == "boolean":
        if not isinstance(value, bool):
            yield f"{where} is {type(value).__name__}, not a boolean"
    elif shape.type_name in NUMBER_TYPES or shape.type_name == "timestamp":
        allowed = NUMBER_TYPES.get(shape.type_name, (int, float))
        if isinstance(value, bool) or not isinstance(value, allowed):
            yield f"{where} is {type(value).__name__}, not a {shape.type_name}"
    else:
        yield f"{where}: no check for the type {shape.type_name}"


@dataclass
class ResponseRecorder:
    """The successful responses clients received: (operation model, decoded body), in order."""

    responses: list[tuple[OperationModel, Any]] = field(default_factory=list)

    def watch(self, client: Any) -> Any:
        client.meta.events.register("after-call", self._record)
        return client

    def _record(self, http_response: Any, model: OperationModel, **kwargs: Any) -> None:
        if http_response.status_code < 300:
            body = http_response.content
            self.responses.append((model, json.loads(body) if body else None))

    def violations(self) -> list[str]:
        found = []
        for model, body in self.responses:
            output = model.output_shape
            if output is None or not output.members:
                if body not in (None, {}):
                    found.append(f"{model.name}: a body {body!r} where the shape has none")
                continue
            found += [f"{model.name}: {violation}" for violation in shape_violations(body, output)]
        return found

    @property
    def operations(self) -> set[tuple[str, str]]:
        return {(model.service_model.service_name, model.name) for model, _ in self.responses}
