"""A decision's form as posted, back into the data its model takes: each field's name is
its dotted path in the model (`scores.local_resources`, `tests.0.result`), so a refusal
names the field it is shown beside."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from domain.decisions import Actor
from domain.errors import Problem, Refused, problems_from

SKIPPED = frozenset({"csrf", "action", "once"})


def nested(items: list[tuple[str, str]]) -> dict[str, Any]:
    """`[("a.b", "1"), ("c.0.d", "x")]` -> `{"a": {"b": "1"}, "c": [{"d": "x"}]}`.

    An empty field is left out (the model says whether it may be); of a name sent twice
    (a checkbox after its hidden "false"), the last counts; a list's rows left wholly
    empty are dropped.
    """
    tree: dict[str, Any] = {}
    for name, raw in items:
        value = raw.strip()
        if name in SKIPPED or not value:
            continue
        node = tree
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):  # `a` and `a.b` both sent: no model has both
                raise Refused.one(name, "isian ini tidak dikenal pada formulir ini")
        if isinstance(node.get(leaf), dict):
            raise Refused.one(name, "isian ini tidak dikenal pada formulir ini")
        node[leaf] = value
    result: dict[str, Any] = _lists(tree)
    return result


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}


def decision_of(model: type[BaseModel], data: dict[str, Any], actor: Actor) -> Any:
    """The decision `data` makes, taken by `actor`; `Refused` naming each field at fault."""
    try:
        return model.model_validate({**data, "actor": actor})
    except ValidationError as error:
        raise Refused(problems_from(error)) from None


def errors_by_field(problems: list[Problem]) -> dict[str, str]:
    """Each refused field's messages, joined, by the field's name."""
    found: dict[str, str] = {}
    for p in problems:
        found[p.field] = f"{found[p.field]}; {p.message}" if p.field in found else p.message
    return found
