"""`/tugas/{id}`: one task's page, the nomination's dossier as its person may see it and
the decision's form; posting it sends the same Update the API and `ovop` send."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.deps import ApiDeps, Deps
from api.documents import checked_upload, document_response
from api.limits import FORM_OVERHEAD
from domain.access import (
    UPLOADERS,
    Place,
    documents_seen,
    events_for_juror,
    scores_visible,
    sees_owner,
)
from domain.decisions import DecisionResult
from domain.documents import DocumentRef, Slot
from domain.errors import Problem, RefusalKind, Refused
from domain.nomination import Nomination
from domain.people import Person
from domain.proposal import Proposal
from domain.registry import describe_check
from domain.stages import Role
from domain.tasks import Task, decision_kind, heading, require_task
from web.forms import decision_of, errors_by_field, nested
from web.nominations import state_of
from web.pages import forged_form, form_is_genuine, page, refused_page, signed_in
from workflows.client import decide, handle_cycle

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(signed_in)]

STATUS = {RefusalKind.ACCESS: 403, RefusalKind.STAGE: 409, RefusalKind.CONFLICT: 409}
MOST_FILES = 10  # files one form takes, all its file fields together


@dataclass(frozen=True)
class DecisionForm:
    """How a decision's form is shown (`decisions/<command>.html`) and read back."""

    # What the form shows beside the dossier (criteria, the panel's recommendation...).
    context: Callable[[Nomination, Person, Task], dict[str, Any]] = lambda nom, p, t: {}
    # What the form shows that another workflow knows (the province's quota, which the
    # cycle counts), asked each time the page is laid out.
    asked: Callable[[Client, Nomination], Awaitable[dict[str, Any]]] | None = None
    # The form's fields as the decision's data; by default, each name is a dotted path.
    read: Callable[[list[tuple[str, str]]], dict[str, Any]] = nested
    # The fields a fresh form starts with.
    initial: Callable[[Nomination, Person, Task], dict[str, str]] = lambda nom, p, t: {}
    extra: dict[str, Any] = field(default_factory=dict)
    # Other decisions the page offers (a juror's conflict declaration): each is a form of
    # its own, `decisions/<command>.html`, whose `action` field names its command.
    also: tuple[str, ...] = ()
    # What the nomination keeps whatever the form sends (a resubmission's cycle and office),
    # from the form's data and its uploads' references (by field).
    kept: Callable[[dict[str, Any], Nomination], dict[str, Any]] = lambda data, nom: data
    # The form's file fields (multipart) and the slot each one's files go to: checked,
    # kept in the document store, and given to the decision as that field's references.
    uploads: dict[str, Slot] = field(default_factory=dict)


FORMS: dict[str, DecisionForm] = {}


def form_for(command: str) -> DecisionForm:
    return FORMS.get(command, DecisionForm())


def body_limit() -> int:
    """The largest body a task's form takes: its files, at most `MOST_FILES` of the
    largest slot a registered form uploads to, and its fields."""
    slots = [slot for form in FORMS.values() for slot in form.uploads.values()]
    largest = max((slot.rule.max_bytes for slot in slots), default=0)
    return MOST_FILES * largest + FORM_OVERHEAD


def dossier(nom: Nomination, task: Task) -> dict[str, Any]:
    """The nomination as the task's role may read it (`domain.access`)."""
    juror = task.role == Role.JUROR
    return {
        "nom": nom,
        "p": nom.proposal,
        "owner_visible": sees_owner(task.role),
        "registry_line": describe_check(nom.registry) if nom.registry else None,
        "events": events_for_juror(nom) if juror else nom.events,
        "result_visible": nom.result is not None and (not juror or scores_visible(nom)),
        "documents": documents_seen([task.role], nom.documents),
    }


async def _task(
    request: Request, d: Deps, person: Person, nomination_id: str
) -> tuple[tuple[Nomination, Task], None] | tuple[None, HTMLResponse]:
    nom = await state_of(d.client, nomination_id)
    if nom is None:
        return None, refused_page(
            request,
            "Usulan tidak ditemukan",
            f"Tidak ada usulan dengan nomor {nomination_id}.",
            404,
            person,
        )
    try:
        return (nom, require_task(person, nom)), None
    except Refused as refused:
        return None, refused_page(
            request, "Tugas ini bukan untuk Anda", refused.problems[0].message, 403, person
        )


