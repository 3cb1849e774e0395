"""A cycle's rules: weights, star scale, panel, deadlines and the people who act.

A nomination carries the configuration of the cycle it started under, so a later change
to the cycle applies to new nominations only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import Field, model_validator

from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlineRules
from domain.endorsement import EndorsementRules
from domain.errors import RefusalKind, Refused
from domain.lab_testing import LabTesting
from domain.labs import Lab
from domain.proposal import Commodity, Email, Model, Nib, ProvinceName, Regency, Text
from domain.regions import Province, TimeZone
from domain.scoring import (
    SCALE_2024,
    CoachingLevel,
    CriteriaWeights,
    StarScale,
    default_coaching,
)
from domain.site_visits import SiteVisitRules
from domain.stages import Role


class PanelRules(Model):
    size: int = Field(3, ge=1, le=15)
    quorum: int = Field(2, ge=1, le=15)
    lab_weight: float = Field(
        0.2,
        ge=0,
        le=1,
        description=(
            "Bobot nilai Balai Besar dalam nilai akhir (sisanya nilai juri). Nilai bawaan 0,2 "
            "hanya contoh, bukan ketentuan program: tetapkan untuk setiap siklus"
        ),
    )
    # A juror whose total lies further than this from the panel's median counts with
    # `outlier_weight` (see domain.scoring.explain); None: every juror counts fully.
    outlier_points: float | None = Field(None, gt=0, le=100)
    outlier_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Bobot juri pencilan bila outlier_points diatur; bawaan 0,5 hanya contoh",
    )
    same_province_conflict: bool = Field(
        False,
        description=(
            "Juri tidak menilai IKM dari provinsi asalnya. Bawaan: tidak (konflik kepentingan "
            "hanya yang dinyatakan juri), agar pakar Balai Besar di DI Yogyakarta, Bogor dan "
            "Bandung tetap menilai komoditasnya dari provinsi itu"
        ),
    )

    @model_validator(mode="after")
    def _quorum_fits(self) -> Self:
        if self.quorum > self.size:
            raise ValueError(f"kuorum ({self.quorum}) melebihi jumlah juri ({self.size})")
        return self


class PlenaryRules(Model):
    """How a commodity's plenary shows its nominees (domain/plenary.py)."""

    outlier_points: float = Field(
        15,
        gt=0,
        le=100,
        description=(
            "Sidang pleno menandai juri pencilan: nilai totalnya berselisih lebih dari sekian "
            "poin dari median nilai total juri usulan itu (bila juri sedikitnya tiga). Nilai "
            "bawaan 15 hanya contoh, bukan ketentuan program: tetapkan untuk setiap siklus"
        ),
    )
    down_weight_outliers: bool = Field(
        False,
        description=(
            "Bila ya, sidang pleno juga menampilkan nilai akhir yang dihitung ulang dengan "
            "bobot juri pencilan sebesar panel.outlier_weight; peringkat dan rekomendasi tidak "
            "berubah karenanya. Bawaan: tidak"
        ),
    )
    chairs: list[Text] = Field(
        default_factory=list,
        description=(
            "user_id juri yang memimpin Tim Seleksi dan mencatat daftar hasil sidang pleno; "
            "operator siklus dapat mencatatnya atas nama ketua"
        ),
    )
    by_decree: bool = Field(
        False,
        description=(
            "Bila ya, penghargaan siklus ini ditetapkan dengan satu keputusan Direktur "
            "Jenderal atas daftar hasil sidang pleno setiap komoditas, dan setiap usulan "
            "berakhir pada keputusan itu; bila tidak, pejabat penetap menetapkan penghargaan "
            "setiap usulan. Bawaan: tidak (siklus yang dibuka sebelum sidang pleno ada)"
        ),
    )


class StaffMember(Model):
    user_id: Text
    name: Text
    email: Email


class LabDesk(Model):
    """A Balai Besar lab: its desk address, where samples go, and its assessors."""

    lab: Lab
    email: Email
    address: Text
    zone: TimeZone = TimeZone.WIB  # the three labs are in Bogor, Yogyakarta and Bandung
    assessors: list[StaffMember] = Field(min_length=1)


class Juror(StaffMember):
    institution: Text
    home_province: ProvinceName
    commodities: list[Commodity] = Field(min_length=1)
    declared_conflicts: list[Nib] = Field(default_factory=list)


class Mailbox(Model):
    name: Text
    email: Email


