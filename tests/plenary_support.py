"""Nominees, plenaries and a decree the plenary's tests share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.decree import Decree, DecreeOrder, decree_number, issue_decree
from domain.examples import example_cycle_config
from domain.plenary import (
    AgreedList,
    AgreedWinner,
    JurorScores,
    LabFinding,
    Nominee,
    Ranking,
    rank_all,
)
from domain.proposal import Commodity
from domain.regions import Province
from domain.scoring import Criterion, explain
from domain.stages import Role
from tests.support import OFFICIAL

CHAIR = Actor(user_id="juri.ani", role=Role.JUROR, institution="Tim Seleksi OVOP")
# Panels score as the 2024 defaults do: no down-weighting at the panel.
CONFIG = example_cycle_config(
    "2026",
    panel={"size": 3, "quorum": 2, "lab_weight": 0.2},
    plenary={"chairs": ["juri.ani"]},
)
ISSUED_AT = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # 10.00 WIB
NUMBER = decree_number("2026", 1)


def nominee(
    nomination_id: str,
    totals: Sequence[float],
    lab: float = 80,
    commodity: Commodity = Commodity.KAIN_BATIK,
    config: CycleConfig = CONFIG,
    product: str | None = None,
    place: tuple[str, str] = ("Kota Pekalongan", "Jawa Tengah"),
) -> Nominee:
    """A nominee whose jurors give every criterion the same score (so each total is that
    score), with the final score and stars its panel would have reached."""
    rules = config.panel
    sheets = {f"juri.{i}": dict.fromkeys(Criterion, t) for i, t in enumerate(totals, start=1)}
    result = explain(
        sheets,
        config.weights,
        lab,
        rules.lab_weight,
        config.star_scale,
        rules.outlier_points,
        rules.outlier_weight,
    )
    return Nominee(
        nomination_id=nomination_id,
        commodity=commodity,
        product_name=product or f"Produk {nomination_id}",
        ikm_name=f"IKM {product or nomination_id}",
        regency=place[0],
        province=Province(place[1]),
        jurors=[JurorScores(juror_id=j, scores=s) for j, s in sheets.items()],
        weights=config.weights,
        lab=LabFinding(report_number="LHU-0042", score=lab, conforms=True, summary="sesuai SNI"),
        lab_weight=rules.lab_weight,
        final_score=result.final_score,
        recommended_stars=result.stars,
    )


def as_recommended(ranking: Ranking, actor: Actor = CHAIR) -> AgreedList:
    """The list that takes every recommendation as it stands."""
    return AgreedList(
        actor=actor,
        cycle=ranking.cycle,
        commodity=ranking.commodity,
        winners=[
            AgreedWinner(nomination_id=e.nominee.nomination_id, stars=e.nominee.recommended_stars)
            for e in ranking.entries
            if e.nominee.recommended_stars
        ],
    )


# Per commodity: its nominees (id, product, panel totals, lab score) and where they come
# from; the last nominee of each is not recommended.
SAMPLE = {
    Commodity.MAKANAN_MINUMAN: (
        ("Kabupaten Banyumas", "Jawa Tengah"),
        [
            ("keripik-tempe", "Keripik Tempe Sagu", [88, 86, 90], 85),
            ("sambal-roa", "Sambal Roa Asap", [50, 55, 52], 60),
        ],
    ),
    Commodity.KAIN_TENUN: (
        ("Kabupaten Sumba Timur", "Nusa Tenggara Timur"),
        [
            ("tenun-ikat", "Tenun Ikat Hinggi Kombu", [82, 80, 84], 80),
            ("songket", "Songket Benang Emas", [58, 55, 57], 50),
        ],
    ),
    Commodity.KAIN_BATIK: (
        ("Kota Pekalongan", "Jawa Tengah"),
        [
            ("batik-jlamprang", "Batik Tulis Jlamprang", [78, 76, 80], 75),
            ("batik-gentongan", "Batik Gentongan Tanjungbumi", [72, 70, 71], 70),
            ("batik-lasem", "Batik Tulis Lasem Tiga Negeri", [45, 50, 48], 55),
        ],
    ),
    Commodity.ANYAMAN: (
        ("Kabupaten Tasikmalaya", "Jawa Barat"),
        [
            ("anyaman-pandan", "Tas Anyaman Pandan Rajapolah", [66, 64, 68], 65),
            ("anyaman-rotan", "Keranjang Rotan Cirebonan", [40, 42, 44], 45),
        ],
    ),
    Commodity.GERABAH: (
        ("Kabupaten Bantul", "DI Yogyakarta"),
        [
            ("gerabah-kasongan", "Guci Gerabah Kasongan", [90, 92, 91], 95),
            ("gerabah-plered", "Kendi Gerabah Plered", [55, 50, 52], 50),
        ],
    ),
}


def sample_rankings() -> dict[Commodity, Ranking]:
    nominees = [
        nominee(f"ovop-2026-{name}", totals, lab, commodity, product=product, place=place)
        for commodity, (place, rows) in SAMPLE.items()
        for name, product, totals, lab in rows
    ]
    return rank_all(nominees, CONFIG)


def sample_decree() -> tuple[dict[Commodity, Ranking], dict[Commodity, AgreedList], Decree]:
    """A decree over the five commodities: every recommendation taken, except batik, where
    the plenary raised Batik Gentongan a star and added Batik Lasem."""
    rankings = sample_rankings()
    agreed = {c: as_recommended(r) for c, r in rankings.items()}
    batik = agreed[Commodity.KAIN_BATIK]
    agreed[Commodity.KAIN_BATIK] = batik.model_copy(
        update={
            "winners": [
                batik.winners[0],
                AgreedWinner(
                    nomination_id="ovop-2026-batik-gentongan",
                    stars=3,
                    reason="motif dan pewarnaan alam dinilai setara peringkat pertama",
                ),
                AgreedWinner(
                    nomination_id="ovop-2026-batik-lasem",
                    stars=1,
                    reason="sidang pleno menilai ulang keaslian motif Lasem",
                ),
            ]
        }
    )
    decree = issue_decree(rankings, agreed, DecreeOrder(actor=OFFICIAL), CONFIG, NUMBER, ISSUED_AT)
    return rankings, agreed, decree
