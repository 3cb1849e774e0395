"""The forms of those who judge a nomination, on their task pages (`web.task.FORMS`): the
verifier's checklist of missing documents, the lab assessor's receipt of the sample and
findings, the juror's score sheet (and their declaration of a conflict of interest), the
official's award and the operator's replacement of a juror.

Where the cycle has test templates (`CycleConfig.lab_testing`), the lab's findings form
offers its commodity's parameters, and the juror's and the official's pages show the lab's
recommendation when it found the product not to conform; where it has site visits, they
show the visit's report (`web.visits.visit_seen`).

A juror's page shows their own scores and nothing of another juror's until the panel has
closed (`domain.access.scores_visible`); the dossier filters the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.access import scores_visible
from domain.calendar import local_date
from domain.lab_testing import SampleCondition, TestTemplate
from domain.nomination import Nomination
from domain.people import Person
from domain.presentation import checklist, explained
from domain.rubric import rubric
from domain.scoring import Criterion
from domain.stages import Role
from domain.tasks import Task
from web.forms import nested
from web.task import FORMS, DecisionForm
from web.visits import visit_seen

LAB_TEST_ROWS = 6  # rows the free-form findings form offers; those left empty are dropped

# What each condition of a received sample means, as the receipt form offers it.
SAMPLE_CONDITIONS = {
    SampleCondition.GOOD: "tersegel, berlabel, sesuai yang diminta",
    SampleCondition.DAMAGED: "pecah, bocor atau rusak dalam pengiriman",
    SampleCondition.INCOMPLETE: "jumlahnya kurang, atau tanpa label yang diminta",
}


def _template(nom: Nomination) -> TestTemplate | None:
    """The test template of the nomination's commodity, where its cycle has them."""
    testing = nom.config.lab_testing
    return testing.templates[nom.proposal.product.commodity] if testing else None


def _lab_advice(nom: Nomination) -> dict[str, Any] | None:
    """The lab's recommendation against the product, for the panel and the official to
    read beside their form; None where the lab found it to conform."""
    if not nom.lab_advised_against or nom.findings is None:
        return None
    return {
        "lab": nom.lab.label,
        "report_number": nom.findings.report_number,
        "failed": [t for t in nom.findings.tests if not t.passed],
        "summary": nom.findings.summary,
    }


def _own_sheet(nom: Nomination, person: Person) -> dict[str, str]:
    """The juror's own scores and comment, as the form's fields; nobody else's."""
    seat = person.seat(nom.config.cycle, Role.JUROR)
    record = nom.scores.get(seat.user_id) if seat else None
    if record is None:
        return {}
    fields = {f"scores.{c.value}": f"{v:g}" for c, v in record.sheet.scores.items()}
    return {**fields, "comment": record.sheet.comment}


def _score_sheet(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    return {
        "criteria": [(c, nom.config.weights.of(c), rubric(c)) for c in Criterion],
        "conflict_declared": task.conflict_declared,
        "panel_closed": scores_visible(nom),
        "sheets": _panel_sheets(nom) if scores_visible(nom) else [],
        "lab_advice": _lab_advice(nom),
        "visit_report": visit_seen(nom),
    }


def _panel_sheets(nom: Nomination) -> list[dict[str, Any]]:
    """Every juror's scores and comment: only once the panel has closed."""
    assert scores_visible(nom)
    names = {j.user_id: j.name for j in nom.seats}
    return [
        {
            "juror": juror,
            "name": names.get(juror, juror),
            "scores": record.sheet.scores,
            "total": record.total,
            "comment": record.sheet.comment,
        }
        for juror, record in nom.scores.items()
    ]


def _award(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    result = nom.result
    why = result.explanation if result else None
    max_stars = nom.config.star_scale.max_stars
    return {
        "result": result,
        "explained": explained(why, {j.user_id: j.name for j in nom.seats}) if why else None,
        "sheets": _panel_sheets(nom) if scores_visible(nom) else [],
        "names": {j.user_id: j.name for j in nom.seats},
        "star_choices": [(0, "0 - tidak diberi penghargaan")]
        + [(n, f"{n} bintang") for n in range(1, max_stars + 1)],
        "lab_advice": _lab_advice(nom),
        "visit_report": visit_seen(nom),
    }


def _award_initial(nom: Nomination, person: Person, task: Task) -> dict[str, str]:
    stars = nom.result.recommended_stars if nom.result else 0
    return {"choice": "confirm", "override_stars": str(stars)}


def _read_award(items: list[tuple[str, str]]) -> dict[str, Any]:
    """Confirming sends no stars: only an override does."""
    data = nested(items)
    if data.pop("choice", "confirm") != "override":
        data.pop("override_stars", None)
    return data


def _findings(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    """The template's parameters, one row each, or free-form rows where the cycle has no
    templates; and the sample's receipt the lab tested."""
    template = _template(nom)
    return {
        "parameters": template.parameters if template else [],
        "test_rows": range(LAB_TEST_ROWS),
        "sample": nom.sample,
    }


def _lab_today(nom: Nomination) -> str:
    """Today where the nomination's lab is: the latest day a sample may be received."""
    zone = nom.config.staff.lab_desk(nom.lab).zone
    return local_date(datetime.now(UTC), zone).isoformat()


def _sample_asked(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    template = _template(nom)
    return {
        "sample_asked": template.sample if template else None,
        "conditions": [
            (c.value, f"{c.label.capitalize()}: {SAMPLE_CONDITIONS[c]}") for c in SampleCondition
        ],
        "today": _lab_today(nom),
    }


def _sample_initial(nom: Nomination, person: Person, task: Task) -> dict[str, str]:
    """Received today, where the lab is, in good condition."""
    return {"received_on": _lab_today(nom), "condition": SampleCondition.GOOD.value}


def _declared(nom: Nomination) -> list[tuple[str, str, str]]:
    """(user id, name, reason) of each juror still on the panel who declared a conflict."""
    names = {j.user_id: j.name for j in nom.seats}
    return [(juror, names[juror], why) for juror, why in nom.conflicts_declared().items()]


def _replacement(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    return {"declared": _declared(nom), "panel": [(j.user_id, j.name) for j in nom.seats]}


def _replacement_initial(nom: Nomination, person: Person, task: Task) -> dict[str, str]:
    declared = _declared(nom)
    if not declared:
        return {}
    juror, name, why = declared[0]
    return {
        "juror_id": juror,
        "reason": f"Juri {name} menyatakan konflik kepentingan atas usulan ini: {why}",
    }


def _checklist(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    return {"missing_documents": checklist(nom.proposal)}


def register() -> None:
    FORMS["verify"] = DecisionForm(context=_checklist)
    FORMS["receive-sample"] = DecisionForm(context=_sample_asked, initial=_sample_initial)
    FORMS["assess"] = DecisionForm(context=_findings)
    FORMS["score"] = DecisionForm(
        context=_score_sheet,
        initial=lambda nom, person, task: _own_sheet(nom, person),
        also=("declare-conflict",),
    )
    FORMS["award"] = DecisionForm(context=_award, read=_read_award, initial=_award_initial)
    FORMS["reassign"] = DecisionForm(context=_replacement, initial=_replacement_initial)