class RegionalOffice(Model):
    """A regency's or city's industry office that proposes, and the people who act for it:
    each signs in to the inbox with their address and proposes for this office only."""

    name: Text = Field(description="as proposals name it in `proposing_office.name`")
    province: ProvinceName
    regency: Regency | None = Field(None, description="None: a province's own office")
    contacts: list[StaffMember] = Field(min_length=1)


class Staff(Model):
    verification_desk: Mailbox
    verifiers: list[StaffMember] = Field(min_length=1)
    officials: list[StaffMember] = Field(min_length=1)
    operators: list[StaffMember] = Field(min_length=1)
    labs: list[LabDesk]
    supervisors: dict[Role, Mailbox] = Field(default_factory=dict)
    regional_offices: list[RegionalOffice] = Field(
        default_factory=list,
        description="Dinas yang mengusulkan melalui kotak tugas web (`/tugas`)",
    )

    @model_validator(mode="after")
    def _every_lab(self) -> Self:
        missing = set(Lab) - {desk.lab for desk in self.labs}
        if missing:
            raise ValueError(f"konfigurasi Balai Besar belum lengkap: {sorted(missing)}")
        return self

    def lab_desk(self, lab: Lab) -> LabDesk:
        return next(desk for desk in self.labs if desk.lab == lab)


class CycleConfig(Model):
    cycle: Annotated[str, Field(pattern=r"^\d{4}$")]
    weights: CriteriaWeights = Field(
        CriteriaWeights(),
        description=(
            "Bobot kelima kriteria penilaian juri, dalam persen. Nilai bawaan (20, 20, 25, 20, "
            "15) hanya contoh, bukan ketentuan program: tetapkan untuk setiap siklus"
        ),
    )
    star_scale: StarScale = Field(
        SCALE_2024,
        description=(
            "Tingkat bintang dan nilai akhir minimum masing-masing. Skala bawaan (1-3 bintang: "
            "60, 70, 80) hanya contoh, bukan ketentuan program: tetapkan untuk setiap siklus"
        ),
    )
    panel: PanelRules = PanelRules()
    deadlines: DeadlineRules = DeadlineRules()
    # None until filled: `with_national_calendar()` writes the calendar out in full before a
    # nomination starts, so it keeps it (and nothing computes holidays inside a workflow).
    calendar: WorkingCalendar | None = None
    coaching: dict[int, CoachingLevel] | None = Field(
        None, description="Who coaches a winner of each star level; default: default_coaching"
    )
    max_revisions: int = Field(2, ge=0, le=10)
    plenary: PlenaryRules = PlenaryRules()
    endorsement: EndorsementRules | None = Field(
        None,
        description=(
            "Rekomendasi dinas provinsi sebelum verifikasi administrasi (rilis 1.5), dengan "
            "kuota per provinsi dan komoditas bila ditetapkan. Bawaan: tidak"
        ),
    )
    site_visits: SiteVisitRules | None = Field(
        None,
        description=(
            "Verifikasi lapangan ke sentra setelah penilaian teknis dan sebelum Tim Seleksi "
            "(rilis 1.5): operator menjadwalkan tim, tim melaporkan temuan atas kelima "
            "kriteria beserta fotonya. Bawaan: tidak"
        ),
    )
    lab_testing: LabTesting | None = Field(
        None,
        description=(
            "Sampel produk dan templat uji per komoditas (rilis 1.5): bila diisi, pengusul "
            "mengirim sampel setelah lolos verifikasi, batas waktu Balai Besar dihitung sejak "
            "sampel diterima, hasil uji mengikuti templat, dan produk yang tidak memenuhi "
            "standar tetap dinilai Tim Seleksi dengan rekomendasi Balai Besar. Bawaan: tidak"
        ),
    )
    staff: Staff
    jurors: list[Juror] = Field(min_length=1)

    @model_validator(mode="after")
    def _coaching_covers_the_scale(self) -> Self:
        if self.coaching is not None:
            wanted = set(range(1, self.star_scale.max_stars + 1))
            if set(self.coaching) != wanted:
                raise ValueError(f"pembinaan harus diatur untuk bintang {sorted(wanted)}")
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [j.user_id for j in self.jurors]
        if len(ids) != len(set(ids)):
            raise ValueError("user_id juri harus unik")
        return self

    @model_validator(mode="after")
    def _chairs_are_jurors(self) -> Self:
        strangers = sorted(set(self.plenary.chairs) - {j.user_id for j in self.jurors})
        if strangers:
            raise ValueError(f"ketua Tim Seleksi harus juri siklus ini: {', '.join(strangers)}")
        return self

    def with_national_calendar(self) -> CycleConfig:
        """This configuration with its calendar written out, if it has none yet: the
        national days off for the cycle's year and the two after it (a nomination can run
        into the next year), plus any cuti bersama the configuration lists."""
        if self.calendar is not None and self.calendar.days_off:
            return self
        year = int(self.cycle)
        extra = self.calendar.collective_leave if self.calendar else []
        calendar = WorkingCalendar.for_years([year, year + 1, year + 2], extra)
        return self.model_copy(update={"calendar": calendar})

    def keeping_province_conflicts(self) -> CycleConfig:
        """This configuration under the rule of nominations started before the same-province
        conflict became a setting: it applied to every cycle."""
        panel = self.panel.model_copy(update={"same_province_conflict": True})
        return self.model_copy(update={"panel": panel})

    def coaching_for(self, stars: int) -> CoachingLevel:
        return (self.coaching or default_coaching(self.star_scale.max_stars))[stars]

    def juror(self, user_id: str) -> Juror | None:
        return next((j for j in self.jurors if j.user_id == user_id), None)

    def provincial_office(self, province: Province) -> RegionalOffice | None:
        """The province's own industry office as the cycle lists it (no regency): who
        endorses its regencies' proposals (`endorsement`)."""
        return next(
            (
                o
                for o in self.staff.regional_offices
                if o.regency is None and o.province == province
            ),
            None,
        )

    def visitor(self, user_id: str) -> StaffMember | None:
        """Who may be on a site visit's team: a verifier, an operator or a juror."""
        staff = [*self.staff.verifiers, *self.staff.operators, *self.jurors]
        return next((m for m in staff if m.user_id == user_id), None)


