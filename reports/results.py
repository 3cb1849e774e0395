"""A cycle's results, shaped from the records: the funnel from proposals to awards, the
ranking per commodity, and the tallies per province and per commodity.

Pure: recorded rows in, models out. Nothing here reads a database, a clock or a file, so
the same rows always give the same results.

How a nomination counts:
- The funnel counts each nomination once per stage it ever *reached* (from its recorded
  transitions), so one that went through a revision and back is still one proposal, one
  verification passed.
- Passing verification is reaching the lab: its technical assessment, or first the
  sample's stage where the cycle takes samples (`lab_testing`); the funnel has a step for
  the sample's receipt only where some nomination waited for one, and one for the
  provincial office's endorsement only where some nomination waited for that
  (`endorsement`), so earlier cycles read as before.
- Its outcome is the stage it stands at now; a nomination not yet at a final stage is
  *open*, and while any is open the results are provisional.
- The ranking per commodity holds every nomination with a final score that is still in
  the running (awarded, not awarded on its score, or awaiting the award decision), by
  final score, highest first. Equal final scores are told apart by the Balai Besar's
  technical score, the one measure taken independently of the panel; equal on both, they
  share a rank (1, 2, 2, 4) and are listed by IKM name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.events import EventKind
from domain.labs import Lab
from domain.proposal import Commodity, Model
from domain.regions import Province
from domain.scoring import CoachingLevel
from domain.stages import TERMINAL, Stage
from records import NominationRow, TransitionRow
from reports.endings import ending_label

# The funnel's steps after "proposal received", in order, each named by the stage whose
# reaching it counts (but see `passed`: verification and the sample's receipt).
FUNNEL_STAGES = (
    Stage.PROVINCIAL_ENDORSEMENT,
    Stage.TECHNICAL_ASSESSMENT,
    Stage.SAMPLE_AWAITED,
    Stage.PANEL_SCORING,
    Stage.SITE_VISIT,
    Stage.AWARD_DECISION,
    Stage.AWARDED,
)
FUNNEL_LABELS = {
    None: "Usulan diterima",
    Stage.PROVINCIAL_ENDORSEMENT: "Direkomendasikan dinas provinsi",
    Stage.TECHNICAL_ASSESSMENT: "Lolos verifikasi administrasi",
    Stage.SAMPLE_AWAITED: "Sampel diterima Balai Besar",
    Stage.PANEL_SCORING: "Lolos penilaian teknis Balai Besar",
    Stage.SITE_VISIT: "Diverifikasi di lapangan",
    Stage.AWARD_DECISION: "Sampai penetapan penghargaan",
    Stage.AWARDED: "Meraih penghargaan",
}
# The panel's step where some product reached it against the lab's recommendation: it did
# not pass the lab's assessment, it only went on past it.
PANEL_DESPITE_THE_LAB = "Sampai penilaian Tim Seleksi"
# The steps shown only where some nomination of the cycle reached their stage.
OPTIONAL_STEPS = frozenset({Stage.PROVINCIAL_ENDORSEMENT, Stage.SAMPLE_AWAITED, Stage.SITE_VISIT})
# The ways out of the process other than an award, in the order the report lists them.
ENDINGS = (Stage.REJECTED, Stage.EXPIRED, Stage.WITHDRAWN, Stage.NOT_AWARDED)
OPEN_ORDER = (
    Stage.PROPOSED,
    Stage.PROVINCIAL_ENDORSEMENT,
    Stage.ADMIN_VERIFICATION,
    Stage.REVISION_REQUESTED,
    Stage.SAMPLE_AWAITED,
    Stage.TECHNICAL_ASSESSMENT,
    Stage.SITE_VISIT,
    Stage.PANEL_SCORING,
    Stage.AWARD_DECISION,
)
RANKED = frozenset({Stage.AWARDED, Stage.NOT_AWARDED, Stage.AWARD_DECISION})


class Entry(Model):
    """One nomination as the report shows it."""

    id: str
    ikm_name: str
    product_name: str
    commodity: Commodity
    province: Province
    regency: str
    lab: Lab
    stage: Stage
    reached: frozenset[Stage]
    final_score: float | None = None
    lab_score: float | None = None
    lab_report: str | None = None
    lab_conforms: bool | None = None  # the lab's finding, once it has assessed
    recommended_stars: int | None = None
    stars: int | None = None
    overridden: bool = False
    certificate_number: str | None = None
    coaching_level: CoachingLevel | None = None
    previous_certificate: str | None = None
    revisions: int = 0
    # The last revision asked of it was asked by the provincial office (`endorsement`).
    returned_by_province: bool = False
    deadline: datetime | None = None
    left_from: Stage | None = None  # the stage it left the process from, if not awarded
    outcome_reason: str | None = None  # the reason given for its final decision
    proposed_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL

    @property
    def verified(self) -> bool:
        """It passed administrative verification: on to the sample or to the lab."""
        return bool(self.reached & {Stage.SAMPLE_AWAITED, Stage.TECHNICAL_ASSESSMENT})

    @property
    def lab_advised_against(self) -> bool:
        """The lab found the product not to conform and it went on to the panel with that
        recommendation (`lab_testing`)."""
        return self.lab_conforms is False and Stage.PANEL_SCORING in self.reached

    @property
    def lab_advice(self) -> str | None:
        """The lab's recommendation against the product, and what the official decided."""
        if not self.lab_advised_against:
            return None
        text = f"Balai Besar merekomendasikan tidak memenuhi standar (laporan {self.lab_report})"
        reason = f": {self.outcome_reason}" if self.outcome_reason else ""
        if self.stage == Stage.AWARDED:
            return (
                f"{text}; pejabat penetap tetap memberi {self.stars} bintang dengan alasan{reason}"
            )
        if self.stage == Stage.NOT_AWARDED and self.left_from == Stage.AWARD_DECISION:
            return f"{text}; pejabat penetap menetapkan tanpa bintang{reason}"
        if self.stage == Stage.AWARD_DECISION:
            return f"{text}; menunggu keputusan pejabat penetap"
        return text

    @property
    def status(self) -> str:
        """The nomination's standing in a few words, for tables."""
        if self.stage == Stage.AWARDED:
            text = f"Meraih {self.stars} bintang"
            if self.overridden and self.recommended_stars is not None:
                text += f" (rekomendasi Tim Seleksi {self.recommended_stars})"
            return text
        if self.stage == Stage.AWARD_DECISION:
            return f"Menunggu penetapan (rekomendasi {self.recommended_stars} bintang)"
        if self.stage in TERMINAL:
            why = ending_label(self.stage, self.left_from, self.returned_by_province)
            return f"{self.stage.label}: {why}"
        return f"Masih berjalan: {self.stage.label}"


