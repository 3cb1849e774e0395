"""The five judging criteria, the per-cycle star scale, and how jurors' scores add up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from itertools import pairwise
from statistics import fmean, median
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.proposal import Model

Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class Criterion(StrEnum):
    LOCAL_RESOURCES = "local_resources"
    CULTURE_AUTHENTICITY = "culture_authenticity"
    QUALITY_PRESENTATION = "quality_presentation"
    MARKET_POTENTIAL = "market_potential"
    SUSTAINABLE_PRODUCTION = "sustainable_production"

    @property
    def label(self) -> str:
        return _CRITERION_LABELS[self]


_CRITERION_LABELS = {
    Criterion.LOCAL_RESOURCES: "Pemanfaatan sumber daya lokal",
    Criterion.CULTURE_AUTHENTICITY: "Kekhasan budaya dan keaslian lokal",
    Criterion.QUALITY_PRESENTATION: "Mutu dan penampilan produk",
    Criterion.MARKET_POTENTIAL: "Potensi pasar domestik dan ekspor",
    Criterion.SUSTAINABLE_PRODUCTION: "Produksi kontinu dan berkesinambungan",
}


class CriteriaWeights(Model):
    """Weight of each criterion in percent; the five add up to 100. The defaults are an
    example, not a program rule: each cycle sets its own."""

    local_resources: float = Field(20, ge=0, le=100)
    culture_authenticity: float = Field(20, ge=0, le=100)
    quality_presentation: float = Field(25, ge=0, le=100)
    market_potential: float = Field(20, ge=0, le=100)
    sustainable_production: float = Field(15, ge=0, le=100)

    @model_validator(mode="after")
    def _sum_to_100(self) -> Self:
        total = sum(self.of(c) for c in Criterion)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"bobot kelima kriteria harus berjumlah 100, bukan {total:g}")
        return self

    def of(self, criterion: Criterion) -> float:
        return float(getattr(self, criterion.value))


class StarLevel(Model):
    stars: int = Field(ge=1, le=10)
    min_score: Score


class StarScale(Model):
    """The stars a cycle awards and the final score each needs; below the lowest, no award."""

    levels: list[StarLevel] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        stars = [level.stars for level in self.levels]
        if stars != list(range(1, len(stars) + 1)):
            raise ValueError("tingkat bintang harus berurutan mulai dari 1 (1, 2, 3, ...)")
        scores = [level.min_score for level in self.levels]
        if any(b <= a for a, b in pairwise(scores)):
            raise ValueError("nilai minimum setiap tingkat bintang harus naik")
        return self

    @property
    def max_stars(self) -> int:
        return len(self.levels)

    def stars_for(self, score: float) -> int:
        """The stars this final score earns; 0 means no award."""
        return max((lv.stars for lv in self.levels if score >= lv.min_score), default=0)

    def next_level(self, score: float) -> StarLevel | None:
        """The next star level above this score, if any."""
        return next((lv for lv in self.levels if score < lv.min_score), None)


# The 2024 selection team recommended 1, 2 or 3 stars; 2013-2018 used 1 to 5 stars.
# The score thresholds are an assumption: the article gives the scales, not the cut-offs.
SCALE_2024 = StarScale(
    levels=[
        StarLevel(stars=1, min_score=60),
        StarLevel(stars=2, min_score=70),
        StarLevel(stars=3, min_score=80),
    ]
)
SCALE_2013 = StarScale(
    levels=[
        StarLevel(stars=1, min_score=50),
        StarLevel(stars=2, min_score=60),
        StarLevel(stars=3, min_score=70),
        StarLevel(stars=4, min_score=80),
        StarLevel(stars=5, min_score=90),
    ]
)


class CoachingLevel(StrEnum):
    """Who coaches an award winner next, by its stars (historically: the central government
    for 4-5 stars, the province for 3, the regency or city for 1-2)."""

    CENTRAL = "pusat"
    PROVINCE = "provinsi"
    REGENCY = "kabupaten_kota"

    @property
    def label(self) -> str:
        return {
            CoachingLevel.CENTRAL: "Pemerintah Pusat (Kementerian Perindustrian)",
            CoachingLevel.PROVINCE: "Pemerintah Provinsi",
            CoachingLevel.REGENCY: "Pemerintah Kabupaten/Kota",
        }[self]


def default_coaching(max_stars: int) -> dict[int, CoachingLevel]:
    """The historical split scaled to the cycle's stars: above 70% of the scale to the
    centre, above half to the province, the rest to the regency or city (1-5 stars: 4-5,
    3, 1-2; 1-3 stars: 3, 2, 1)."""
    levels = {}
    for stars in range(1, max_stars + 1):
        share = stars / max_stars
        levels[stars] = (
            CoachingLevel.CENTRAL
            if share > 0.7
            else CoachingLevel.PROVINCE
            if share > 0.5
            else CoachingLevel.REGENCY
        )
    return levels


def juror_total(scores: Mapping[Criterion, float], weights: CriteriaWeights) -> float:
    """One juror's weighted score, 0 to 100."""
    return sum(scores[c] * weights.of(c) for c in Criterion) / 100


