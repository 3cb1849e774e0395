"""A cycle's book: its configuration over time, the nominations it has taken in, where each
stands, and how many panels each juror sits on. The CycleWorkflow keeps exactly this."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from domain.access import require_operator
from domain.calendar import local_date
from domain.cycle import (
    CycleConfig,
    ProposalWindow,
    check_proposed_on,
    check_schedule,
    panel_shortfalls,
)
from domain.cycle_records import (
    Admission,
    Closing,
    ConfigChange,
    ConfigVersion,
    CycleSetup,
    CycleStatus,
    Entry,
    PlenaryOpening,
    Registration,
    StageReport,
)
from domain.decisions import Actor, DecreeOutcome, EndorseOutcome
from domain.decree import Decree, DecreeOrder, check_decree, decree_number, issue_decree
from domain.endorsement import (
    EndorsementRequest,
    check_endorsement,
    endorsed_alike,
)
from domain.errors import Problem, RefusalKind, Refused
from domain.panel import PanelAssignment, PanelNeed, assign_jurors
from domain.plenary import AgreedList, Nominee, Ranking, check_agreed_list, rank
from domain.proposal import Commodity
from domain.regions import TimeZone
from domain.stages import Stage

__all__ = [  # the records are the book's vocabulary, importable from here as before
    "Admission",
    "Closing",
    "ConfigChange",
    "ConfigVersion",
    "CycleBook",
    "CycleSetup",
    "CycleStatus",
    "Entry",
    "PlenaryOpening",
    "Registration",
    "StageReport",
    "check_config",
    "cycle_workflow_id",
]

# Where a nomination has yet to pass its panel: its commodity's plenary waits for it.
BEFORE_THE_PLENARY = frozenset(
    {
        Stage.PROVINCIAL_ENDORSEMENT,
        Stage.ADMIN_VERIFICATION,
        Stage.REVISION_REQUESTED,
        Stage.SAMPLE_AWAITED,
        Stage.TECHNICAL_ASSESSMENT,
        Stage.SITE_VISIT,
        Stage.PANEL_SCORING,
    }
)


def cycle_workflow_id(cycle: str) -> str:
    return f"ovop-cycle-{cycle}"


class CycleBook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: str
    window: ProposalWindow
    versions: list[ConfigVersion]
    entries: dict[str, Entry] = {}
    loads: dict[str, int] = {}
    closed_at: datetime | None = None
    closed_by: Actor | None = None
    previous_cycle: str | None = None
    off_schedule_reason: str | None = None  # why it opened other than two years after the last
    # False in a book opened before the same-province conflict became a setting, and carried
    # over when its cycle continues as new: each of its versions then keeps the conflict.
    province_rule_set: bool = False
    # Awards by decree (`plenary.by_decree`): the nominees waiting for it, as each reported
    # itself when its panel closed; each commodity's plenary as opened, its agreed list,
    # and the decree once issued.
    nominees: dict[str, Nominee] = {}
    plenaries: dict[Commodity, Ranking] = {}
    agreed: dict[Commodity, AgreedList] = {}
    decree: Decree | None = None

    @classmethod
    def open(cls, setup: CycleSetup, now: datetime) -> CycleBook:
        check_config(setup.config, setup.opened_by, None)
        check_schedule(setup.config.cycle, setup.previous_cycle, setup.off_schedule_reason)
        first = ConfigVersion(version=1, config=setup.config, since=now, by=setup.opened_by)
        return cls(
            cycle=setup.config.cycle,
            window=setup.window,
            versions=[first],
            previous_cycle=setup.previous_cycle,
            off_schedule_reason=setup.off_schedule_reason,
            province_rule_set=True,
        )

    @property
    def config(self) -> CycleConfig:
        return self.versions[-1].config

    @property
    def version(self) -> int:
        return self.versions[-1].version

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    # --- admission ----------------------------------------------------------------------

    def check_register(self, reg: Registration, now: datetime) -> None:
        if reg.nomination_id in self.entries:
            return  # a retried start: admitted again, under the same rules
        if self.closed:
            raise Refused.one("cycle", f"siklus OVOP {self.cycle} sudah ditutup", RefusalKind.STAGE)
        today = local_date(now, TimeZone.WIB)
        check_proposed_on(self.cycle, self.window, reg.proposed_on or today, today)
        if self.config.endorsement and self.config.provincial_office(reg.province) is None:
            raise Refused.one(
                "sentra.province",
                f"usulan siklus {self.cycle} direkomendasikan dinas provinsi lebih dahulu, "
                f"tetapi dinas provinsi {reg.province.value} belum terdaftar pada konfigurasi "
                "siklus (staff.regional_offices); hubungi operator OVOP",
            )

    def register(self, reg: Registration, now: datetime) -> Admission:
        self.check_register(reg, now)
        entry = self.entries.get(reg.nomination_id)
        if entry is None:
            endorsed_first = self.config.endorsement is not None
            office = self.config.provincial_office(reg.province)
            entry = Entry(
                nomination_id=reg.nomination_id,
                commodity=reg.commodity,
                province=reg.province,
                version=self.version,
                provincial_office=office.name if office else None,
                **({"stage": Stage.PROVINCIAL_ENDORSEMENT} if endorsed_first else {}),
            )
            self.entries[reg.nomination_id] = entry
        return Admission(config=self.config_of(entry), version=entry.version)

    def config_of(self, entry: Entry) -> CycleConfig:
        """The configuration version a nomination runs under."""
        return next(v.config for v in self.versions if v.version == entry.version)

    # --- the provincial office's endorsement (`endorsement`) ---------------------------

    def check_endorse(self, request: EndorsementRequest) -> Entry:
        """The nomination's entry, unless the endorsement may not be taken now."""
        entry = self.entries.get(request.nomination_id)
        if entry is None:
            raise Refused.one(
                "nomination_id",
                f"usulan {request.nomination_id} tidak terdaftar pada siklus {self.cycle}",
                RefusalKind.NOT_FOUND,
            )
        config = self.config_of(entry)
        alike = endorsed_alike(self.entries.values(), entry.province, entry.commodity)
        revisions_left = entry.returns < config.max_revisions
        check_endorsement(
            request.endorsement, entry.endorsee(), config.endorsement, alike, revisions_left
        )
        return entry

    def endorse(self, request: EndorsementRequest) -> Stage:
        """Take the endorsement (or return); the stage the nomination moves to."""
        entry = self.check_endorse(request)
        endorsed = request.endorsement.outcome == EndorseOutcome.ENDORSE
        stage = Stage.ADMIN_VERIFICATION if endorsed else Stage.REVISION_REQUESTED
        self.entries[entry.nomination_id] = entry.model_copy(
            update={"endorsed": endorsed, "returns": entry.returns + (not endorsed), "stage": stage}
        )
        return stage

    # --- configuration ------------------------------------------------------------------

    def check_configure(self, change: ConfigChange) -> None:
        if self.closed:
            raise Refused.one("cycle", f"siklus OVOP {self.cycle} sudah ditutup", RefusalKind.STAGE)
        check_config(change.config, change.actor, self.config)
        if change.config.cycle != self.cycle:
            raise Refused.one("config.cycle", f"konfigurasi ini untuk siklus {self.cycle}")
        if change.config.plenary.by_decree != self.config.plenary.by_decree:
            raise Refused.one(
                "config.plenary.by_decree",
                "cara penetapan penghargaan (per usulan atau dengan satu keputusan) tetap "
                "selama siklus berjalan",
            )

    def configure(self, change: ConfigChange, now: datetime) -> str:
        self.check_configure(change)
        version = self.version + 1
        self.versions.append(
            ConfigVersion(
                version=version,
                config=change.config,
                since=now,
                by=change.actor,
                reason=change.reason,
            )
        )
        running = sum(not e.stage.is_terminal for e in self.entries.values())
        return (
            f"konfigurasi versi {version} berlaku untuk usulan baru saja; "
            f"{running} usulan yang sedang berjalan tetap memakai konfigurasinya"
        )

    # --- panels -------------------------------------------------------------------------

    def assign(self, need: PanelNeed) -> PanelAssignment:
        """Jurors from the current roster, the least loaded first; loads kept up to date."""
        self.release(need.release)
        found = assign_jurors(
            self.config.jurors, need, self.loads, self.config.panel.same_province_conflict
        )
        for juror in found.jurors:
            self.loads[juror.user_id] = self.loads.get(juror.user_id, 0) + 1
        return found

    def keep_province_conflicts(self) -> None:
        """A cycle opened before the same-province conflict became a setting keeps it, for
        every configuration version (docs/versioning.md)."""
        self.versions = [
            v.model_copy(update={"config": v.config.keeping_province_conflicts()})
            for v in self.versions
        ]
        self.province_rule_set = True

    def release(self, jurors: list[str]) -> None:
        """These jurors left a panel: one panel less for each."""
        for juror in jurors:
            if self.loads.get(juror, 0) > 0:
                self.loads[juror] -= 1

    # --- progress -----------------------------------------------------------------------

    def report(self, report: StageReport) -> None:
        entry = self.entries.get(report.nomination_id)
        if entry is None:
            return  # a nomination started without its cycle: nothing to count
        if report.nominee is not None:
            self.nominees[report.nomination_id] = report.nominee
        elif report.stage.is_terminal and self.decree is None:
            self.nominees.pop(report.nomination_id, None)  # withdrawn before the decree
        self.entries[report.nomination_id] = entry.model_copy(
            update={
                "stage": report.stage,
                "final_score": report.final_score,
                "stars": report.stars,
            }
        )

    def by_stage(self) -> dict[Stage, int]:
        counts = Counter(e.stage for e in self.entries.values())
        return {stage: counts[stage] for stage in Stage if counts[stage]}

    def status(self) -> CycleStatus:
        return CycleStatus(
            cycle=self.cycle,
            window=self.window,
            version=self.version,
            closed=self.closed,
            nominations=len(self.entries),
            by_stage=self.by_stage(),
            juror_loads=dict(sorted(self.loads.items())),
            previous_cycle=self.previous_cycle,
            off_schedule_reason=self.off_schedule_reason,
        )

    # --- the plenary and the decree (`plenary.by_decree`) --------------------------------

    def check_open_plenary(self, opening: PlenaryOpening) -> None:
        """An operator opens a commodity's plenary once every nomination of it has passed
        its panel, and before the decree."""
        require_operator(opening.actor, self.config)
        commodity = opening.commodity
        self._require_decree_ahead()
        still = [
            e.nomination_id
            for e in self.entries.values()
            if e.commodity == commodity and e.stage in BEFORE_THE_PLENARY
        ]
        if still:
            raise Refused.one(
                "commodity",
                f"{len(still)} usulan komoditas {commodity.label} masih dalam penilaian "
                f"(mis. {still[0]}); sidang pleno dibuka setelah semua penilaian Tim Seleksi "
                "ditutup",
                RefusalKind.STAGE,
            )
        if not self._nominees_of(commodity):
            raise Refused.one(
                "commodity",
                f"tidak ada usulan komoditas {commodity.label} yang menunggu penetapan",
                RefusalKind.STAGE,
            )

    def open_plenary(self, opening: PlenaryOpening) -> Ranking:
        """The commodity's nominees ranked side by side; opened again, the list agreed
        before is set aside."""
        self.check_open_plenary(opening)
        ranking = rank(opening.commodity, self._nominees_of(opening.commodity), self.config)
        self.plenaries[opening.commodity] = ranking
        self.agreed.pop(opening.commodity, None)
        return ranking

    def check_agree(self, agreed: AgreedList) -> None:
        self._require_decree_ahead()
        ranking = self.plenaries.get(agreed.commodity)
        if ranking is None:
            raise Refused.one(
                "commodity",
                f"sidang pleno komoditas {agreed.commodity.label} belum dibuka",
                RefusalKind.STAGE,
            )
        check_agreed_list(ranking, agreed, self.config)

    def agree(self, agreed: AgreedList) -> str:
        self.check_agree(agreed)
        self.agreed[agreed.commodity] = agreed
        return (
            f"daftar hasil sidang pleno komoditas {agreed.commodity.label} dicatat: "
            f"{len(agreed.winners)} penerima penghargaan"
        )

    def check_decree(self, order: DecreeOrder, today: date) -> None:
        """After the window, once every nomination has passed its panel and each
        commodity's plenary ranked exactly the nominees waiting now, its list agreed."""
        self._require_decree_ahead()
        if today <= self.window.closes:
            raise Refused.one(
                "cycle",
                f"masa pengusulan masih berjalan sampai {self.window.closes.isoformat()}; "
                "keputusan ditetapkan setelah semua usulan dinilai",
                RefusalKind.STAGE,
            )
        still = [e.nomination_id for e in self.entries.values() if e.stage in BEFORE_THE_PLENARY]
        if still:
            raise Refused.one(
                "agreed_lists",
                f"{len(still)} usulan masih dalam penilaian (mis. {still[0]})",
                RefusalKind.STAGE,
            )
        for commodity in Commodity:
            waiting = {n.nomination_id for n in self._nominees_of(commodity)}
            ranking = self.plenaries.get(commodity)
            ranked = {e.nominee.nomination_id for e in ranking.entries} if ranking else set()
            if waiting != ranked:
                why = "belum dibuka" if ranking is None else "berubah sejak dibuka"
                raise Refused.one(
                    "agreed_lists",
                    f"peserta sidang pleno komoditas {commodity.label} {why} (usulan yang "
                    "menunggu penetapan, atau yang telah ditarik): buka sidang pleno itu lagi",
                    RefusalKind.STAGE,
                )
        check_decree(self.plenaries, self.agreed, order, self.config)

    def issue_decree(self, order: DecreeOrder, now: datetime) -> Decree:
        """The cycle's decree, numbered as the cycle's first (one decree a cycle)."""
        self.check_decree(order, local_date(now, TimeZone.WIB))
        self.decree = issue_decree(
            self.plenaries, self.agreed, order, self.config, decree_number(self.cycle, 1), now
        )
        self.nominees = {}  # each is in its plenary's ranking: the book carries it once
        return self.decree

    def outcomes(self) -> dict[str, DecreeOutcome]:
        """What the decree says of each nominee of the plenaries: its stars, or none."""
        decree = self.decree
        assert decree is not None
        won = {w.nomination_id: w for w in decree.winners}
        dropped = {d.nomination_id: d.reason for a in self.agreed.values() for d in a.dropped}
        return {
            entry.nominee.nomination_id: DecreeOutcome(
                number=decree.number,
                issued_by=decree.issued_by,
                stars=won[i].stars if (i := entry.nominee.nomination_id) in won else 0,
                reason=won[i].reason if i in won else dropped.get(i),
            )
            for ranking in self.plenaries.values()
            for entry in ranking.entries
        }

    def _nominees_of(self, commodity: Commodity) -> list[Nominee]:
        return [n for n in self.nominees.values() if n.commodity == commodity]

    def _require_decree_ahead(self) -> None:
        """A cycle whose awards come by decree, before its decree."""
        if not self.config.plenary.by_decree:
            raise Refused.one(
                "cycle",
                f"siklus {self.cycle} tidak memakai sidang pleno dan keputusan bersama: "
                "pejabat penetap menetapkan penghargaan setiap usulan",
                RefusalKind.STAGE,
            )
        if self.decree is not None:
            raise Refused.one(
                "cycle",
                f"keputusan penetapan siklus {self.cycle} sudah ditetapkan "
                f"(nomor {self.decree.number})",
                RefusalKind.STAGE,
            )

    # --- closing ------------------------------------------------------------------------

    def check_close(self, closing: Closing, today: date) -> None:
        require_operator(closing.actor, self.config)
        if self.closed:
            raise Refused.one("cycle", f"siklus OVOP {self.cycle} sudah ditutup", RefusalKind.STAGE)
        if today <= self.window.closes:
            raise Refused.one(
                "cycle",
                f"masa pengusulan masih berjalan sampai {self.window.closes.isoformat()}",
                RefusalKind.STAGE,
            )
        running = [e.nomination_id for e in self.entries.values() if not e.stage.is_terminal]
        if running:
            raise Refused.one(
                "cycle",
                f"{len(running)} usulan masih berjalan (mis. {running[0]}); "
                "tutup siklus setelah semuanya selesai",
                RefusalKind.STAGE,
            )

    def close(self, closing: Closing, now: datetime) -> None:
        self.check_close(closing, local_date(now, TimeZone.WIB))
        self.closed_at, self.closed_by = now, closing.actor


def check_config(config: CycleConfig, actor: Actor, current: CycleConfig | None) -> None:
    """A configuration a cycle can run on, set by one of its operators."""
    require_operator(actor, current or config)
    problems = [Problem("config.jurors", short) for short in panel_shortfalls(config)]
    if problems:
        raise Refused(problems)
