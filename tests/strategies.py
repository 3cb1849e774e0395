"""Bad input, generated (hypothesis): odd text, wrong types, out-of-range numbers, broken
proposals and decisions, as people and other systems send them.

Shared by the property tests of the domain (tests/unit/test_bad_input.py), the workflow's
updates, the command line and the HTTP API; each keeps its example count modest.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any, TypeVar

from hypothesis import strategies as st

from domain.examples import example_cycle_config, example_proposals
from domain.scoring import Criterion

T = TypeVar("T")
CONFIG = example_cycle_config("2026")

# Characters that have broken systems: bidi overrides and isolates, zero-width and joiners,
# combining marks, emoji (with joiners and flags), NUL and other controls, line and
# paragraph separators, Arabic (right to left), quotes and template or SQL punctuation.
ODD = [
    "\u202e", "\u202a", "\u2066", "\u2069", "\u200b", "\u200d", "\u200f", "\ufeff",
    "\u0301", "\u0300\u0301\u0302", "\x00", "\n", "\r\n", "\t", "\x0b", "\x1b", "\x7f",
    "\x85", "\u2028", "\u2029", "\U0001f1ee\U0001f1e9", "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\u0628\u0627\u062a\u064a\u0643",
    "\u00a0", "\u3000", "'", '"', "<b>", "&amp;", "{{ x }}", "%s", "\\",
    "'; DROP TABLE nominations; --", "\ufffd", "Ω", "ﷺ",
]  # fmt: skip

odd_text = st.lists(st.one_of(st.sampled_from(ODD), st.characters(codec="utf-8")), max_size=12).map(
    "".join
)
oversize_text = st.sampled_from([201, 4001, 20_000]).map(lambda n: "x" * n)
texts = st.one_of(odd_text, oversize_text, st.sampled_from(["", "   ", "\u200b"]))


@st.composite
def odd_variant(draw: st.DrawFn, value: str) -> str:
    """`value` with odd characters put in somewhere: otherwise still valid."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(value)))
        value = value[:at] + draw(st.sampled_from(ODD)) + value[at:]
    return value


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
numbers = st.one_of(
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=0, max_value=100),
    st.floats(min_value=-20, max_value=120),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from(["85", "delapan puluh", "", "1e309", "NaN", "-0"]),
)


# --- proposals ----------------------------------------------------------------------------


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document: its leaves and its containers."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


@st.composite
def broken_proposals(draw: st.DrawFn) -> dict[str, Any]:
    """An example proposal with one to three things changed: a value replaced (by an odd
    variant of itself, or by anything), a field removed, or a field added."""
    raw: dict[str, Any] = copy.deepcopy(example_proposals("2026")[draw(st.integers(0, 5))])
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["odd", "odd", "replace", "remove", "add"]))
        if action == "odd":
            texts_at = [p for p in paths(raw) if isinstance(_parent(raw, p)[p[-1]], str)]
            path = draw(st.sampled_from(texts_at))
            parent, key = _parent(raw, path), path[-1]
            parent[key] = draw(odd_variant(parent[key]))
            continue
        path = draw(st.sampled_from(paths(raw)))
        parent, key = _parent(raw, path), path[-1]
        if action == "remove" and isinstance(parent, dict):
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["nib2", "catatan", "ikm"]))] = draw(json_values)
        else:
            parent[key] = draw(json_values)
    return raw


# --- decisions ----------------------------------------------------------------------------

ROLES = ["proposer", "verifier", "lab_assessor", "juror", "official", "operator", "system"]
USERS = [
    "verif.rina", "dirjen.ikma", "op.sari", "lab.kb.1", "lab.agro.1", "juri.budi", "juri.siti",
    "juri.wayan", "juri.ani", "disperin.pekalongan@example.id", "orang.luar", "",
]  # fmt: skip
INSTITUTIONS = [
    "Ditjen IKMA",
    "Tim Seleksi OVOP",
    "BBSPJI Kerajinan dan Batik",
    "Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan",
    "Dinas Lain",
]


people = st.fixed_dictionaries(
    {
        "user_id": st.one_of(
            *[st.sampled_from(USERS)] * 3, st.sampled_from(USERS).flatmap(odd_variant)
        ),
        "role": st.sampled_from(ROLES),
        "institution": st.sampled_from(INSTITUTIONS),
    }
)
FINE = st.sampled_from(["Lampirkan SK sentra yang dilegalisasi.", "Sesuai SNI.", "Baik."])
texts_or_fine = st.one_of(FINE, FINE, FINE, FINE.flatmap(odd_variant), texts)
lab_tests = st.lists(
    st.fixed_dictionaries(
        {
            "parameter": st.sampled_from(["kadar air", "luntur", ""]),
            "result": texts_or_fine,
            "passed": st.booleans(),
        },
        optional={"standard": st.just("SNI 2907:2008")},
    ),
    max_size=3,
)

