"""The cycle's decree (Surat Keputusan penetapan), public: the document the award letters
name. It holds the winners' businesses, products and regions and the signing official,
nothing of the IKM owners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import Deps
from api.problems import ApiProblem, problem_responses
from domain.decree import DECREE_PREFIX
from domain.errors import Problem
from reports.decree import render_decree

CycleYear = Annotated[
    str, Path(pattern=r"^[0-9]{4}$", description="The cycle, e.g. `2026`.", examples=["2026"])
]

public = APIRouter(tags=["decrees"])


@public.get(
    DECREE_PREFIX + "{cycle}",
    response_class=Response,
    summary="The cycle's decree as issued (public)",
    responses={
        200: {"description": "The decree, A4", "content": {"application/pdf": {}}},
        **problem_responses((404, "No decree issued for this cycle"), (422, "Invalid cycle")),
    },
)
async def decree_pdf(cycle: CycleYear, d: Deps) -> Response:
    """No key needed. Drawn from the records on each call, the same bytes each time."""
    decree = await d.store.decree(cycle)
    if decree is None:
        raise ApiProblem(
            404,
            "not-found",
            "Keputusan belum ditetapkan",
            f"keputusan penetapan penerima penghargaan IKM OVOP siklus {cycle} belum ditetapkan",
            [Problem("cycle", "belum ada keputusan")],
        )
    return Response(
        render_decree(decree),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="keputusan-ovop-{cycle}.pdf"',
            "Cache-Control": "public, max-age=300",
        },
    )
