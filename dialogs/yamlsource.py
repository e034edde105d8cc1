"""YAML parsing that remembers line numbers, so content errors can point at a line."""

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode


class YamlMap(dict[str, Any]):
    """A mapping from a YAML file that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class YamlList(list[Any]):
    """A sequence from a YAML file that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry 1-based line numbers."""

    def construct_mapping(self, node: MappingNode, deep: bool = True) -> YamlMap:  # type: ignore[override]
        seen: set[str] = set()
        for key, _ in node.value:
            # PyYAML keeps the last of two equal keys without a word; in content that hides
            # a line an author thinks is live (two merges once added the same key twice).
            if str(key.value) in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key.value!r} is given twice", key.start_mark
                )
            seen.add(str(key.value))
        result = YamlMap(
            {str(k): v for k, v in super().construct_mapping(node, deep=deep).items()}
        )
        result.line = node.start_mark.line + 1
        result.key_lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = True) -> YamlList:
        result = YamlList(super().construct_sequence(node, deep=deep))
        result.line = node.start_mark.line + 1
        result.item_lines = [item.start_mark.line + 1 for item in node.value]
        return result


def _map(loader: _LineLoader, node: MappingNode) -> YamlMap:
    return loader.construct_mapping(node)


def _seq(loader: _LineLoader, node: SequenceNode) -> YamlList:
    return loader.construct_sequence(node)


# YAML 1.2 booleans only: a coach's `aliases: [yes, no]` must stay words, not True/False.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _seq)


class YamlSyntaxError(Exception):
    """A file that is not valid YAML; `line` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load_yaml(path: Path) -> Any:
    """Parse one YAML file into YamlMap/YamlList values with line numbers."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlSyntaxError(line, f"not valid YAML: {exc.problem or exc}") from exc


def line_of(value: Any, key: str | None = None) -> int:
    """The line of a mapping key, or of the value itself, or 0 when unknown."""
    if key is not None and isinstance(value, YamlMap):
        return value.key_lines.get(key, value.line)
    return int(getattr(value, "line", 0))