# Each decision's fields, by the update (and API route) that carries it, with values that
# are mostly of the right type but often wrong in kind: out of range, unknown, odd text.
FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "verify": {
        "outcome": st.sampled_from(["pass", "reject", "revise", "PASS", "lulus"]),
        "reason": st.none() | texts_or_fine,
    },
    "resubmit": {
        "proposal": st.one_of(broken_proposals(), st.just(example_proposals("2026")[0])),
        "note": st.none() | texts_or_fine,
    },
    "assess": {
        "report_number": st.one_of(st.just("LHU-0042"), texts),
        "score": numbers,
        "conforms": st.booleans(),
        "tests": lab_tests,
        "summary": texts_or_fine,
    },
    "score": {
        "scores": st.dictionaries(
            st.sampled_from([*(c.value for c in Criterion), "rasa"]), numbers, min_size=4
        ),
        "comment": texts_or_fine,
    },
    "decide_award": {
        "override_stars": st.none() | st.integers(-3, 12),
        "reason": st.none() | texts_or_fine,
    },
    "withdraw": {"reason": texts_or_fine},
    "extend_deadline": {
        "until": st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)).map(date.isoformat),
        "working_days": st.none() | st.integers(-5, 100),
        "reason": texts_or_fine,
    },
    "reassign_juror": {
        "juror_id": st.sampled_from(USERS),
        "reason": texts_or_fine,
    },
    "declare_conflict": {"reason": texts_or_fine},
}


clean_people = st.fixed_dictionaries(
    {
        "user_id": st.sampled_from([u for u in USERS if u]),
        "role": st.sampled_from(ROLES),
        "institution": st.sampled_from(INSTITUTIONS),
    }
)
# Well-formed decisions: only the rules can refuse them (wrong stage, role or person).
CLEAN: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "verify": {"outcome": st.sampled_from(["pass", "reject", "revise"]), "reason": FINE},
    "resubmit": {"proposal": st.just(example_proposals("2026")[0]), "note": FINE},
    "assess": {
        "report_number": st.just("LHU-0042"),
        "score": st.floats(0, 100),
        "conforms": st.booleans(),
        "tests": st.just([{"parameter": "kadar air", "result": "4,8 %", "passed": True}]),
        "summary": FINE,
    },
    "score": {
        "scores": st.fixed_dictionaries({c.value: st.floats(0, 100) for c in Criterion}),
        "comment": FINE,
    },
    "decide_award": {"override_stars": st.none() | st.integers(0, 3), "reason": FINE},
    "withdraw": {"reason": FINE},
    "extend_deadline": {"working_days": st.integers(1, 20), "reason": FINE},
    "reassign_juror": {"juror_id": st.sampled_from(USERS), "reason": FINE},
    "declare_conflict": {"reason": FINE},
}


@st.composite
def decision_bodies(draw: st.DrawFn, update: str, with_actor: bool = True) -> dict[str, Any]:
    """The JSON body of a decision: well-formed half the time; otherwise plausible fields,
    up to two of them spoilt (left out, or of any type at all), and now and then a field
    the decision does not have."""
    if draw(st.booleans()):
        clean = dict(CLEAN[update], **({"actor": clean_people} if with_actor else {}))
        return {name: draw(values) for name, values in clean.items()}
    plausible = dict(FIELDS[update], **({"actor": people} if with_actor else {}))
    body = {name: draw(values) for name, values in plausible.items()}
    for name in draw(st.sets(st.sampled_from(sorted(plausible)), max_size=2)):
        if draw(st.booleans()):
            del body[name]
        else:
            body[name] = draw(json_values)
    if not draw(st.integers(0, 9)):
        body[draw(st.sampled_from(["catatan", "stage", "nomination_id"]))] = draw(json_values)
    return body


decisions = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda update: st.tuples(st.just(update), decision_bodies(update))
)


# --- running generated examples against servers on the test's event loop -------------------


def on_loop(loop: asyncio.AbstractEventLoop) -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine on the test's loop from hypothesis's thread, and wait for it.

    Hypothesis drives a plain function; the Temporal client, the worker and the servers
    live on the session's event loop, which keeps running while the test awaits
    `asyncio.to_thread(property)`. A call that takes over a minute counts as stuck.
    """

    def run(coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60)

    return run