async def _render(
    request: Request,
    client: Client,
    person: Person,
    nom: Nomination,
    task: Task,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    form = form_for(task.command)
    asked = await form.asked(client, nom) if form.asked else {}
    return page(
        request,
        "task.html",
        person,
        status_code,
        task=task,
        kind=decision_kind(task.command),
        values=values,
        errors=errors,
        form_template=f"decisions/{task.command}.html",
        uploads=form.uploads,
        most_files=MOST_FILES,
        once=secrets.token_urlsafe(18),
        also_templates=[f"decisions/{command}.html" for command in form.also],
        **dossier(nom, task),
        **form.context(nom, person, task),
        **asked,
    )


@router.get("/tugas/{nomination_id}", response_class=HTMLResponse)
async def task_page(request: Request, nomination_id: str, person: SignedIn, d: Deps) -> Response:
    found, refused = await _task(request, d, person, nomination_id)
    if found is None:
        assert refused is not None
        return refused
    nom, task = found
    initial = form_for(task.command).initial(nom, person, task)
    return await _render(request, d.client, person, nom, task, initial, {})


@router.get("/tugas/{nomination_id}/berkas/{sha256}")
async def task_document(
    request: Request, nomination_id: str, sha256: str, person: SignedIn, d: Deps
) -> Response:
    """A document of the task's dossier, to a person whose task's role may read it (the
    same rule as the task page's list, `documents_seen`)."""
    found, refused = await _task(request, d, person, nomination_id)
    if found is None:
        assert refused is not None
        return refused
    nom, task = found
    readable = [r for r in documents_seen([task.role], nom.every_document) if r.sha256 == sha256]
    data = await d.documents.get(sha256) if readable and d.documents is not None else None
    if data is None:
        said = "Berkas ini tidak tercantum dalam usulan, atau tidak untuk peran Anda."
        if readable:
            said = "Penyimpanan berkas sedang tidak dapat dijangkau; coba lagi nanti."
        return refused_page(
            request, "Berkas tidak tersedia", said, 503 if readable else 404, person
        )
    return document_response(readable[0], data)


@router.post("/tugas/{nomination_id}", response_class=HTMLResponse)
async def take_decision(
    request: Request, nomination_id: str, person: SignedIn, d: Deps
) -> Response:
    posted = (await request.form()).multi_items()
    items = [(k, v) for k, v in posted if isinstance(v, str)]
    # A file field left empty still sends a part, without a name.
    files = [(k, v) for k, v in posted if isinstance(v, UploadFile) and v.filename]
    if not form_is_genuine(request, dict(items).get("csrf")):
        return forged_form(request, person)
    values = dict(items)
    # The form's own token names the Update: sent twice (a double click, a reload), the
    # decision is taken once and its first answer comes back.
    once = values.get("once", "")
    update_id = f"web:{person.email}:{once}" if 16 <= len(once) <= 64 else None
    found, refused = await _task(request, d, person, nomination_id)
    if found is None:
        assert refused is not None
        earlier = await _taken_before(d, nomination_id, update_id)
        if earlier is None:
            return refused
        nom, result = earlier
        return page(request, "decided.html", person, title="Keputusan", result=result, nom=nom)
    nom, task = found
    seat = person.seat(nom.config.cycle, task.role)
    assert seat is not None  # the task was found through it
    command = task.command
    if values.get("action") in form_for(task.command).also:
        command = values["action"]
        values = {**form_for(task.command).initial(nom, person, task), **values}
    kind, form = decision_kind(command), form_for(command)
    try:
        checked = await _checked_files(form, files, seat.role)
        data = form.read(items)
        for name in form.uploads:
            data[name] = [ref for ref, _ in checked.get(name, [])]
        data = form.kept(data, nom)
        decision = decision_of(kind.model, data, seat.actor())
        proposal = getattr(decision, "proposal", None)
        if isinstance(proposal, Proposal):  # a resubmission stays within the office's reach
            seat.reach.require(Place.of_proposal(proposal), "proposal.sentra.province")
        await _keep(d, checked)
        result = await decide(d.client.get_workflow_handle(nomination_id), decision, update_id)
    except Refused as refusal:
        status = STATUS.get(refusal.kind, 422)
        errors = errors_by_field(refusal.problems)
        return await _render(request, d.client, person, nom, task, values, errors, status)
    return page(request, "decided.html", person, title=heading(kind), result=result, nom=nom)


async def _checked_files(
    form: DecisionForm, files: list[tuple[str, UploadFile]], role: Role
) -> dict[str, list[tuple[DocumentRef, bytes]]]:
    """Each file sent, by its field, checked by its content against its field's slot
    (`api.documents.checked_upload`); `Refused` at the field, naming each file refused,
    before anything is kept."""
    if len(files) > MOST_FILES:
        field_name = files[0][0]
        raise Refused.one(field_name, f"paling banyak {MOST_FILES} berkas sekali kirim")
    checked: dict[str, list[tuple[DocumentRef, bytes]]] = {}
    problems: list[Problem] = []
    kind = RefusalKind.INPUT
    for name, file in files:
        slot = form.uploads.get(name)
        if slot is None:
            raise Refused.one(name, "isian berkas ini tidak dikenal pada formulir ini")
        if role not in UPLOADERS[slot]:
            raise Refused.one(
                name, f"{role.label} tidak mengunggah {slot.rule.label}", RefusalKind.ACCESS
            )
        try:
            checked.setdefault(name, []).append(await checked_upload(slot, None, file))
        except Refused as refused:
            kind = refused.kind
            said = file.filename or ""
            problems += [
                Problem(name, p.message if said in p.message else f"{said!r}: {p.message}")
                for p in refused.problems
            ]
    if problems:
        raise Refused(problems, kind)
    return checked


async def _keep(d: ApiDeps, checked: dict[str, list[tuple[DocumentRef, bytes]]]) -> None:
    """The files a decision refers to, kept in the document store before it is sent."""
    sent = [data for files in checked.values() for _, data in files]
    if sent and d.documents is None:
        raise Refused.one(
            next(iter(checked)), "penyimpanan berkas sedang tidak tersedia; coba lagi nanti"
        )
    for data in sent:
        assert d.documents is not None
        await d.documents.put(data)


async def _taken_before(
    d: ApiDeps, nomination_id: str, update_id: str | None
) -> tuple[Nomination, DecisionResult] | None:
    """The decision this very form took already (sent twice: its task is then gone), or
    None when it took none."""
    if update_id is None:
        return None
    handle = d.client.get_workflow_handle(nomination_id)
    # A decision the cycle takes (an endorsement) is an Update of the cycle's.
    for where in (handle, handle_cycle(handle)):
        try:
            earlier = where.get_update_handle(update_id, result_type=DecisionResult)
            result: DecisionResult = await earlier.result(rpc_timeout=timedelta(seconds=2))
            break
        except (RPCError, WorkflowUpdateFailedError):
            continue
    else:
        return None
    nom = await state_of(d.client, nomination_id)
    return None if nom is None else (nom, result)