class Ranked(Model):
    rank: int
    shared: bool  # another nomination holds the same rank
    entry: Entry

    @property
    def provisional(self) -> bool:
        return self.entry.stage == Stage.AWARD_DECISION


class CommodityRanking(Model):
    commodity: Commodity
    ranked: list[Ranked]
    proposals: int
    awarded: int
    open: int  # nominations of this commodity not yet final (ranked or not)


class Step(Model):
    """One step of the funnel: how many nominations reached it."""

    stage: Stage | None  # None: proposal received
    label: str
    count: int
    share: float  # of the proposals received, 0 to 1


class Reason(Model):
    label: str
    count: int


class Ending(Model):
    """How many nominations ended at one final stage other than an award, and why."""

    stage: Stage
    count: int
    reasons: list[Reason]


class OpenStage(Model):
    stage: Stage
    count: int


class Funnel(Model):
    steps: list[Step]
    endings: list[Ending]
    open: list[OpenStage]
    revised: int  # nominations that were sent back for revision at least once
    advised_against: int = 0  # scored by the panel though the lab found them not to conform

    def count(self, stage: Stage | None) -> int:
        """How many reached `stage` (None: were received)."""
        return next(s.count for s in self.steps if s.stage == stage)

    def ended(self, stage: Stage) -> int:
        return next((e.count for e in self.endings if e.stage == stage), 0)

    @property
    def still_open(self) -> int:
        return sum(o.count for o in self.open)


class Tally(Model):
    """The counts for one province or one commodity."""

    name: str
    proposals: int
    verified: int
    assessed: int
    awarded: int
    stars: dict[int, int]  # star level -> awards, every level of the cycle present
    open: int
    best_score: float | None


class CycleResults(Model):
    cycle: str
    generated_at: datetime
    star_levels: list[int]
    entries: list[Entry]
    funnel: Funnel
    rankings: list[CommodityRanking]
    by_province: list[Tally]
    by_commodity: list[Tally]

    @property
    def provisional(self) -> bool:
        """Some nomination is not final yet: the results are not official."""
        return any(e.is_open for e in self.entries)

    @property
    def open_entries(self) -> list[Entry]:
        order = {stage: i for i, stage in enumerate(OPEN_ORDER)}
        return sorted(
            (e for e in self.entries if e.is_open),
            key=lambda e: (order.get(e.stage, 0), e.deadline is None, e.deadline, e.ikm_name),
        )

    @property
    def awarded(self) -> list[Entry]:
        return [e for e in self.entries if e.stage == Stage.AWARDED]

    @property
    def star_counts(self) -> dict[int, int]:
        """Awards at each star level of the cycle."""
        return {level: sum(t.stars[level] for t in self.by_commodity) for level in self.star_levels}

    @property
    def provinces(self) -> int:
        """How many provinces proposed."""
        return len({e.province for e in self.entries})