class ProposalWindow(Model):
    """When regional governments may propose, in the ministry's calendar days (WIB)."""

    opens: date
    closes: date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.closes < self.opens:
            raise ValueError("masa pengusulan harus ditutup setelah dibuka")
        return self

    def admits(self, day: date) -> bool:
        return self.opens <= day <= self.closes

    def describe(self) -> str:
        return f"{self.opens.isoformat()} sampai {self.closes.isoformat()}"


def check_proposed_on(cycle: str, window: ProposalWindow, proposed_on: date, today: date) -> None:
    """A proposal is dated within its cycle's window and not after the day the cycle
    receives it (`today`, in the ministry's calendar), `Refused` naming `proposed_on`; and
    it is received before the window has closed, whatever its date (`Refused` naming
    `cycle`)."""
    said = f"masa pengusulan siklus OVOP {cycle} adalah {window.describe()}"
    if proposed_on > today:
        raise Refused.one(
            "proposed_on",
            f"tanggal usulan {proposed_on.isoformat()} belum tiba (hari ini "
            f"{today.isoformat()}); {said}",
        )
    if not window.admits(proposed_on):
        raise Refused.one(
            "proposed_on",
            f"tanggal usulan {proposed_on.isoformat()} di luar masa pengusulan; {said}",
        )
    if today > window.closes:  # a date within the window does not reopen it
        raise Refused.one(
            "cycle",
            f"usulan diterima {today.isoformat()}, setelah masa pengusulan berakhir; {said}",
        )


# The OVOP award is held every two years: a cycle opens this many years after the last.
CYCLE_INTERVAL_YEARS = 2


def check_schedule(cycle: str, previous: str | None, reason: str | None) -> None:
    """A cycle opens two years after the last one opened (`previous`, None for the first),
    unless the operator states why it does not (`reason`): `Refused` naming
    `off_schedule_reason` otherwise."""
    if previous is None or reason or int(cycle) == int(previous) + CYCLE_INTERVAL_YEARS:
        return
    due = int(previous) + CYCLE_INTERVAL_YEARS
    raise Refused.one(
        "off_schedule_reason",
        f"siklus OVOP diselenggarakan dua tahun sekali: siklus terakhir {previous}, siklus "
        f"berikutnya {due}; siklus {cycle} hanya dapat dibuka dengan alasan yang dinyatakan",
    )


def already_proposed(cycle: str, nomination_id: str) -> Refused:
    """One nomination per IKM and product in a cycle: a second proposal of them is refused,
    naming the product and the nomination that has it."""
    return Refused.one(
        "product.name",
        f"usulan untuk IKM dan produk ini pada siklus {cycle} sudah ada: {nomination_id}",
        RefusalKind.CONFLICT,
    )


def panel_shortfalls(config: CycleConfig) -> list[str]:
    """The commodities with fewer jurors on the roster than a panel needs."""
    short = []
    for commodity in Commodity:
        judges = sum(commodity in j.commodities for j in config.jurors)
        if judges < config.panel.size:
            short.append(f"{commodity.label}: {judges} juri, perlu {config.panel.size}")
    return short
