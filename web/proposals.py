"""`/usulan`: a proposing office writes its proposals in the inbox, keeps drafts of them,
and corrects one returned to it for revision (the `resubmit` task).

The form has one field per column of the spreadsheet the office may import instead
(`intake.spreadsheet.COLUMNS`), and is read back by the same code as a spreadsheet's row;
the nomination starts as the API starts it (`api.app.create_nomination`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.deps import ApiDeps, Deps
from domain.access import require_may_propose
from domain.calendar import local_date
from domain.cycle import already_proposed
from domain.documents import (
    SINGLE_FILE_SLOTS,
    ProposalDocumentRef,
    Slot,
    file_size,
    resubmitted_documents,
)
from domain.errors import Problem, Refused
from domain.events import EventKind
from domain.nomination import Nomination, nomination_id
from domain.people import Person, Seat
from domain.proposal import Commodity
from domain.stages import Role
from domain.tasks import Task
from intake.spreadsheet import COLUMNS, Column, column_of, raw_proposal, read_proposal, values_of
from web.forms import errors_by_field
from web.nominations import tasks_of
from web.pages import forged_form, form_is_genuine, page, refused_page, signed_in
from web.task import FORMS, STATUS, DecisionForm
from workflows.client import nominate
from workflows.visibility import NominationFilter, NominationRow, list_nominations

router = APIRouter(include_in_schema=False)
SignedIn = Annotated[Person, Depends(signed_in)]

# The fieldset a column is shown in, by the first part of the proposal field it fills.
SECTIONS = {
    "cycle": "Usulan",
    "proposed_on": "Usulan",
    "ikm": "IKM yang diusulkan",
    "sentra": "Sentra IKM",
    "product": "Produk",
    "proposing_office": "Dinas pengusul",
    "provincial_office": "Dinas provinsi pembina",
}
# Filled from the signed-in office and its contact, whatever the form sends.
FROM_OFFICE = ("dinas_pengusul", "dinas_pengusul_kontak", "dinas_pengusul_email")
# Shown fixed when a proposal is corrected: the nomination keeps them (`_kept_on_resubmission`).
KEPT_ON_RESUBMIT = ("siklus", "dinas_pengusul")
HEADERS = frozenset(c.header for c in COLUMNS)
# The correction's file fields, named as the verifier's checklist names what is missing; a
# permit's file needs its kind, which these fields do not ask, so permits are not among them.
RESUBMIT_UPLOADS = {
    f"documents.{slot.value}": slot
    for slot in (Slot.SENTRA_DECREE, Slot.NIB, Slot.PHOTO, Slot.FURTHER)
}


@dataclass(frozen=True)
class Field:
    """One column as a form field: labelled with its help, its example as the hint."""

    header: str
    label: str
    hint: str
    example: str
    kind: str
    required: bool
    options: tuple[tuple[str, str], ...]  # (value, text) of a select; none for free text
    fixed: bool  # shown, not typed


def _hint(column: Column) -> str:
    if column.kind == "list":
        return f"Pisahkan beberapa isian dengan titik koma (;). Contoh: {column.example}"
    if column.kind == "permits":
        return f"Pisahkan beberapa izin dengan titik koma (;). Contoh: {column.example}"
    return f"Contoh: {column.example}"


def _options(column: Column) -> tuple[tuple[str, str], ...]:
    if column.header == "komoditas":
        return tuple((c.value, c.label) for c in Commodity)
    return tuple((c, c) for c in column.choices)


def form_sections(
    fixed: tuple[str, ...], cycles: tuple[str, ...] = ()
) -> list[tuple[str, list[Field]]]:
    """The form's fieldsets, in the columns' order; `cycles` to choose among, if several."""
    sections: dict[str, list[Field]] = {}
    for c in COLUMNS:
        options = _options(c)
        if c.header == "siklus" and len(cycles) > 1:
            options = tuple((cycle, cycle) for cycle in cycles)
        field = Field(
            c.header,
            c.help,
            _hint(c),
            c.example,
            c.kind,
            c.required,
            () if c.kind == "flag" else options,
            c.header in fixed and not (c.header == "siklus" and len(cycles) > 1),
        )
        sections.setdefault(SECTIONS[c.path.split(".")[0]], []).append(field)
    return list(sections.items())


def by_column(problems: list[Problem], prefix: str = "") -> dict[str, str]:
    """Each problem's message by the header of the column it concerns (`prefix` taken off
    its field first: `proposal.` in a resubmission); a problem of no column keeps its field."""

    def where(field: str) -> str:
        column = column_of(field.removeprefix(prefix)) if field.startswith(prefix) else None
        return column.header if column else field

    return errors_by_field([Problem(where(p.field), p.message) for p in problems])


# --- the office and its nominations -------------------------------------------------------


def office_seats(person: Person) -> list[Seat]:
    return [s for s in person.seats if s.role == Role.PROPOSER]


def from_office(seat: Seat, person: Person) -> dict[str, str]:
    return {
        "siklus": seat.cycle,
        "dinas_pengusul": seat.institution,
        "dinas_pengusul_kontak": person.name,
        "dinas_pengusul_email": person.email,
    }


async def nominations_of(client: Client, seats: list[Seat]) -> list[NominationRow]:
    """The nominations within the office's reach, newest first, as visibility lists them
    (their states are asked only of those holding a task: `tasks_of`)."""
    found: dict[str, NominationRow] = {}
    for seat in seats:
        where = NominationFilter(cycle=seat.cycle, province=seat.province, regency=seat.regency)
        found.update((r.id, r) for r in await list_nominations(client, where, limit=500))
    return sorted(found.values(), key=lambda r: r.started_at, reverse=True)


async def propose(d: ApiDeps, seat: Seat, values: dict[str, str]) -> str:
    """Start the nomination the form's `values` make, as the API does; `Refused` naming
    each field at fault."""
    proposal, problems = read_proposal(values)
    if proposal is None:
        raise Refused(problems)
    require_may_propose(seat.actor(), seat.reach, proposal)
    nid = nomination_id(proposal.cycle, proposal.ikm.nib, proposal.product.name)
    try:
        await nominate(d.client, proposal, seat.actor(), d.task_queue)
    except WorkflowAlreadyStartedError:
        raise already_proposed(proposal.cycle, nid) from None
    return nid


# --- the pages ----------------------------------------------------------------------------


def not_an_office(request: Request, person: Person) -> HTMLResponse:
    return refused_page(
        request,
        "Halaman ini untuk Dinas pengusul",
        "Usulan hanya dapat dibuat oleh Dinas pengusul yang terdaftar pada siklus yang terbuka.",
        403,
        person,
    )


def _form(
    request: Request,
    person: Person,
    seats: list[Seat],
    values: dict[str, str],
    errors: dict[str, str],
    draft_id: str | None = None,
    status_code: int = 200,
    saved: bool = False,
) -> HTMLResponse:
    return page(
        request,
        "proposals_form.html",
        person,
        status_code,
        sections=form_sections(("siklus", *FROM_OFFICE), tuple(s.cycle for s in seats)),
        values=values,
        errors=errors,
        others={k: v for k, v in errors.items() if k not in HEADERS},
        action=f"/usulan/draf/{draft_id}" if draft_id else "/usulan/baru",
        draft_id=draft_id,
        saved=saved,
    )


@router.get("/usulan", response_class=HTMLResponse)
async def proposals(request: Request, person: SignedIn, d: Deps) -> Response:
    seats = office_seats(person)
    if not seats:
        return not_an_office(request, person)
    offices = dict.fromkeys(s.institution for s in seats)
    keys = dict.fromkeys(s.office for s in seats)
    drafts = [draft for key in keys for draft in await d.store.drafts_of(key)]
    rows = await nominations_of(d.client, seats)
    inbox = await tasks_of(d.client, person, datetime.now(UTC))
    tasks = {t.task.nomination_id: t for t in inbox.rows}
    return page(
        request,
        "proposals.html",
        person,
        drafts=drafts,
        rows=rows,
        tasks=tasks,
        offices=offices,
    )


@router.get("/usulan/baru", response_class=HTMLResponse)
async def new_proposal(request: Request, person: SignedIn) -> Response:
    seats = office_seats(person)
    if not seats:
        return not_an_office(request, person)
    today = local_date(datetime.now(UTC), person.zone).isoformat()
    values = {"tanggal_usulan": today, **from_office(seats[0], person)}
    return _form(request, person, seats, values, {})


async def _owned_draft(
    request: Request, person: Person, d: ApiDeps, draft_id: str
) -> tuple[dict[str, Any] | None, HTMLResponse | None]:
    draft = await d.store.draft(draft_id)
    if draft is None:
        message = "Draf ini tidak ada, atau sudah diajukan sebagai usulan."
        return None, refused_page(request, "Draf tidak ditemukan", message, 404, person)
    if draft["office"] not in {s.office for s in office_seats(person)}:
        message = (
            "Draf ini milik Dinas pengusul lain; hanya Dinas yang menyusunnya yang dapat "
            "membukanya."
        )
        return None, refused_page(request, "Draf ini bukan milik Dinas Anda", message, 403, person)
    return draft, None


@router.get("/usulan/draf/{draft_id}", response_class=HTMLResponse)
async def continue_draft(
    request: Request, draft_id: str, person: SignedIn, d: Deps, disimpan: str | None = None
) -> Response:
    seats = office_seats(person)
    if not seats:
        return not_an_office(request, person)
    draft, refused = await _owned_draft(request, person, d, draft_id)
    if draft is None:
        assert refused is not None
        return refused
    return _form(request, person, seats, draft["fields"], {}, draft_id, saved=bool(disimpan))


@router.post("/usulan/baru", response_class=HTMLResponse)
async def post_new(request: Request, person: SignedIn, d: Deps) -> Response:
    return await _post(request, person, d, None)


@router.post("/usulan/draf/{draft_id}", response_class=HTMLResponse)
async def post_draft(request: Request, draft_id: str, person: SignedIn, d: Deps) -> Response:
    return await _post(request, person, d, draft_id)


async def _post(request: Request, person: Person, d: ApiDeps, draft_id: str | None) -> Response:
    posted = {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
    if not form_is_genuine(request, posted.get("csrf")):
        return forged_form(request, person)
    seats = office_seats(person)
    if not seats:
        return not_an_office(request, person)
    if draft_id is not None:
        _, refused = await _owned_draft(request, person, d, draft_id)
        if refused is not None:
            return refused
    values = {c.header: posted.get(c.header, "").strip() for c in COLUMNS}
    seat = next((s for s in seats if s.cycle == values["siklus"]), seats[0])
    values.update(from_office(seat, person))
    if posted.get("action") == "draft":
        now = datetime.now(UTC)
        saved = await d.store.save_draft(
            draft_id, seat.cycle, seat.office, values, seat.user_id, now
        )
        return RedirectResponse(f"/usulan/draf/{saved}?disimpan=1", status_code=303)
    try:
        nid = await propose(d, seat, values)
    except Refused as refusal:
        status = STATUS.get(refusal.kind, 422)
        return _form(request, person, seats, values, by_column(refusal.problems), draft_id, status)
    if draft_id is not None:
        await d.store.drop_draft(draft_id)
    return page(request, "proposals_sent.html", person, nomination_id=nid, values=values)


# --- the resubmission: the task page's form (web/task.py) -----------------------------------


def _resubmission_context(nom: Nomination, person: Person, task: Task) -> dict[str, Any]:
    """The reason it was returned, by the verifier or by the provincial office
    (`endorsement`), which the corrected proposal then goes back to."""
    sent_back = (EventKind.REVISION_REQUESTED, EventKind.RETURNED)
    requests = [e for e in nom.events if e.kind in sent_back]
    province = nom.endorsing_office if nom.returned_by_province else None
    return {
        "reasons": requests[-1].reason if requests else None,
        "returned_by": province or "verifikator",
        "back_to": f"{province} untuk direkomendasikan" if province else "verifikasi administrasi",
        "revisions": nom.revisions,
        "max_revisions": nom.config.max_revisions,
        "sections": form_sections(KEPT_ON_RESUBMIT),
        "column_errors": lambda errors: by_column(
            [Problem(k, v) for k, v in errors.items()], "proposal."
        ),
        "headers": HEADERS,
        "file_fields": file_fields(nom),
    }


@dataclass(frozen=True)
class FileField:
    """A file field of the correction: its slot, whether a file sent replaces the one held
    (`SINGLE_FILE_SLOTS`) or is added, and the documents the slot holds now."""

    name: str
    slot: Slot
    replaces: bool
    held: list[ProposalDocumentRef]

    @property
    def label(self) -> str:
        said = self.slot.rule.label
        return f"{said[:1].upper()}{said[1:]} ({'mengganti' if self.replaces else 'menambah'})"

    @property
    def accept(self) -> str:
        return ",".join(t.value for t in self.slot.rule.media_types)

    @property
    def help(self) -> str:
        rule = self.slot.rule
        takes = f"{rule.accepts}, paling besar {file_size(rule.max_bytes)}"
        if not self.replaces:
            return f"{takes} per berkas. Berkas yang dipilih ditambahkan; yang sudah ada tetap."
        if not self.held:
            return f"{takes}. Belum ada; berkas yang dipilih dilampirkan sebagai versi 1."
        now = self.held[-1]
        return (
            f"{takes}. Berkas yang dipilih mengganti {now.name} (versi {now.version}), "
            "yang tetap tersimpan sebagai versi sebelumnya; biarkan kosong bila tidak diganti."
        )


def file_fields(nom: Nomination) -> list[FileField]:
    return [
        FileField(
            name,
            slot,
            slot in SINGLE_FILE_SLOTS,
            [ref for ref in nom.proposal.documents if ref.slot == slot],
        )
        for name, slot in RESUBMIT_UPLOADS.items()
    ]


def read_resubmission(items: list[tuple[str, str]]) -> dict[str, Any]:
    """The corrected proposal from the form's columns, and the office's note."""
    posted = dict(items)
    raw, unreadable = raw_proposal(posted)
    if unreadable:
        raise Refused([Problem(f"proposal.{p.field}", p.message) for p in unreadable])
    note = posted.get("note", "").strip()
    return {"proposal": raw, **({"note": note} if note else {})}


def _kept_on_resubmission(data: dict[str, Any], nom: Nomination) -> dict[str, Any]:
    """The cycle and the proposing office stay the nomination's, whatever the form sends
    (their fields are shown read-only); its documents stay too, but for the files uploaded
    (`resubmitted_documents`: an SK sentra or NIB document replaces, the others add)."""
    uploaded = [ref for name in RESUBMIT_UPLOADS for ref in data.pop(name, [])]
    if isinstance(data.get("proposal"), dict):
        kept = nom.proposal.model_dump(mode="json", include={"cycle", "proposing_office"})
        documents = resubmitted_documents(nom.proposal.documents, uploaded)
        dossier = [ref.model_dump(mode="json") for ref in documents]
        data = {**data, "proposal": {**data["proposal"], **kept, "documents": dossier}}
    return data


FORMS["resubmit"] = DecisionForm(
    context=_resubmission_context,
    uploads=RESUBMIT_UPLOADS,
    read=read_resubmission,
    kept=_kept_on_resubmission,
    initial=lambda nom, person, task: values_of(nom.proposal),
)
