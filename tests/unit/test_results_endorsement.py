"""A cycle's results where its provincial offices endorse proposals first (`endorsement`):
the endorsement is a funnel step only where some nomination waited for it, its stage is
among the open ones, and a proposal the province returned and no one corrected says so
where it ended."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from reports.html import render_html
from reports.xlsx import write_xlsx
from tests.unit.test_results import (
    RESUBMIT,
    REVISE,
    VERIFIED,
    K,
    Move,
    Records,
    S,
    assessed,
    awarded,
    closed,
    winner,
)

ASKED: Move = (K.PROPOSED, S.PROPOSED, S.PROVINCIAL_ENDORSEMENT, {})
ENDORSED: Move = (K.ENDORSED, S.PROVINCIAL_ENDORSEMENT, S.ADMIN_VERIFICATION, {"office": "x"})
RETURNED: Move = (K.RETURNED, S.PROVINCIAL_ENDORSEMENT, S.REVISION_REQUESTED, {"revision": 1})
BACK_TO_PROVINCE: Move = (K.RESUBMITTED, S.REVISION_REQUESTED, S.PROVINCIAL_ENDORSEMENT, {})
EXPIRED: Move = (K.EXPIRED, S.REVISION_REQUESTED, S.EXPIRED, {})
WITHDRAWN: Move = (K.WITHDRAWN, S.REVISION_REQUESTED, S.WITHDRAWN, {})


def endorsing_cycle() -> Records:
    """One waiting for its province, a winner, two the province returned that were never
    corrected (one expired, one withdrawn), one corrected and endorsed now with the
    ministry, and one the verifier sent back after the province had returned it once."""
    records = Records()
    records.add("menunggu-provinsi", [ASKED])
    won = [ASKED, ENDORSED, VERIFIED, assessed(80), closed(82.0, 3), awarded(3)]
    records.add("juara", won, final_score=82.0, stars=3)
    records.add("dikembalikan-kedaluwarsa", [ASKED, RETURNED, EXPIRED])
    records.add("dikembalikan-ditarik", [ASKED, RETURNED, WITHDRAWN])
    corrected = [ASKED, RETURNED, BACK_TO_PROVINCE, ENDORSED]
    records.add("diperbaiki", corrected)
    records.add("verifikator-kedaluwarsa", [*corrected, REVISE, EXPIRED])
    return records


def test_the_province_s_endorsement_is_a_step_before_verification() -> None:
    results = endorsing_cycle().shape()
    funnel = results.funnel

    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Usulan diterima", 6),
        ("Direkomendasikan dinas provinsi", 3),
        ("Lolos verifikasi administrasi", 1),
        ("Lolos penilaian teknis Balai Besar", 1),
        ("Sampai penetapan penghargaan", 1),
        ("Meraih penghargaan", 1),
    ]
    assert [(o.stage, o.count) for o in funnel.open] == [
        (S.PROVINCIAL_ENDORSEMENT, 1),
        (S.ADMIN_VERIFICATION, 1),
    ]
    assert [e.ikm_name for e in results.open_entries] == ["IKM menunggu-provinsi", "IKM diperbaiki"]
    assert funnel.revised == 4  # a return by the province is a revision asked


def test_a_proposal_the_province_returned_and_no_one_corrected_says_so_where_it_ended() -> None:
    results = endorsing_cycle().shape()
    funnel = results.funnel

    reasons = {e.stage: [(x.label, x.count) for x in e.reasons] for e in funnel.endings}
    assert sorted(reasons[S.EXPIRED]) == [
        ("dikembalikan dinas provinsi; perbaikan tidak diajukan tepat waktu", 1),
        ("perbaikan usulan tidak diajukan tepat waktu", 1),  # the verifier asked last
    ]
    assert reasons[S.WITHDRAWN] == [
        ("ditarik setelah dikembalikan dinas provinsi untuk perbaikan", 1)
    ]
    status = {e.ikm_name: e.status for e in results.entries}
    assert status["IKM dikembalikan-kedaluwarsa"].endswith(
        ": dikembalikan dinas provinsi; perbaikan tidak diajukan tepat waktu"
    )
    assert status["IKM menunggu-provinsi"] == "Masih berjalan: Rekomendasi Dinas Provinsi"


def test_the_page_and_the_spreadsheet_give_the_step_and_the_open_stage(tmp_path: Path) -> None:
    results = endorsing_cycle().shape()
    page = render_html(results)

    assert "Direkomendasikan dinas provinsi" in page
    assert "Rekomendasi Dinas Provinsi: 1" in page
    path = tmp_path / "hasil.xlsx"
    write_xlsx(results, path)
    summary = [row[:2] for row in load_workbook(path)["Ringkasan"].iter_rows(values_only=True)]
    assert ("Direkomendasikan dinas provinsi", 3) in summary


def test_a_cycle_without_endorsement_reads_as_before() -> None:
    records = Records()
    winner(records, "juara", 85.0, 80)
    path = [(K.PROPOSED, S.PROPOSED, S.ADMIN_VERIFICATION, {}), REVISE, RESUBMIT, REVISE]
    records.add("kedaluwarsa", [*path, EXPIRED])
    results = records.shape()

    assert [s.label for s in results.funnel.steps] == [
        "Usulan diterima",
        "Lolos verifikasi administrasi",
        "Lolos penilaian teknis Balai Besar",
        "Sampai penetapan penghargaan",
        "Meraih penghargaan",
    ]
    assert [x.label for x in results.funnel.endings[1].reasons] == [
        "perbaikan usulan tidak diajukan tepat waktu"
    ]
    assert "dinas provinsi" not in render_html(results)
