"""The Tim Seleksi's plenary per commodity, and the cycle's one decree.

Once a commodity's panels have closed, `rank` lays its nominees side by side: each juror's
scores, the lab's finding, ties and outliers flagged. The chair of the Tim Seleksi records
the list the plenary agreed (`AgreedList`, checked by `check_agreed_list`): any change to a
recommendation carries its reason. Once every commodity with nominees has its agreed list,
an official issues the cycle's decree (`issue_decree`), which names exactly the agreed
winners, with their stars and coaching level.

Pure: no clock, no I/O, no randomness; the caller passes the moment and the number in.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import Field

from domain.access import require_plenary_recorder
from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.errors import Problem, Refused
from domain.nomination import Nomination
from domain.proposal import Commodity, Cycle, LongText, Model, Text
from domain.regions import Province
from domain.scoring import CoachingLevel, CriteriaWeights, Criterion, JurorLine, Score, explain

SHOWN_DECIMALS = 2  # scores are shown, and compared for ties, to two decimals


def as_shown(score: float) -> float:
    """A score to the precision the plenary shows; two scores equal at it are tied."""
    return round(score, SHOWN_DECIMALS)


def shown(score: float) -> str:
    """`84.4` -> `84,40`, as the plenary shows it."""
    return f"{as_shown(score):.{SHOWN_DECIMALS}f}".replace(".", ",")


# --- the nominees ------------------------------------------------------------------------


class JurorScores(Model):
    """One juror's five scores for a nominee."""

    juror_id: Text
    scores: dict[Criterion, Score]


class LabFinding(Model):
    """The Balai Besar lab's technical assessment of the nominee's samples."""

    report_number: str
    score: float
    conforms: bool
    summary: str


class Nominee(Model):
    """A nomination whose panel has closed, as its commodity's plenary sees it.

    `weights` and `lab_weight` are those the nomination was scored under (its own version
    of the cycle's configuration), so the plenary recomputes exactly what the panel did.
    """

    nomination_id: Text
    commodity: Commodity
    product_name: str
    ikm_name: str
    regency: str
    province: Province
    jurors: list[JurorScores] = Field(min_length=1)
    weights: CriteriaWeights
    lab: LabFinding
    lab_weight: float
    final_score: float
    recommended_stars: int


def nominee_of(nom: Nomination) -> Nominee:
    """The plenary's view of a nomination whose panel has closed (`ValueError` otherwise)."""
    if nom.result is None or nom.findings is None:
        raise ValueError(f"{nom.id} has no closed panel")
    p, f = nom.proposal, nom.findings
    return Nominee(
        nomination_id=nom.id,
        commodity=p.product.commodity,
        product_name=p.product.name,
        ikm_name=p.ikm.name,
        regency=p.sentra.regency,
        province=p.sentra.province,
        jurors=[
            JurorScores(juror_id=juror, scores=nom.scores[juror].sheet.scores)
            for juror in nom.result.juror_totals
        ],
        weights=nom.config.weights,
        lab=LabFinding(
            report_number=f.report_number, score=f.score, conforms=f.conforms, summary=f.summary
        ),
        lab_weight=nom.result.lab_weight,
        final_score=nom.result.final_score,
        recommended_stars=nom.result.recommended_stars,
    )


# --- the ranking -------------------------------------------------------------------------


class RankedNominee(Model):
    """A nominee in its place: each juror's scores and total, how far each total lies from
    the panel's median and whether that makes the juror an outlier, and the nominees it
    ties with."""

    position: int
    nominee: Nominee
    jurors: list[JurorLine]
    median: float
    tied_with: list[str]
    # Only where the cycle sets `plenary.down_weight_outliers`: the final score with its
    # outliers counted at `panel.outlier_weight`, and the stars that score would earn.
    recomputed_score: float | None = None
    recomputed_stars: int | None = None

    @property
    def tied(self) -> bool:
        return bool(self.tied_with)

    @property
    def outliers(self) -> list[str]:
        return [line.juror_id for line in self.jurors if line.outlier]


class Ranking(Model):
    """A commodity's nominees in the order of the plenary (see `rank`)."""

    cycle: str
    commodity: Commodity
    max_stars: int
    outlier_points: float
    down_weighted: bool
    entries: list[RankedNominee]

    def entry(self, nomination_id: str) -> RankedNominee | None:
        return next((e for e in self.entries if e.nominee.nomination_id == nomination_id), None)


def _order(n: Nominee) -> tuple[float, float, str]:
    return (-as_shown(n.final_score), -n.lab.score, n.nomination_id)


