"""Example decisions of the stages release 1.5 added (`endorsement`, `lab_testing`,
`site_visits`): the lab's findings on a commodity's template, a sample's receipt, a site
visit's schedule and report. Used by the letters' samples, the demo and the tests."""

from __future__ import annotations

from datetime import date

from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
    AssessmentFindings,
    LabTest,
    SampleReceipt,
    VisitReport,
    VisitSchedule,
)
from domain.lab_testing import LabTesting, example_templates
from domain.labs import route_lab
from domain.proposal import Proposal
from domain.scoring import Criterion
from domain.stages import Role

MINISTRY = "Ditjen IKMA"


def example_lab_testing() -> LabTesting:
    """Samples and the example test templates (`CycleConfig.lab_testing`)."""
    return LabTesting(templates=example_templates())


def _assessor(config: CycleConfig, proposal: Proposal) -> Actor:
    """The first assessor of the proposal's commodity's lab."""
    desk = config.staff.lab_desk(route_lab(proposal.product.commodity))
    assessor = desk.assessors[0]
    return Actor(user_id=assessor.user_id, role=Role.LAB_ASSESSOR, institution=desk.lab.label)


def example_findings(
    config: CycleConfig, proposal: Proposal, conforms: bool = True
) -> AssessmentFindings:
    """The lab's findings: on the commodity's test template where the cycle has one (the
    first parameter failing where the product does not conform), or one free-form test."""
    lab = route_lab(proposal.product.commodity)
    tests = [LabTest(parameter="uji mutu produk", result="memenuhi", standard="SNI", passed=True)]
    if config.lab_testing is not None:
        template = config.lab_testing.templates[proposal.product.commodity]
        tests = [
            LabTest(
                parameter=p.name,
                method=p.method,
                result="memenuhi" if conforms or i else "melebihi batas",
                standard=p.requirement,
                passed=conforms or i > 0,
            )
            for i, p in enumerate(template.parameters)
        ]
    elif not conforms:
        tests = [tests[0].model_copy(update={"result": "tidak memenuhi", "passed": False})]
    failed = ", ".join(t.parameter for t in tests if not t.passed)
    return AssessmentFindings(
        actor=_assessor(config, proposal),
        report_number=f"LHU/{lab.name}/{proposal.cycle}/{proposal.ikm.nib[-6:]}",
        score=86 if conforms else 45,
        conforms=conforms,
        tests=tests,
        summary="Sampel memenuhi persyaratan mutu SNI yang berlaku."
        if conforms
        else f"Sampel tidak memenuhi persyaratan: {failed}.",
    )


def example_sample_receipt(
    config: CycleConfig, proposal: Proposal, received_on: date
) -> SampleReceipt:
    """The lab's record that the proposal's sample arrived in good condition."""
    return SampleReceipt(
        actor=_assessor(config, proposal), received_on=received_on, received_by="Petugas Sampel"
    )


def example_visit_schedule(config: CycleConfig, visit_on: date) -> VisitSchedule:
    """The first operator sends the first verifier and operator, and a juror."""
    staff = config.staff
    team = [staff.verifiers[0].user_id, staff.operators[0].user_id, config.jurors[0].user_id]
    operator = Actor(user_id=staff.operators[0].user_id, role=Role.OPERATOR, institution=MINISTRY)
    return VisitSchedule(actor=operator, visit_on=visit_on, team=team)


def example_visit_report(config: CycleConfig, visited_on: date) -> VisitReport:
    """The visit's report, by the verifier on its team."""
    verifier = config.staff.verifiers[0]
    return VisitReport(
        actor=Actor(user_id=verifier.user_id, role=Role.VERIFIER, institution=MINISTRY),
        visited_on=visited_on,
        findings={
            Criterion.LOCAL_RESOURCES: "Bahan baku dari perajin dan petani di desa sekitar.",
            Criterion.CULTURE_AUTHENTICITY: "Motif dan teknik turun-temurun di sentra ini.",
            Criterion.QUALITY_PRESENTATION: "Mutu rata di tiga rumah produksi yang dikunjungi.",
            Criterion.MARKET_POTENTIAL: "Pesanan rutin dari dua kota besar dan satu eksportir.",
            Criterion.SUSTAINABLE_PRODUCTION: "Dua belas perajin aktif; regenerasi berjalan.",
        },
        summary="Sentra aktif berproduksi dan sesuai dengan berkas usulan.",
    )
