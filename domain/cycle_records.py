"""The records a cycle keeps and exchanges: how it is opened and configured, what a
nomination asks of it and tells it, and each nomination's entry in its book
(`domain.cycle_book.CycleBook`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from domain.cycle import CycleConfig, ProposalWindow
from domain.decisions import Actor
from domain.endorsement import Endorsee
from domain.plenary import Nominee
from domain.proposal import Commodity, Cycle, LongText, Model
from domain.regions import Province
from domain.stages import Stage


class CycleSetup(Model):
    """How an operator opens a cycle."""

    config: CycleConfig
    window: ProposalWindow
    opened_by: Actor
    previous_cycle: Cycle | None = Field(
        None,
        description="The last cycle opened before this one, as the front end found it; "
        "None: this is the first",
    )
    off_schedule_reason: LongText | None = Field(
        None,
        description="Alasan membuka siklus tidak dua tahun setelah siklus terakhir; wajib "
        "diisi dalam hal itu",
    )


class ConfigChange(Model):
    actor: Actor
    config: CycleConfig
    reason: LongText


class ConfigVersion(Model):
    version: int
    config: CycleConfig
    since: datetime
    by: Actor
    reason: str | None = None


class Registration(Model):
    """A nomination about to start asks its cycle for admission and its rules."""

    nomination_id: str
    commodity: Commodity
    province: Province
    # None from a client before 1.1: the proposal is taken as dated the day it arrives.
    proposed_on: date | None = None


class Admission(Model):
    """The cycle's answer: the configuration (and its version) the nomination runs under."""

    config: CycleConfig
    version: int


class StageReport(Model):
    """A nomination tells its cycle where it stands now; once its panel has closed in a
    cycle whose awards come by decree, also how its commodity's plenary will see it."""

    nomination_id: str
    stage: Stage
    final_score: float | None = None
    stars: int | None = None
    nominee: Nominee | None = None


class PlenaryOpening(Model):
    """An operator opens a commodity's plenary once its panels have all closed."""

    actor: Actor
    commodity: Commodity


class Closing(Model):
    actor: Actor


class Entry(Model):
    nomination_id: str
    commodity: Commodity
    province: Province
    version: int
    stage: Stage = Stage.ADMIN_VERIFICATION
    final_score: float | None = None
    stars: int | None = None
    # The provincial office's endorsement (`endorsement`): who gives it, whether it has,
    # and how often it returned the proposal.
    provincial_office: str | None = None
    endorsed: bool = False
    returns: int = 0

    def endorsee(self) -> Endorsee:
        return Endorsee(
            nomination_id=self.nomination_id,
            commodity=self.commodity,
            province=self.province,
            provincial_office=self.provincial_office,
            stage=self.stage,
            endorsed=self.endorsed,
        )


class CycleStatus(Model):
    cycle: str
    window: ProposalWindow
    version: int
    closed: bool
    nominations: int
    by_stage: dict[Stage, int]
    juror_loads: dict[str, int]
    previous_cycle: str | None = None
    off_schedule_reason: str | None = None