def rank(commodity: Commodity, nominees: Iterable[Nominee], config: CycleConfig) -> Ranking:
    """The nominees of `commodity` ranked for its plenary.

    Order: final score, highest first (to the shown two decimals); on equal final scores,
    the lab's technical score, highest first; then the nomination id, only so that the
    order is stable. Nominees with equal final scores are flagged as tied whatever the
    order: the plenary settles them.

    An outlier is a juror whose weighted total lies more than `plenary.outlier_points`
    from the median of that nominee's panel, with at least three jurors (with two, both
    lie equally far from their midpoint): the rule of `domain.scoring.explain`. Outliers
    are only flagged, unless the cycle sets `plenary.down_weight_outliers`: then each
    entry also shows the score recomputed with them at `panel.outlier_weight`.
    """
    nominees = list(nominees)
    strays = [n.nomination_id for n in nominees if n.commodity != commodity]
    if strays:
        raise ValueError(f"not nominees of {commodity.value}: {strays}")
    ids = [n.nomination_id for n in nominees]
    if len(ids) != len(set(ids)):
        raise ValueError(f"a nominee appears twice among {ids}")
    rules = config.plenary
    ordered = sorted(nominees, key=_order)
    entries = []
    for position, nominee in enumerate(ordered, start=1):
        explanation = explain(
            {j.juror_id: j.scores for j in nominee.jurors},
            nominee.weights,
            nominee.lab.score,
            nominee.lab_weight,
            config.star_scale,
            outlier_points=rules.outlier_points,
            outlier_weight=config.panel.outlier_weight if rules.down_weight_outliers else 1.0,
        )
        entries.append(
            RankedNominee(
                position=position,
                nominee=nominee,
                jurors=explanation.jurors,
                median=explanation.median,
                tied_with=[
                    other.nomination_id
                    for other in ordered
                    if other is not nominee
                    and as_shown(other.final_score) == as_shown(nominee.final_score)
                ],
                recomputed_score=explanation.final_score if rules.down_weight_outliers else None,
                recomputed_stars=explanation.stars if rules.down_weight_outliers else None,
            )
        )
    return Ranking(
        cycle=config.cycle,
        commodity=commodity,
        max_stars=config.star_scale.max_stars,
        outlier_points=rules.outlier_points,
        down_weighted=rules.down_weight_outliers,
        entries=entries,
    )


def rank_all(nominees: Iterable[Nominee], config: CycleConfig) -> dict[Commodity, Ranking]:
    """A ranking for every commodity that has nominees, in the order of `Commodity`."""
    nominees = list(nominees)
    return {
        commodity: rank(commodity, [n for n in nominees if n.commodity == commodity], config)
        for commodity in Commodity
        if any(n.commodity == commodity for n in nominees)
    }


# --- the agreed list ---------------------------------------------------------------------


class AgreedWinner(Model):
    """A winner as the plenary agreed: its stars, and why, where they differ from the
    recommendation or the nominee was not recommended at all."""

    nomination_id: Text
    stars: int = Field(ge=1, le=10)
    reason: LongText | None = None


class DroppedNominee(Model):
    """A recommended nominee the plenary did not retain, and why."""

    nomination_id: Text
    reason: LongText


class AgreedList(Model):
    """What the Tim Seleksi agreed in a commodity's plenary, as its chair (or an operator on
    the chair's behalf) records it: the winners with their stars, and the recommended
    nominees left out."""

    actor: Actor
    cycle: Cycle
    commodity: Commodity
    winners: list[AgreedWinner] = Field(max_length=1000)
    dropped: list[DroppedNominee] = Field(default_factory=list, max_length=1000)
    minutes: LongText | None = None  # the plenary's record (berita acara), if any


class Change(StrEnum):
    """How an agreed winner stands against the recommendation."""

    AS_RECOMMENDED = "sesuai_rekomendasi"
    STARS_CHANGED = "bintang_diubah"
    ADDED = "ditambahkan"


class Winner(Model):
    """An agreed winner as the decree names it."""

    nomination_id: str
    commodity: Commodity
    product_name: str
    ikm_name: str
    regency: str
    province: Province
    stars: int
    coaching_level: CoachingLevel
    final_score: float
    recommended_stars: int
    reason: str | None = None

    @property
    def change(self) -> Change:
        if self.recommended_stars == 0:
            return Change.ADDED
        if self.stars != self.recommended_stars:
            return Change.STARS_CHANGED
        return Change.AS_RECOMMENDED


def check_agreed_list(ranking: Ranking, agreed: AgreedList, config: CycleConfig) -> None:
    """Raise `Refused`, naming every field at fault, unless `agreed` may stand as the
    plenary's list for `ranking`: recorded by the chair or an operator; every winner a
    nominee of the plenary, once, with stars on the cycle's scale; a reason for every
    change from the recommendation (other stars, a nominee added, a recommended one left
    out), and for every winner the lab found not to conform."""
    require_plenary_recorder(agreed.actor, config)
    problems: list[Problem] = []
    if agreed.cycle != ranking.cycle:
        problems.append(Problem("cycle", f"sidang pleno ini untuk siklus {ranking.cycle}"))
    if agreed.commodity != ranking.commodity:
        problems.append(
            Problem("commodity", f"sidang pleno ini untuk komoditas {ranking.commodity.label}")
        )
    problems += _winner_problems(ranking, agreed)
    problems += _dropped_problems(ranking, agreed)
    if problems:
        raise Refused(problems)


def _not_in_plenary(ranking: Ranking, nomination_id: str) -> str:
    return (
        f"{nomination_id} bukan peserta sidang pleno komoditas {ranking.commodity.label} "
        f"siklus {ranking.cycle}"
    )


def _winner_problems(ranking: Ranking, agreed: AgreedList) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, winner in enumerate(agreed.winners):
        at = f"winners.{i}"
        entry = ranking.entry(winner.nomination_id)
        if entry is None:
            problems.append(
                Problem(f"{at}.nomination_id", _not_in_plenary(ranking, winner.nomination_id))
            )
            continue
        if winner.nomination_id in seen:
            problems.append(
                Problem(
                    f"{at}.nomination_id", f"{winner.nomination_id} tercantum lebih dari sekali"
                )
            )
        seen.add(winner.nomination_id)
        if winner.stars > ranking.max_stars:
            problems.append(
                Problem(
                    f"{at}.stars",
                    f"skala siklus {ranking.cycle} adalah 1 sampai {ranking.max_stars} bintang",
                )
            )
        nominee = entry.nominee
        if winner.reason is None and winner.stars != nominee.recommended_stars:
            why = (
                f"{nominee.product_name} tidak direkomendasikan Tim Seleksi "
                f"(nilai akhir {shown(nominee.final_score)})"
                if nominee.recommended_stars == 0
                else f"{winner.stars} bintang berbeda dari rekomendasi "
                f"{nominee.recommended_stars} bintang"
            )
            problems.append(Problem(f"{at}.reason", f"alasan wajib diisi: {why}"))
        elif winner.reason is None and not nominee.lab.conforms:
            # The lab's recommendation against it (`lab_testing`): the plenary may still
            # award it, as the official may, but says why.
            problems.append(
                Problem(
                    f"{at}.reason",
                    f"alasan wajib diisi: Balai Besar menyatakan {nominee.product_name} tidak "
                    f"memenuhi standar (laporan {nominee.lab.report_number})",
                )
            )
    return problems


def _dropped_problems(ranking: Ranking, agreed: AgreedList) -> list[Problem]:
    problems = []
    winners = {w.nomination_id for w in agreed.winners}
    dropped = set()
    for i, item in enumerate(agreed.dropped):
        at = f"dropped.{i}.nomination_id"
        entry = ranking.entry(item.nomination_id)
        if entry is None:
            problems.append(Problem(at, _not_in_plenary(ranking, item.nomination_id)))
        elif item.nomination_id in winners:
            problems.append(
                Problem(at, f"{item.nomination_id} tercantum juga sebagai penerima penghargaan")
            )
        elif entry.nominee.recommended_stars == 0:
            problems.append(
                Problem(at, f"{item.nomination_id} tidak direkomendasikan, jadi tidak dicoret")
            )
        dropped.add(item.nomination_id)
    for entry in ranking.entries:
        nominee = entry.nominee
        if nominee.recommended_stars and nominee.nomination_id not in winners | dropped:
            problems.append(
                Problem(
                    "dropped",
                    f"{nominee.nomination_id} ({nominee.product_name}) direkomendasikan "
                    f"{nominee.recommended_stars} bintang tetapi tidak tercantum sebagai "
                    "penerima; cantumkan pada daftar yang dicoret beserta alasannya",
                )
            )
    return problems


def agreed_winners(ranking: Ranking, agreed: AgreedList, config: CycleConfig) -> list[Winner]:
    """The winners of a list that `check_agreed_list` allows, in the ranking's order, each
    with the coaching level the cycle gives its stars."""
    check_agreed_list(ranking, agreed, config)
    by_id = {w.nomination_id: w for w in agreed.winners}
    winners = []
    for entry in ranking.entries:
        n = entry.nominee
        agreed_winner = by_id.get(n.nomination_id)
        if agreed_winner is None:
            continue
        winners.append(
            Winner(
                nomination_id=n.nomination_id,
                commodity=n.commodity,
                product_name=n.product_name,
                ikm_name=n.ikm_name,
                regency=n.regency,
                province=n.province,
                stars=agreed_winner.stars,
                coaching_level=config.coaching_for(agreed_winner.stars),
                final_score=n.final_score,
                recommended_stars=n.recommended_stars,
                reason=agreed_winner.reason,
            )
        )
    return winners
