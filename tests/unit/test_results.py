"""Shaping a cycle's results from recorded rows: counted once, ranked fairly, final or not.

Rows are written here by hand, as the records database returns them, so each rule is
seen on its own; `tests/reports/` runs a whole cycle through the real rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from domain.events import EventKind
from domain.stages import Stage
from records import NominationRow, TransitionRow
from reports.html import render_html
from reports.results import shape
from reports.xlsx import write_xlsx

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
S = Stage
K = EventKind
Move = tuple[EventKind, Stage, Stage, dict[str, Any]]


class Records:
    """Nominations and their transitions, as the two tables hold them."""

    def __init__(self) -> None:
        self.rows: list[NominationRow] = []
        self.events: list[TransitionRow] = []

    def add(
        self,
        name: str,
        path: list[Move],
        *,
        cycle: str = "2026",
        commodity: str = "kain_batik",
        final_score: float | None = None,
        stars: int | None = None,
    ) -> None:
        nomination_id = f"ovop-{cycle}-{name}"
        for seq, (kind, from_stage, to_stage, facts) in enumerate(path, start=1):
            self.events.append(
                TransitionRow(
                    id=len(self.events) + 1,
                    nomination_id=nomination_id,
                    seq=seq,
                    kind=kind.value,
                    from_stage=from_stage.value,
                    to_stage=to_stage.value,
                    at=T0 + timedelta(days=seq),
                    actor_user_id="system",
                    actor_role="system",
                    actor_institution="OVOP",
                    reason=f"alasan {kind.value}",
                    facts=facts,
                    recorded_at=T0 + timedelta(days=seq),
                )
            )
        stage = path[-1][2]
        self.rows.append(
            NominationRow(
                id=nomination_id,
                cycle=cycle,
                ikm_name=f"IKM {name}",
                product_name=f"Produk {name}",
                commodity=commodity,
                province="Jawa Tengah",
                regency="Kota Pekalongan",
                lab="BBSPJI_KERAJINAN_BATIK",
                stage=stage.value,
                deadline=None if stage.is_terminal else T0 + timedelta(days=10),
                final_score=final_score,
                stars=stars,
                certificate_number="0001/OVOP/IKMA/2026" if stage == S.AWARDED else None,
                coaching_level="pusat" if stage == S.AWARDED else None,
                previous_certificate=None,
                last_seq=len(path),
                created_at=T0,
                updated_at=T0 + timedelta(days=len(path)),
            )
        )

    def shape(self, **kwargs: Any) -> Any:
        return shape("2026", self.rows, self.events, NOW, **kwargs)


PROPOSED: Move = (K.PROPOSED, S.PROPOSED, S.ADMIN_VERIFICATION, {})
VERIFIED: Move = (K.VERIFIED, S.ADMIN_VERIFICATION, S.TECHNICAL_ASSESSMENT, {})
REVISE: Move = (K.REVISION_REQUESTED, S.ADMIN_VERIFICATION, S.REVISION_REQUESTED, {})
RESUBMIT: Move = (K.RESUBMITTED, S.REVISION_REQUESTED, S.ADMIN_VERIFICATION, {})


def assessed(lab: float) -> Move:
    return (K.ASSESSED, S.TECHNICAL_ASSESSMENT, S.PANEL_SCORING, {"lab_score": lab})


def closed(final: float, stars: int) -> Move:
    to = S.AWARD_DECISION if stars else S.NOT_AWARDED
    return (
        K.PANEL_CLOSED,
        S.PANEL_SCORING,
        to,
        {"final_score": final, "recommended_stars": stars},
    )


def awarded(stars: int) -> Move:
    return (K.AWARDED, S.AWARD_DECISION, S.AWARDED, {"stars": stars, "overridden": False})


def winner(records: Records, name: str, final: float, lab: float, stars: int = 2) -> None:
    path = [PROPOSED, VERIFIED, assessed(lab), closed(final, stars), awarded(stars)]
    records.add(name, path, final_score=final, stars=stars)


def test_a_nomination_sent_back_twice_counts_once_at_every_stage() -> None:
    records = Records()
    path = [PROPOSED, REVISE, RESUBMIT, REVISE, RESUBMIT, VERIFIED, assessed(80)]
    records.add("bolak-balik", path)

    funnel = records.shape().funnel

    assert [s.count for s in funnel.steps] == [1, 1, 1, 0, 0]
    assert funnel.revised == 1
    assert [(o.stage, o.count) for o in funnel.open] == [(S.PANEL_SCORING, 1)]


def test_equal_final_scores_are_told_apart_by_the_lab_score_then_share_a_rank() -> None:
    records = Records()
    winner(records, "a-lab70", 80.0, 70)
    winner(records, "c-lab75", 80.0, 75)
    winner(records, "b-lab75", 80.0, 75)
    winner(records, "d-top", 90.0, 60, stars=3)

    ranking = records.shape().rankings[2]  # kain_batik, in the order of Commodity

    assert [(r.rank, r.shared, r.entry.ikm_name) for r in ranking.ranked] == [
        (1, False, "IKM d-top"),
        (2, True, "IKM b-lab75"),
        (2, True, "IKM c-lab75"),
        (4, False, "IKM a-lab70"),
    ]


def test_only_nominations_still_in_the_running_with_a_final_score_are_ranked() -> None:
    records = Records()
    winner(records, "juara", 85.0, 80, stars=3)
    below = [PROPOSED, VERIFIED, assessed(60), closed(55.0, 0)]
    records.add("di-bawah-batas", below, final_score=55.0)
    waiting = [PROPOSED, VERIFIED, assessed(80), closed(81.0, 3)]
    records.add("menunggu", waiting, final_score=81.0)
    gone = [*waiting, (K.WITHDRAWN, S.AWARD_DECISION, S.WITHDRAWN, {})]
    records.add("ditarik", gone, final_score=88.0)
    failed = [PROPOSED, VERIFIED, (K.ASSESSED, S.TECHNICAL_ASSESSMENT, S.NOT_AWARDED, {})]
    records.add("gagal-uji", failed)

    results = records.shape()
    ranked = results.rankings[2].ranked

    assert [(r.entry.ikm_name, r.provisional) for r in ranked] == [
        ("IKM juara", False),
        ("IKM menunggu", True),
        ("IKM di-bawah-batas", False),
    ]
    assert results.funnel.ended(S.WITHDRAWN) == 1
    assert [(x.label, x.count) for e in results.funnel.endings for x in e.reasons] == [
        ("ditarik pada tahap Penetapan Penghargaan", 1),
        ("nilai akhir di bawah batas bintang terendah", 1),
        ("tidak memenuhi standar uji Balai Besar", 1),
    ]
    assert results.provisional  # "menunggu" awaits the award decision


def test_other_cycles_are_left_out_and_a_closed_cycle_is_final() -> None:
    records = Records()
    winner(records, "2026", 75.0, 70)
    records.add("lama", [PROPOSED, VERIFIED], cycle="2024")

    results = records.shape(max_stars=5)

    assert [e.ikm_name for e in results.entries] == ["IKM 2026"]
    assert not results.provisional
    assert results.star_levels == [1, 2, 3, 4, 5]  # the whole scale, though only 2 was given
    assert results.by_commodity[2].stars == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}
    page = render_html(results)
    assert "HASIL AKHIR" in page
    assert "HASIL SEMENTARA" not in page
    assert "Usulan yang masih berjalan" not in page


# --- a cycle that takes samples (`lab_testing`) ----------------------------------------

TO_SAMPLE: Move = (K.VERIFIED, S.ADMIN_VERIFICATION, S.SAMPLE_AWAITED, {"sample": "3 buah"})
RECEIVED: Move = (
    K.SAMPLE_RECEIVED,
    S.SAMPLE_AWAITED,
    S.TECHNICAL_ASSESSMENT,
    {"received_on": "2026-03-10", "condition": "baik", "received_by": "Petugas Sampel"},
)
ADVISED_AGAINST: Move = (
    K.ASSESSED,
    S.TECHNICAL_ASSESSMENT,
    S.PANEL_SCORING,
    {"report_number": "LHU/7", "lab_score": 45, "conforms": False},
)


def sampled_cycle() -> Records:
    """Two awaiting or under test, a winner, and three the lab advised against: one awarded
    despite it, one given no star by the official, one awaiting the official."""
    records = Records()
    records.add("menunggu-sampel", [PROPOSED, TO_SAMPLE])
    records.add("diuji", [PROPOSED, TO_SAMPLE, RECEIVED])
    won = [PROPOSED, TO_SAMPLE, RECEIVED, assessed(80), closed(82.0, 3), awarded(3)]
    records.add("juara", won, final_score=82.0, stars=3)
    against = [PROPOSED, TO_SAMPLE, RECEIVED, ADVISED_AGAINST, closed(70.0, 2)]
    records.add("tetap-diberi", [*against, awarded(2)], final_score=70.0, stars=2)
    refused = (K.NOT_AWARDED, S.AWARD_DECISION, S.NOT_AWARDED, {"overridden": True})
    records.add("tanpa-bintang", [*against, refused], final_score=69.0)
    records.add("menunggu-pejabat", against, final_score=68.0)
    return records


def test_passing_verification_is_reaching_the_sample_and_its_receipt_is_a_step() -> None:
    results = sampled_cycle().shape()
    funnel = results.funnel

    assert [(s.label, s.count) for s in funnel.steps] == [
        ("Usulan diterima", 6),
        ("Lolos verifikasi administrasi", 6),
        ("Sampel diterima Balai Besar", 5),
        ("Sampai penilaian Tim Seleksi", 4),  # three only went past the lab's advice
        ("Sampai penetapan penghargaan", 4),
        ("Meraih penghargaan", 2),
    ]
    assert funnel.advised_against == 3
    assert [(o.stage, o.count) for o in funnel.open] == [
        (S.SAMPLE_AWAITED, 1),
        (S.TECHNICAL_ASSESSMENT, 1),
        (S.AWARD_DECISION, 1),
    ]
    assert [e.ikm_name for e in results.open_entries][:2] == ["IKM menunggu-sampel", "IKM diuji"]
    batik = results.by_commodity[2]
    assert (batik.verified, batik.assessed) == (6, 1)  # passed the lab: only the winner


def test_a_cycle_without_samples_has_no_sample_step() -> None:
    records = Records()
    winner(records, "juara", 85.0, 80)

    funnel = records.shape().funnel

    assert [s.label for s in funnel.steps] == [
        "Usulan diterima",
        "Lolos verifikasi administrasi",
        "Lolos penilaian teknis Balai Besar",
        "Sampai penetapan penghargaan",
        "Meraih penghargaan",
    ]
    assert funnel.advised_against == 0


def test_each_ranked_product_the_lab_advised_against_shows_what_the_official_decided() -> None:
    results = sampled_cycle().shape()
    advice = {r.entry.ikm_name: r.entry.lab_advice for r in results.rankings[2].ranked}

    said = "Balai Besar merekomendasikan tidak memenuhi standar (laporan LHU/7)"
    assert advice == {
        "IKM juara": None,
        "IKM tetap-diberi": f"{said}; pejabat penetap tetap memberi 2 bintang dengan alasan: "
        "alasan awarded",
        "IKM tanpa-bintang": f"{said}; pejabat penetap menetapkan tanpa bintang: "
        "alasan not_awarded",
        "IKM menunggu-pejabat": f"{said}; menunggu keputusan pejabat penetap",
    }
    page = render_html(results)
    assert page.count('<span class="tag">rekomendasi Balai Besar</span>') == 3
    assert "3 usulan dinilai Tim Seleksi meskipun Balai Besar merekomendasikan" in page
    assert "Sampel diterima Balai Besar" in page


def test_the_spreadsheet_gives_the_lab_s_advice_beside_each_ranked_product(tmp_path: Path) -> None:
    path = tmp_path / "hasil.xlsx"
    write_xlsx(sampled_cycle().shape(), path)
    book = load_workbook(path)

    for sheet in ("Peringkat per Komoditas", "Data Lengkap"):
        rows = list(book[sheet].iter_rows(values_only=True))
        column = rows[0].index("Rekomendasi Balai Besar")
        advice = {row[column] for row in rows[1:]} - {None}
        assert len(advice) == 3, sheet
        assert all(str(a).startswith("Balai Besar merekomendasikan") for a in advice)
    summary = [row[:2] for row in book["Ringkasan"].iter_rows(values_only=True)]
    assert ("Sampel diterima Balai Besar", 5) in summary