# --- shaping ------------------------------------------------------------------------


def shape(
    cycle: str,
    nominations: Iterable[NominationRow],
    transitions: Iterable[TransitionRow],
    generated_at: datetime,
    max_stars: int | None = None,
) -> CycleResults:
    """The results of `cycle` from its rows of the `nominations` and `transitions` tables.

    `max_stars` is the top of the cycle's star scale, so that every level shows even when
    no nomination earned it; without it, the highest level awarded or recommended.
    """
    events: dict[str, list[TransitionRow]] = {}
    for t in transitions:
        events.setdefault(t.nomination_id, []).append(t)
    entries = sorted(
        (
            _entry(row, sorted(events.get(row.id, []), key=lambda t: t.seq))
            for row in nominations
            if row.cycle == cycle
        ),
        key=lambda e: (_COMMODITY_ORDER[e.commodity], e.province.value, e.regency, e.ikm_name),
    )
    seen = [e.stars or 0 for e in entries] + [e.recommended_stars or 0 for e in entries]
    top = max([max_stars or 0, *seen])
    levels = list(range(1, top + 1))
    return CycleResults(
        cycle=cycle,
        generated_at=generated_at,
        star_levels=levels,
        entries=entries,
        funnel=funnel(entries),
        rankings=[
            _commodity_ranking(c, [e for e in entries if e.commodity == c]) for c in Commodity
        ],
        by_province=sorted(
            (
                _tally(p.value, [e for e in entries if e.province == p], levels)
                for p in {e.province for e in entries}
            ),
            key=lambda t: (-t.awarded, -sum(s * n for s, n in t.stars.items()), t.name),
        ),
        by_commodity=[
            _tally(c.label, [e for e in entries if e.commodity == c], levels) for c in Commodity
        ],
    )


_COMMODITY_ORDER = {c: i for i, c in enumerate(Commodity)}


def _entry(row: NominationRow, events: Sequence[TransitionRow]) -> Entry:
    stage = Stage(row.stage)
    facts: dict[str, Mapping[str, Any]] = {}
    for e in events:
        facts[e.kind] = e.facts or {}  # the last of each kind wins
    assessed = facts.get(EventKind.ASSESSED.value, {})
    closed = facts.get(EventKind.PANEL_CLOSED.value, {})
    awarded = facts.get(EventKind.AWARDED.value, {})
    refused = facts.get(EventKind.NOT_AWARDED.value, {})
    ending = next(
        (e for e in reversed(events) if e.to_stage == stage.value and e.from_stage != e.to_stage),
        None,
    )
    final = ending if stage in TERMINAL else None
    sent_back = (EventKind.REVISION_REQUESTED.value, EventKind.RETURNED.value)
    last_sent_back = next((e.kind for e in reversed(events) if e.kind in sent_back), None)
    return Entry(
        id=row.id,
        ikm_name=row.ikm_name,
        product_name=row.product_name,
        commodity=Commodity(row.commodity),
        province=Province(row.province),
        regency=row.regency,
        lab=Lab(row.lab),
        stage=stage,
        reached=frozenset({stage, *(Stage(e.to_stage) for e in events)}),
        final_score=row.final_score,
        lab_score=_number(assessed.get("lab_score")),
        lab_report=assessed.get("report_number"),
        lab_conforms=assessed.get("conforms"),
        recommended_stars=closed.get("recommended_stars"),
        stars=row.stars,
        overridden=bool(awarded.get("overridden") or refused.get("overridden")),
        certificate_number=row.certificate_number if stage == Stage.AWARDED else None,
        coaching_level=CoachingLevel(row.coaching_level) if row.coaching_level else None,
        previous_certificate=row.previous_certificate,
        revisions=sum(e.kind in sent_back for e in events),
        returned_by_province=last_sent_back == EventKind.RETURNED.value,
        deadline=row.deadline if stage not in TERMINAL else None,
        left_from=Stage(final.from_stage) if final and stage in ENDINGS else None,
        outcome_reason=final.reason if final else None,
        proposed_at=row.created_at,
        updated_at=row.updated_at,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def passed(e: Entry, step: Stage) -> bool:
    """Whether `e` counts at the funnel's `step`: it reached the step's stage, except that
    verification (named by the lab's stage, where it led before samples) is passed on to
    the sample or the lab, and the sample (named by its stage) is received by leaving it
    for the lab, and the province's endorsement is given by leaving its stage for the
    ministry's verification; where the cycle visits sentra, the lab's assessment is passed
    on to the visit, and the visit (named by its stage) by leaving it for the panel."""
    if step == Stage.PROVINCIAL_ENDORSEMENT:
        return {Stage.PROVINCIAL_ENDORSEMENT, Stage.ADMIN_VERIFICATION} <= e.reached
    if step == Stage.TECHNICAL_ASSESSMENT:
        return e.verified
    if step == Stage.SAMPLE_AWAITED:
        return {Stage.SAMPLE_AWAITED, Stage.TECHNICAL_ASSESSMENT} <= e.reached
    if step == Stage.PANEL_SCORING:
        return bool(e.reached & {Stage.SITE_VISIT, Stage.PANEL_SCORING})
    if step == Stage.SITE_VISIT:
        return {Stage.SITE_VISIT, Stage.PANEL_SCORING} <= e.reached
    return step in e.reached


def funnel(entries: Sequence[Entry]) -> Funnel:
    received = len(entries)
    went_through = {s for s in OPTIONAL_STEPS if any(s in e.reached for e in entries)}
    advised_against = sum(e.lab_advised_against for e in entries)

    def step(stage: Stage | None) -> Step:
        count = received if stage is None else sum(passed(e, stage) for e in entries)
        label = FUNNEL_LABELS[stage]
        if stage == Stage.PANEL_SCORING and advised_against:
            label = PANEL_DESPITE_THE_LAB
        return Step(
            stage=stage,
            label=label,
            count=count,
            share=count / received if received else 0.0,
        )

    endings = []
    for stage in ENDINGS:
        ended = [e for e in entries if e.stage == stage]
        reasons = Counter(ending_label(stage, e.left_from, e.returned_by_province) for e in ended)
        endings.append(
            Ending(
                stage=stage,
                count=len(ended),
                reasons=[Reason(label=k, count=n) for k, n in reasons.most_common()],
            )
        )
    open_counts = Counter(e.stage for e in entries if e.is_open)
    return Funnel(
        steps=[
            step(None),
            *(step(s) for s in FUNNEL_STAGES if s not in OPTIONAL_STEPS or s in went_through),
        ],
        endings=endings,
        open=[OpenStage(stage=s, count=open_counts[s]) for s in OPEN_ORDER if open_counts[s]],
        revised=sum(e.revisions > 0 for e in entries),
        advised_against=advised_against,
    )


def rank(entries: Iterable[Entry]) -> list[Ranked]:
    """The ranking of the nominations still in the running that have a final score."""
    contenders = [e for e in entries if e.stage in RANKED and e.final_score is not None]

    def merit(e: Entry) -> tuple[float, float]:
        assert e.final_score is not None
        return (e.final_score, e.lab_score if e.lab_score is not None else -1.0)

    contenders.sort(key=lambda e: (tuple(-m for m in merit(e)), e.ikm_name, e.id))
    merits = Counter(merit(e) for e in contenders)
    ranked: list[Ranked] = []
    for position, e in enumerate(contenders, start=1):
        same = ranked and merit(ranked[-1].entry) == merit(e)
        ranked.append(
            Ranked(
                rank=ranked[-1].rank if same else position,
                shared=merits[merit(e)] > 1,
                entry=e,
            )
        )
    return ranked


def _commodity_ranking(commodity: Commodity, entries: Sequence[Entry]) -> CommodityRanking:
    return CommodityRanking(
        commodity=commodity,
        ranked=rank(entries),
        proposals=len(entries),
        awarded=sum(e.stage == Stage.AWARDED for e in entries),
        open=sum(e.is_open for e in entries),
    )


def _tally(name: str, entries: Sequence[Entry], levels: Sequence[int]) -> Tally:
    won = Counter(e.stars for e in entries if e.stage == Stage.AWARDED and e.stars)
    scores = [e.final_score for e in entries if e.final_score is not None and e.stage in RANKED]
    return Tally(
        name=name,
        proposals=len(entries),
        verified=sum(e.verified for e in entries),
        assessed=sum(
            Stage.PANEL_SCORING in e.reached and not e.lab_advised_against for e in entries
        ),
        awarded=sum(won.values()),
        stars={level: won[level] for level in levels},
        open=sum(e.is_open for e in entries),
        best_score=max(scores) if scores else None,
    )
