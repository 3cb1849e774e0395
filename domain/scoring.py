"""The five judging criteria, the per-cycle star scale, and how jurors' scores add up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from itertools import pairwise
from statistics import fmean
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
    """Weight of each criterion in percent; the five add up to 100."""

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