def panel_score(totals: Sequence[float]) -> float:
    """The panel's score: the mean of the jurors' weighted scores."""
    if not totals:
        raise ValueError("panel score needs at least one juror")
    return fmean(totals)


def final_score(panel: float, lab: float, lab_weight: float) -> float:
    """Panel and lab scores combined by the cycle's lab weight, to two decimals."""
    return round((1 - lab_weight) * panel + lab_weight * lab, 2)


class JurorLine(Model):
    """One juror's part in a final score."""

    juror_id: str
    scores: dict[Criterion, float]
    total: float  # the weighted score, to two decimals
    deviation: float  # how far the total is from the panel's median
    weight: float  # 1, or the cycle's outlier weight
    outlier: bool


class ScoreExplanation(Model):
    """How a final score was reached, with everything needed to recompute it.

    Each juror's total is the weighted sum of their five scores (weights in percent). A
    juror whose total lies more than `outlier_points` from the panel's median (with at
    least three jurors) counts with `outlier_weight` instead of 1: a score far from the
    rest weighs less but is never silently dropped (a weight of 0 drops it). The panel
    score is the weighted mean of the totals; the final score mixes it with the lab's
    technical score by `lab_weight`, to two decimals.
    """

    weights: CriteriaWeights
    jurors: list[JurorLine]
    median: float
    outlier_points: float | None
    outlier_weight: float
    panel_score: float
    lab_score: float
    lab_weight: float
    final_score: float
    stars: int
    scale: StarScale
    next_level: StarLevel | None
    points_to_next_level: float | None

    def recompute(self) -> float:
        """The final score again, from the raw scores, weights and rules written here."""
        totals = [
            (
                round(sum(line.scores[c] * self.weights.of(c) for c in Criterion) / 100, 2),
                line.weight,
            )
            for line in self.jurors
        ]
        weight = sum(w for _, w in totals)
        panel = sum(t * w for t, w in totals) / weight
        return round((1 - self.lab_weight) * panel + self.lab_weight * self.lab_score, 2)


def explain(
    sheets: Mapping[str, Mapping[Criterion, float]],
    weights: CriteriaWeights,
    lab_score: float,
    lab_weight: float,
    scale: StarScale,
    outlier_points: float | None = None,
    outlier_weight: float = 0.5,
) -> ScoreExplanation:
    """The final score of a panel, and why."""
    if not sheets:
        raise ValueError("a final score needs at least one juror")
    totals = {j: round(juror_total(s, weights), 2) for j, s in sheets.items()}
    middle = median(totals.values())
    lines = []
    for juror, total in totals.items():
        deviation = round(abs(total - middle), 2)
        outlier = outlier_points is not None and len(totals) >= 3 and deviation > outlier_points
        lines.append(
            JurorLine(
                juror_id=juror,
                scores=dict(sheets[juror]),
                total=total,
                deviation=deviation,
                weight=outlier_weight if outlier else 1.0,
                outlier=outlier,
            )
        )
    weight = sum(line.weight for line in lines)
    if weight == 0:  # every juror an outlier with weight 0: fall back to all of them
        lines = [line.model_copy(update={"weight": 1.0, "outlier": False}) for line in lines]
        weight = len(lines)
    panel = sum(line.total * line.weight for line in lines) / weight
    final = final_score(panel, lab_score, lab_weight)
    stars = scale.stars_for(final)
    upcoming = scale.next_level(final)
    return ScoreExplanation(
        weights=weights,
        jurors=lines,
        median=round(middle, 2),
        outlier_points=outlier_points,
        outlier_weight=outlier_weight,
        panel_score=round(panel, 4),
        lab_score=lab_score,
        lab_weight=lab_weight,
        final_score=final,
        stars=stars,
        scale=scale,
        next_level=upcoming,
        points_to_next_level=round(upcoming.min_score - final, 2) if upcoming else None,
    )
