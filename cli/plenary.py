"""`ovop plenary open` and `agree`, `ovop decree issue` and `pdf`: a cycle whose awards come
by one decree (`plenary.by_decree`): each commodity's plenary, its agreed list, and the
Director General's decree, which ends every nomination waiting for it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bootstrap import Services
from cli.common import (
    NOT_FOUND,
    InstitutionOpt,
    JsonFlag,
    RoleOpt,
    UserOpt,
    actor,
    echo_json,
    fail,
    on_records,
    parse,
    read_json,
)
from cli.cycle import CycleArg, cycle_call
from domain.cycle_book import PlenaryOpening
from domain.decree import Decree, DecreeOrder
from domain.plenary import AgreedList
from domain.proposal import Commodity
from domain.stages import Role
from reports.decree import render_decree
from reports.plenary import plenary_text
from workflows.client import agree_plenary, issue_decree, open_plenary
from workflows.cycle import CycleWorkflow

plenary_app = typer.Typer(help="A commodity's plenary of the Tim Seleksi, and its agreed list.")
decree_app = typer.Typer(help="The cycle's decree: issued from the agreed lists, and its PDF.")


@plenary_app.command("open")
def plenary_open(
    cycle: CycleArg,
    commodity: Annotated[Commodity, typer.Argument(help="The commodity, e.g. kain_batik.")],
    user: UserOpt,
    role: RoleOpt = Role.OPERATOR,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Open a commodity's plenary once its panels have closed: every nominee ranked, each
    juror's scores side by side, ties and outliers marked."""
    opening = parse(
        PlenaryOpening, {"actor": actor(user, role, institution), "commodity": commodity}
    )
    ranking = cycle_call(cycle, lambda h: open_plenary(h, opening))
    if as_json:
        echo_json(ranking)
    else:
        typer.echo(plenary_text(ranking))


@plenary_app.command("show")
def plenary_show(
    cycle: CycleArg,
    commodity: Annotated[Commodity, typer.Argument(help="The commodity, e.g. kain_batik.")],
    as_json: JsonFlag = False,
) -> None:
    """A commodity's plenary as it was opened, and the list agreed in it, if any; reading
    it changes nothing (opening it again would set the agreed list aside)."""
    book = cycle_call(cycle, lambda h: h.query(CycleWorkflow.book))
    ranking = book.plenaries.get(commodity)
    if ranking is None:
        fail(f"sidang pleno komoditas {commodity.label} siklus {cycle} belum dibuka", NOT_FOUND)
    agreed = book.agreed.get(commodity)
    if as_json:
        echo_json(
            {
                "ranking": ranking.model_dump(mode="json"),
                "agreed": agreed and agreed.model_dump(mode="json"),
            }
        )
        return
    typer.echo(plenary_text(ranking))
    if agreed is None:
        typer.echo("\nDaftar hasil sidang pleno belum dicatat.")
    else:
        stars = ", ".join(f"{w.nomination_id} ({w.stars} bintang)" for w in agreed.winners)
        typer.echo(f"\nDaftar hasil sidang pleno dicatat oleh {agreed.actor.user_id}: {stars}")


@plenary_app.command("agree")
def plenary_agree(
    cycle: CycleArg,
    file: Annotated[
        Path, typer.Argument(help="The agreed list (JSON): actor, cycle, commodity, winners.")
    ],
) -> None:
    """Record what a commodity's plenary agreed: the winners with their stars, and a reason
    for every change from the recommendation."""
    agreed = parse(AgreedList, read_json(file))
    typer.echo(cycle_call(cycle, lambda h: agree_plenary(h, agreed)))


@decree_app.command("issue")
def decree_issue(
    cycle: CycleArg,
    user: UserOpt,
    role: RoleOpt = Role.OFFICIAL,
    institution: InstitutionOpt = "Ditjen IKMA",
    as_json: JsonFlag = False,
) -> None:
    """Issue the cycle's decree from every commodity's agreed list: each winner is awarded
    and every other nominee ends, with it."""
    order = parse(DecreeOrder, {"actor": actor(user, role, institution)})
    decree = cycle_call(cycle, lambda h: issue_decree(h, order))
    if as_json:
        echo_json(decree)
        return
    typer.echo(
        f"Keputusan Nomor {decree.number} ditetapkan: {len(decree.winners)} penerima "
        f"penghargaan IKM OVOP {decree.cycle}."
    )


@decree_app.command("pdf")
def decree_pdf(
    cycle: CycleArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The PDF to write (default: keputusan-ovop-<cycle>.pdf)."),
    ] = None,
) -> None:
    """Write the cycle's decree as issued, from the records database."""

    async def read(services: Services) -> Decree | None:
        return await services.records.decree(cycle)

    decree = on_records(read)
    if decree is None:
        fail(f"keputusan penetapan siklus {cycle} belum ditetapkan", NOT_FOUND)
    path = out or Path(f"keputusan-ovop-{cycle}.pdf")
    try:
        path.write_bytes(render_decree(decree))
    except OSError as error:
        fail(f"berkas {path} tidak dapat ditulis: {error.strerror}")
    typer.echo(f"Keputusan {decree.number} ditulis ke {path}")
