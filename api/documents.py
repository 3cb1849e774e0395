"""A nomination's documents: uploaded by its proposing office before it proposes (or by
the lab, its test report, before its findings), kept in the document store (never in
Temporal), read back by those the access rule lets read them.

`POST /documents` answers the `DocumentRef` the proposal then lists under `documents`;
proposing with a reference the store does not hold, or one that describes other bytes, is
refused naming the field. `GET /documents/{sha256}` serves a document of one nomination:
the key must reach the nomination, and its role read the document's slot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema
from starlette.datastructures import UploadFile as StarletteUpload

from api.auth import Caller, require_role
from api.deps import ApiDeps, Deps
from api.lookup import ask, place_of
from api.problems import ApiProblem, problem_responses
from documents import DocumentStore
from documents import require_stored as stored_in
from domain.access import UPLOADERS, documents_seen, require_sees_document
from domain.documents import (
    SHA256_PATTERN,
    DocumentRef,
    Slot,
    checked_document,
    require_fits,
)
from domain.errors import Problem
from domain.permits import PermitKind
from workflows.nomination import NominationWorkflow

router = APIRouter(
    tags=["documents"],
    responses=problem_responses(
        (401, "No API key, or an unknown one"),
        (403, "The key may not do this, or not to this nomination or document"),
        (404, "No such nomination, or no such document of it"),
        (422, "Invalid or refused, each field at fault named"),
        (503, "The document store or Temporal is unreachable"),
    ),
)

Sha256 = Annotated[
    str,
    Path(
        pattern=SHA256_PATTERN,
        description="The document's SHA-256, as its reference (`DocumentRef.sha256`) gives it.",
    ),
]


def store_of(d: ApiDeps) -> DocumentStore:
    if d.documents is None:
        raise ApiProblem(
            503,
            "unavailable",
            "Layanan sementara tidak tersedia",
            "penyimpanan berkas belum diatur (OVOP_DOCUMENTS_URL)",
        )
    return d.documents


# The permit goes with the permit's slot and no other: said in the schema too, so a client
# generated from it sends them together.
_PAIRED: JsonDict = {
    "oneOf": [
        {"properties": {"slot": {"const": Slot.PERMIT.value}}, "required": ["permit"]},
        {
            "properties": {"slot": {"enum": [s.value for s in Slot if s != Slot.PERMIT]}},
            "not": {"required": ["permit"]},
        },
    ]
}


class Upload(BaseModel):
    """A document as a proposing office sends it (multipart/form-data)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_PAIRED)

    slot: Slot = Field(description="The dossier's slot the file is for.")
    # A form field is sent or not: it has no null, so the schema offers none.
    permit: PermitKind | SkipJsonSchema[None] = Field(
        None, description="For the `izin` slot (and only for it): which permit it proves."
    )
    file: UploadFile = Field(description="The file; its type is read from its content.")


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentRef,
    summary="Upload a document of a nomination's dossier (regional office or lab keys)",
    responses=problem_responses(
        (400, "The multipart body cannot be read"),
        (413, "The file is larger than its slot takes (the slot named)"),
        (415, "The file's content is not of a type its slot takes (the slot named)"),
    ),
)
async def upload(
    key: Caller, d: Deps, form: Annotated[Upload, Form(media_type="multipart/form-data")]
) -> DocumentRef:
    """Check the file by its content (not its name) against the types its slot takes and
    the slot's size limit, keep it under its SHA-256, and answer its reference for the
    proposal's `documents`. The same file sent again (a retry) is kept once and answers
    the same reference. A regional office uploads its proposal's documents; a lab, its
    test report (slot `lhu`), which its findings then carry as `lab_report`."""
    require_role(key, *UPLOADERS[form.slot])
    ref, data = await checked_upload(form.slot, form.permit, form.file)
    await store_of(d).put(data)
    return ref


async def checked_upload(
    slot: Slot, permit: PermitKind | None, file: StarletteUpload
) -> tuple[DocumentRef, bytes]:
    """A file sent for `slot` (to the API or on an inbox form), read no further than its
    slot takes and checked by its content: its reference and bytes, not yet kept;
    `Refused` naming the slot otherwise."""
    name = file.filename or ""
    # No body larger than its route takes got this far (`api.limits.BodyLimit`); the
    # slot's own limit is checked here.
    data = await file.read(slot.rule.max_bytes + 1)
    require_fits(slot, permit, name, file.size or len(data))
    return checked_document(slot, name, data, permit), data


async def require_stored(d: ApiDeps, refs: Mapping[str, DocumentRef]) -> None:
    """`documents.require_stored` on the API's store (none needed when nothing is cited)."""
    if refs:
        await stored_in(store_of(d), refs)


@router.get(
    "/documents/{sha256}",
    response_class=Response,
    summary="A document of a nomination, to a key that may read its slot",
    responses={200: {"description": "The file as uploaded", "content": {"*/*": {}}}},
)
async def download(
    sha256: Sha256,
    nomination_id: Annotated[
        str, Query(description="The nomination whose dossier lists the document.")
    ],
    key: Caller,
    d: Deps,
) -> Response:
    """A juror's or a lab's key reads the product's evidence (photos, permits, the sentra
    decree, the lab's report), not the owner's identity papers (`domain.access.sees_document`)."""
    nom = await ask(d, nomination_id, NominationWorkflow.state)
    key.reach.require(place_of(nom), "nomination_id")
    listed = [ref for ref in nom.every_document if ref.sha256 == sha256]
    if not listed:
        raise ApiProblem(
            404,
            "not-found",
            "Berkas tidak ditemukan",
            f"usulan {nomination_id} tidak memuat berkas dengan SHA-256 ini",
            [Problem("sha256", "tidak tercantum dalam berkas usulan")],
            nomination_id=nomination_id,
        )
    readable = documents_seen(key.roles, listed)
    if not readable:
        require_sees_document(key.roles, listed[0].slot, "sha256")
    ref = readable[0]
    data = await store_of(d).get(sha256)
    if data is None:
        raise ApiProblem(
            503,
            "unavailable",
            "Layanan sementara tidak tersedia",
            "berkas tercantum dalam usulan tetapi tidak ada di penyimpanan berkas",
        )
    return document_response(ref, data)


def document_response(ref: DocumentRef, data: bytes) -> Response:
    """A document as the API and the inbox hand it over: a download under its own name,
    never shown in place (nor guessed at by the browser), kept in no shared cache."""
    return Response(
        data,
        media_type=ref.media_type.value,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(ref.name)}",
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )
