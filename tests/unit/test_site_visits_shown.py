"""Site visits where people read a nomination and a cycle's results (`site_visits`): the
Web UI's details (`current_details`), `ovop show` (`print_view`) and the results report,
where the visit is a funnel step only where some nomination went through it and its stage
is among the open ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cli.inspection import print_view
from domain.nomination import Nomination
from domain.presentation import current_details, view
from domain.scoring import Criterion
from domain.stages import Stage
from reports.html import render_html
from tests.support import NOW, VERIFIER, at_stage, visit_reported, visit_scheduled
from tests.unit.test_results import PROPOSED, VERIFIED, K, Move, Records, S, awarded, closed

VISIT_DAY = NOW.date() + timedelta(days=2)


def reported() -> Nomination:
    nom = at_stage(Stage.SITE_VISIT)
    nom.apply(visit_scheduled(VISIT_DAY), NOW)
    nom.apply(visit_reported(VERIFIER, VISIT_DAY), NOW + timedelta(days=2))
    return nom


def test_while_unscheduled_the_details_say_no_visit_is_set() -> None:
    details = current_details(at_stage(Stage.SITE_VISIT))

    assert "**Tahap:** Verifikasi Lapangan (`SITE_VISIT`)" in details
    assert "**Menunggu:** jadwal verifikasi lapangan dari operator" in details
    assert "**Verifikasi lapangan:** belum dijadwalkan oleh operator" in details


def test_once_scheduled_the_details_give_its_day_and_team_by_name() -> None:
    nom = at_stage(Stage.SITE_VISIT)
    nom.apply(visit_scheduled(VISIT_DAY), NOW)

    assert (
        "**Verifikasi lapangan:** dijadwalkan 3 April 2026, tim: Rina Marlina, Sari Wulandari, "
        in current_details(nom)
    )
    assert "**Menunggu:** laporan verifikasi lapangan dari timnya" in current_details(nom)


def test_once_reported_the_details_give_its_day_and_conclusion() -> None:
    nom = reported()
    details = current_details(nom)

    assert nom.stage == Stage.PANEL_SCORING
    assert "**Verifikasi lapangan:** dikunjungi 3 April 2026 oleh verif.rina: Sentra aktif" in (
        details
    )
    assert "dijadwalkan" not in details


def test_a_nomination_without_a_visit_says_nothing_of_one() -> None:
    nom = at_stage(Stage.PANEL_SCORING)

    assert "Verifikasi lapangan" not in current_details(nom)
    assert view(nom).site_visit is None and view(nom).visit_findings == []


def test_ovop_show_prints_the_visit_and_its_findings(capsys: pytest.CaptureFixture[str]) -> None:
    print_view(view(reported()))
    lines = capsys.readouterr().out.splitlines()

    assert any(line.startswith("Verifikasi lapangan: dikunjungi 3 April 2026") for line in lines)
    header = next(i for i, line in enumerate(lines) if line.split() == ["KRITERIA", "TEMUAN"])
    rows = lines[header + 2 : header + 2 + len(Criterion)]
    assert [row.startswith(c.label) for row, c in zip(rows, Criterion, strict=True)] == [
        True
    ] * len(Criterion)
    assert all(row.endswith("sesuai dengan usulan dan berkasnya") for row in rows)


def test_ovop_show_prints_an_unscheduled_visit(capsys: pytest.CaptureFixture[str]) -> None:
    print_view(view(at_stage(Stage.SITE_VISIT)))

    assert "Verifikasi lapangan: belum dijadwalkan oleh operator" in capsys.readouterr().out


TO_VISIT: Move = (K.ASSESSED, S.TECHNICAL_ASSESSMENT, S.SITE_VISIT, {"lab_score": 80})
VISITED: Move = (K.VISITED, S.SITE_VISIT, S.PANEL_SCORING, {"photos": 2})


def test_the_visit_is_a_step_after_the_lab_and_an_open_stage() -> None:
    records = Records()
    won = [PROPOSED, VERIFIED, TO_VISIT, VISITED, closed(82.0, 3), awarded(3)]
    records.add("juara", won, final_score=82.0, stars=3)
    records.add("menunggu-kunjungan", [PROPOSED, VERIFIED, TO_VISIT])
    records.add("menunggu-verifikasi", [PROPOSED])
    results = records.shape()
    funnel = results.funnel

    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Usulan diterima", 3),
        ("Lolos verifikasi administrasi", 2),
        ("Lolos penilaian teknis Balai Besar", 2),
        ("Diverifikasi di lapangan", 1),
        ("Sampai penetapan penghargaan", 1),
        ("Meraih penghargaan", 1),
    ]
    assert [(o.stage, o.count) for o in funnel.open] == [
        (S.ADMIN_VERIFICATION, 1),
        (S.SITE_VISIT, 1),
    ]
    page = render_html(results)
    assert "Diverifikasi di lapangan" in page and "Verifikasi Lapangan: 1" in page


def test_a_cycle_without_visits_has_no_such_step() -> None:
    records = Records()
    path = [PROPOSED, VERIFIED, (K.ASSESSED, S.TECHNICAL_ASSESSMENT, S.PANEL_SCORING, {})]
    records.add("panel", path)

    assert "Diverifikasi di lapangan" not in [s.label for s in records.shape().funnel.steps]
