"""What the API takes and gives: the domain's own models, and a few views of them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, create_model

from domain.access import documents_seen, events_for_juror, sees_owner
from domain.decisions import AssessmentFindings, VisitReport
from domain.events import NominationEvent
from domain.lab_testing import SampleRecord
from domain.labs import Lab
from domain.nomination import AwardRecord, Nomination, PanelResult
from domain.proposal import Contact, Ikm, Model, Proposal
from domain.registry import RegistryCheck
from domain.site_visits import VisitRecord
from domain.stages import Role, Stage
from workflows.visibility import NominationFilter, NominationRow


class NominationCreated(Model):
    id: str
    href: str


class IkmView(Ikm):
    owner: Contact | None = Field(  # type: ignore[assignment]
        None,
        description="The owner's contact; left out for a key that only scores or assesses "
        "(jurors and labs judge the product, not its owner: `domain.access.OWNER_READERS`)",
    )


class ProposalView(Proposal):
    """The proposal as the caller may read it."""

    ikm: IkmView


class NominationView(Model):
    """Where a nomination stands, what it waits for and until when, and its history."""

    id: str
    stage: Stage
    stage_label: str
    waiting_for: Role | None
    deadline: datetime | None
    escalated: bool
    lab: Lab
    revisions: int
    proposal: ProposalView
    registry: RegistryCheck | None
    panel: list[str]
    findings: AssessmentFindings | None = Field(
        None, description="The lab's findings, its report listed where the key may read it"
    )
    sample: SampleRecord | None = Field(None, description="The sample's receipt (`lab_testing`)")
    visit: VisitRecord | None = Field(None, description="The site visit as scheduled")
    visit_report: VisitReport | None = Field(
        None, description="The site visit's report, its photos listed where the key may read them"
    )
    result: PanelResult | None
    award: AwardRecord | None
    events: list[NominationEvent]

    @classmethod
    def of(cls, nom: Nomination, roles: Collection[Role]) -> NominationView:
        """The nomination as a key of `roles` may see it: a key that only scores (a
        juror's) reads the events as a juror may (`domain.access.events_for_juror`), and
        only a key of a role that reads the owner's contact gets it (`sees_owner`), and
        the documents its roles may read (`documents_seen`)."""
        events = events_for_juror(nom) if set(roles) == {Role.JUROR} else nom.events
        proposal = ProposalView.model_validate(nom.proposal.model_dump())
        if not any(sees_owner(role) for role in roles):
            hidden = proposal.ikm.model_copy(update={"owner": None})
            proposal = proposal.model_copy(update={"ikm": hidden})
        proposal = proposal.model_copy(
            update={"documents": documents_seen(roles, nom.proposal.documents)}
        )
        findings, report = nom.findings, nom.visit_report
        if findings is not None and findings.lab_report is not None:
            seen = documents_seen(roles, [findings.lab_report])
            findings = findings.model_copy(update={"lab_report": seen[0] if seen else None})
        if report is not None:
            report = report.model_copy(update={"photos": documents_seen(roles, report.photos)})
        return cls(
            id=nom.id,
            stage=nom.stage,
            stage_label=nom.stage.label,
            waiting_for=nom.waiting_for(),
            deadline=nom.deadline,
            escalated=nom.escalated,
            lab=nom.lab,
            revisions=nom.revisions,
            proposal=proposal,
            registry=nom.registry,
            panel=nom.panel,
            findings=findings,
            sample=nom.sample,
            visit=nom.visit,
            visit_report=report,
            result=nom.result,
            award=nom.award,
            events=events,
        )


class NominationQuery(NominationFilter):
    """`GET /nominations`'s query: the filter, and how many nominations at most."""

    limit: int = Field(100, ge=1, le=1000, description="At most this many, newest first.")


class NominationList(Model):
    items: list[NominationRow]
    count: int


class WebhookDeliveryView(Model):
    nomination_id: str
    seq: int
    subscriber: str
    event_kind: str
    status: str
    attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None


def request_model(decision: type[BaseModel], name: str) -> type[BaseModel]:
    """A decision's request body: the decision's own fields, less the actor (the key's)."""
    fields: dict[str, Any] = {
        field: (info.annotation, info)
        for field, info in decision.model_fields.items()
        if field != "actor"
    }
    body: type[BaseModel] = create_model(name, __base__=Model, __doc__=decision.__doc__, **fields)
    return body
