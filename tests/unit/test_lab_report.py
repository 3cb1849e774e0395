"""The lab's test report (LHU): uploaded by the lab alone, carried by its findings in its
own slot, read by the panel and the official, listed with the nomination's documents."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.access import UPLOADERS, sees_document
from domain.decisions import AssessmentFindings, documents_referenced
from domain.documents import Slot, checked_document, missing_documents
from domain.errors import problems_from
from domain.presentation import current_details, view
from domain.proposal import Proposal
from domain.stages import Role, Stage
from tests.documents import pdf, png
from tests.support import NOW, at_stage, findings


def test_the_lab_uploads_its_report_the_visit_its_photos_and_the_office_the_rest() -> None:
    assert UPLOADERS[Slot.LAB_REPORT] == (Role.LAB_ASSESSOR,)
    assert UPLOADERS[Slot.VISIT_PHOTO] == (Role.VERIFIER, Role.OPERATOR, Role.JUROR)
    others = {Slot.LAB_REPORT, Slot.VISIT_PHOTO}
    assert {roles for slot, roles in UPLOADERS.items() if slot not in others} == {(Role.PROPOSER,)}


@pytest.mark.parametrize("role", [Role.JUROR, Role.OFFICIAL, Role.LAB_ASSESSOR, Role.VERIFIER])
def test_the_panel_and_the_official_read_the_report(role: Role) -> None:
    assert sees_document(role, Slot.LAB_REPORT)


def test_the_report_is_a_pdf_and_not_on_the_verifier_s_checklist() -> None:
    assert checked_document(Slot.LAB_REPORT, "lhu.pdf", pdf(b"lhu")).slot == Slot.LAB_REPORT
    with pytest.raises(Exception, match="laporan hasil uji \\(LHU\\) harus berupa PDF"):
        checked_document(Slot.LAB_REPORT, "lhu.png", png(b"lhu"))
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    assert not any("hasil uji" in p.message for p in missing_documents(nom.proposal))


def test_the_findings_carry_the_report_only_in_its_slot() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT)
    photo = checked_document(Slot.PHOTO, "foto.png", png(b"foto"))
    data = findings(nom.lab).model_dump()
    with pytest.raises(ValidationError) as refused:
        AssessmentFindings.model_validate({**data, "lab_report": photo.model_dump()})
    [problem] = problems_from(refused.value)
    # The schema says it too (`LabReportRef`): a schema-valid request is never refused here.
    assert (problem.field, problem.message) == ("lab_report.slot", "harus salah satu dari: 'lhu'")
    report = checked_document(Slot.LAB_REPORT, "LHU-0042.pdf", pdf(b"lhu"))
    taken = AssessmentFindings.model_validate({**data, "lab_report": report})
    assert documents_referenced(taken) == {"lab_report": report}
    assert documents_referenced(findings(nom.lab)) == {}


def test_the_report_is_listed_with_the_nomination_s_documents() -> None:
    nom = at_stage(Stage.TECHNICAL_ASSESSMENT)
    report = checked_document(Slot.LAB_REPORT, "LHU-0042.pdf", pdf(b"lhu"))
    nom.apply(findings(nom.lab).model_copy(update={"lab_report": report}), NOW)
    assert view(nom).documents == [report]
    assert "- laporan hasil uji (LHU): LHU-0042.pdf (application/pdf" in current_details(nom)


def test_a_proposal_and_a_resubmission_name_each_reference_by_its_field() -> None:
    nom = at_stage(Stage.ADMIN_VERIFICATION)
    photo = checked_document(Slot.PHOTO, "foto.png", png(b"foto"))
    proposal = Proposal.model_validate({**nom.proposal.model_dump(), "documents": [photo]})
    assert documents_referenced(proposal) == {"documents.0": photo}
