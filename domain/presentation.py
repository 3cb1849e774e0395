"""How a nomination reads to people: one-line summary, details, and a compact record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import Field

from domain.cycle import ProposalWindow
from domain.decisions import LabTest
from domain.documents import DocumentRef, file_size, missing_documents
from domain.errors import figure
from domain.events import EventKind, NominationEvent
from domain.labs import Lab
from domain.nomination import Nomination
from domain.proposal import Commodity, Model, Proposal
from domain.regions import Province, TimeZone
from domain.registry import describe_check
from domain.scoring import CoachingLevel, Criterion, ScoreExplanation
from domain.stages import Role, Stage
from domain.text import markdown_literal

MINISTRY_TZ = TimeZone.WIB  # Ditjen IKMA is in Jakarta


class NominationSummary(Model):
    """The facts operators filter and list by; no personal data beyond the business names."""

    id: str
    cycle: str
    ikm_name: str
    product_name: str
    commodity: Commodity
    province: Province
    regency: str
    lab: Lab
    stage: Stage
    deadline: datetime | None
    final_score: float | None
    stars: int | None
    certificate_number: str | None
    coaching_level: CoachingLevel | None = None
    previous_certificate: str | None = None
    updated_at: datetime | None
    last_seq: int


def summarize(nom: Nomination) -> NominationSummary:
    p = nom.proposal
    return NominationSummary(
        id=nom.id,
        cycle=p.cycle,
        ikm_name=p.ikm.name,
        product_name=p.product.name,
        commodity=p.product.commodity,
        province=p.sentra.province,
        regency=p.sentra.regency,
        lab=nom.lab,
        stage=nom.stage,
        deadline=nom.deadline,
        final_score=nom.result.final_score if nom.result else None,
        stars=nom.award.stars if nom.award and nom.stage == Stage.AWARDED else None,
        certificate_number=nom.award.certificate_number if nom.award else None,
        coaching_level=(
            nom.config.coaching_for(nom.award.stars)
            if nom.award and nom.stage == Stage.AWARDED
            else None
        ),
        previous_certificate=p.previous_award.certificate_number if p.previous_award else None,
        updated_at=nom.events[-1].at if nom.events else None,
        last_seq=len(nom.events),
    )


class NominationView(NominationSummary):
    """What `ovop show` tells: where a nomination stands, what it waits for, its history."""

    stage_label: str
    waiting_for: Role | None
    waiting: str | None
    escalated: bool
    revisions: int
    panel: list[str]
    pending_jurors: list[str]
    events: list[NominationEvent]
    documents: list[DocumentRef]
    earlier_documents: list[DocumentRef]  # the versions a resubmission replaced
    missing_documents: list[str]  # the verifier's checklist, in words
    sample_asked: str | None  # what the proposing office sends while the lab awaits it
    sample_received: str | None
    lab_tests: list[LabTest]
    lab_advice: str | None  # the lab's recommendation where the product did not conform
    endorsement: str | None = None  # the provincial office's last decision (`endorsement`)
    site_visit: str | None = None  # the visit's plan, or its report once made (`site_visits`)
    visit_findings: list[tuple[str, str]] = Field(default_factory=list)  # (criterion, found)


def view(nom: Nomination) -> NominationView:
    return NominationView(
        **dict(summarize(nom)),
        stage_label=nom.stage.label,
        waiting_for=nom.waiting_for(),
        waiting=waiting_text(nom),
        escalated=nom.escalated,
        revisions=nom.revisions,
        panel=nom.panel,
        pending_jurors=nom.pending_jurors() if nom.stage == Stage.PANEL_SCORING else [],
        events=nom.events,
        documents=nom.documents,
        earlier_documents=nom.earlier_documents,
        missing_documents=checklist(nom.proposal),
        sample_asked=sample_asked(nom),
        sample_received=sample_received(nom),
        lab_tests=nom.findings.tests if nom.findings else [],
        lab_advice=lab_advice(nom),
        endorsement=endorsement(nom),
        site_visit=site_visit(nom),
        visit_findings=visit_findings(nom),
    )


def endorsement(nom: Nomination) -> str | None:
    """The provincial office's last decision on the nomination, who took it and when, with
    its reason; None before it has decided (`endorsement`)."""
    taken = (EventKind.ENDORSED, EventKind.RETURNED)
    event = next((e for e in reversed(nom.events) if e.kind in taken), None)
    if event is None:
        return None
    verdict = "direkomendasikan" if event.kind == EventKind.ENDORSED else "dikembalikan"
    text = f"{verdict} oleh {event.actor.institution} ({event.actor.user_id}), {when(event.at)}"
    return f"{text} — {event.reason}" if event.reason else text


def sample_asked(nom: Nomination) -> str | None:
    """The sample the lab asks for, from the commodity's test template, while it waits."""
    testing = nom.config.lab_testing
    if nom.stage != Stage.SAMPLE_AWAITED or testing is None:
        return None
    template = testing.templates[nom.proposal.product.commodity]
    return f"{template.sample}, dikirim ke {nom.lab.label}"


def sample_received(nom: Nomination) -> str | None:
    """The sample's receipt as the lab recorded it: day, condition, and who received it."""
    s = nom.sample
    if s is None:
        return None
    text = f"{day(s.received_on)}, kondisi {s.condition.label}, diterima oleh {s.received_by}"
    return f"{text} ({s.note})" if s.note else text


def lab_advice(nom: Nomination) -> str | None:
    """The lab's recommendation, where it found the product not to conform."""
    if not nom.lab_advised_against or nom.findings is None:
        return None
    f = nom.findings
    return (
        f"{nom.lab.label} merekomendasikan produk TIDAK MEMENUHI STANDAR "
        f"(laporan {f.report_number}): {f.summary}"
    )


def visit_team(nom: Nomination) -> list[str]:
    """The site visit's team by name, as the cycle lists them; empty before it is set."""
    team = nom.visit.team if nom.visit else []
    return [m.name if (m := nom.config.visitor(u)) else u for u in team]


def site_visit(nom: Nomination) -> str | None:
    """The site visit: once reported, its day and conclusion; while it is the stage, its
    day and team or that none is set yet; None where the nomination has no visit."""
    if (r := nom.visit_report) is not None:
        return f"dikunjungi {day(r.visited_on)} oleh {r.actor.user_id}: {r.summary}"
    if nom.stage != Stage.SITE_VISIT:
        return None
    if nom.visit is None:
        return "belum dijadwalkan oleh operator"
    return f"dijadwalkan {day(nom.visit.visit_on)}, tim: {', '.join(visit_team(nom))}"


def visit_findings(nom: Nomination) -> list[tuple[str, str]]:
    """What the visit found on each criterion, in the rubric's order."""
    found = nom.visit_report.findings if nom.visit_report else {}
    return [(c.label, found[c]) for c in Criterion if c in found]


LAB_TEST_COLUMNS = ("PARAMETER", "METODE", "HASIL", "PERSYARATAN", "MEMENUHI")


def lab_test_row(test: LabTest) -> list[str]:
    """One parameter of the lab's findings, in `LAB_TEST_COLUMNS`' order."""
    return [
        test.parameter,
        test.method or "-",
        test.result,
        test.standard or "-",
        "ya" if test.passed else "TIDAK",
    ]


def lab_test_line(test: LabTest) -> str:
    """`Kadar air (SNI 01-2891-1992): memenuhi, persyaratan sesuai SNI produk — memenuhi`."""
    method = f" ({test.method})" if test.method else ""
    standard = f", persyaratan {test.standard}" if test.standard else ""
    verdict = "memenuhi" if test.passed else "TIDAK MEMENUHI"
    return f"{test.parameter}{method}: {test.result}{standard} — {verdict}"


def checklist(p: Proposal) -> list[str]:
    """What the dossier still lacks, a line each (`domain.documents.missing_documents`)."""
    return [problem.message for problem in missing_documents(p)]


def document_line(ref: DocumentRef) -> str:
    """`foto produk: batik.png (image/png, 1,2 MB), SHA-256 9f86d0...`, in Markdown: the
    file's name as its sender typed it, never read as formatting."""
    version = f", versi {ref.version}" if ref.version > 1 else ""
    return (
        f"{ref.label}: {markdown_literal(ref.name)} ({ref.media_type.value}, "
        f"{file_size(ref.size)}{version}), SHA-256 {ref.sha256}"
    )


def when(moment: datetime | str | None, tz: TimeZone = MINISTRY_TZ) -> str:
    """A moment as the ministry's letters write it: `9 Desember 2026 pukul 16.00 WIB`."""
    if moment is None:
        return "-"
    local = _local(moment, tz)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} pukul {local:%H.%M} {tz.value}"


def day(value: date | str | None) -> str:
    """A day as the ministry's letters write it: `9 Desember 2026`."""
    if value is None:
        return "-"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def when_compact(moment: datetime | str | None, tz: TimeZone = MINISTRY_TZ) -> str:
    """The same moment for a column of a terminal table: `9 Des 2026 16.00 WIB`."""
    if moment is None:
        return "-"
    local = _local(moment, tz)
    return f"{local.day} {_MONTHS[local.month - 1][:3]} {local.year} {local:%H.%M} {tz.value}"


def _local(moment: datetime | str, tz: TimeZone) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(tz.tzinfo)


_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def full_date(moment: datetime | date, tz: TimeZone = MINISTRY_TZ) -> str:
    """The day of `moment` as a letter or a certificate writes it: `9 Desember 2026` (a
    date, such as a proposal window's, is already the ministry's day)."""
    local = _local(moment, tz) if isinstance(moment, datetime) else moment
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def window_text(window: ProposalWindow) -> str:
    """A proposal window in words: `5 Januari 2026 sampai dengan 31 Desember 2026`."""
    return f"{full_date(window.opens)} sampai dengan {full_date(window.closes)}"


def score(value: float | None) -> str:
    """A score as Indonesian documents write it: `84.4` -> `84,40`; no score -> `-`."""
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def summary_line(p: Proposal) -> str:
    """One line for the Web UI's workflow list (kept well under 200 bytes)."""
    line = (
        f"OVOP {p.cycle} · {p.product.name} · {p.product.commodity.label} · "
        f"{p.sentra.regency}, {p.sentra.province.value}"
    )
    return line if len(line.encode()) <= 200 else line.encode()[:197].decode(errors="ignore") + "…"


def static_details(p: Proposal) -> str:
    """Markdown shown on the workflow page: what was proposed, by whom."""
    permits = ", ".join(_permit(x.kind.value, x.number) for x in p.product.permits) or "-"
    return "\n".join(
        [
            f"### {p.product.name}",
            f"**IKM:** {p.ikm.name}  ",
            f"**Komoditas:** {p.product.commodity.label}  ",
            f"**Sentra IKM:** {p.sentra.name}, {p.sentra.regency}, {p.sentra.province.value}  ",
            f"**SK sentra:** {p.sentra.decree.number} ({p.sentra.decree.date.isoformat()})  ",
            f"**Bahan baku lokal:** {', '.join(p.product.local_raw_materials)}  ",
            f"**Izin dan sertifikat:** {permits}  ",
            f"**Pengusul:** {p.proposing_office.name}  ",
            f"**Pembina provinsi:** {p.provincial_office.name}  ",
            f"**Siklus:** OVOP {p.cycle}",
        ]
    )


def _permit(kind: str, number: str) -> str:
    """`SNI 7275:2008`, not `SNI SNI 7275:2008`, when the number already names its kind."""
    return number if number.upper().startswith(kind) else f"{kind} {number}"


_WAITING = {
    Stage.PROVINCIAL_ENDORSEMENT: "rekomendasi dari {province_office}",
    Stage.ADMIN_VERIFICATION: "keputusan verifikasi administrasi dari Verifikator Ditjen IKMA",
    Stage.REVISION_REQUESTED: "perbaikan usulan dari {office}",
    Stage.SAMPLE_AWAITED: "sampel produk dari {office}, dicatat diterima oleh {lab}",
    Stage.TECHNICAL_ASSESSMENT: "hasil uji dan penilaian teknis dari {lab}",
    Stage.SITE_VISIT: "jadwal verifikasi lapangan dari operator, lalu laporan timnya",
    Stage.PANEL_SCORING: "nilai dari juri Tim Seleksi: {jurors}",
    Stage.AWARD_DECISION: "penetapan penghargaan oleh pejabat berwenang",
}


def waiting_text(nom: Nomination) -> str | None:
    """What the nomination waits for, and from whom; None once it waits for nothing."""
    if nom.awaiting_certificate:
        return "penerbitan nomor sertifikat"
    if nom.stage == Stage.AWARD_DECISION and nom.config.plenary.by_decree:
        return "sidang pleno Tim Seleksi dan keputusan Direktur Jenderal IKMA"
    if nom.stage == Stage.SITE_VISIT and nom.visit is not None:
        return "laporan verifikasi lapangan dari timnya"
    if nom.stage not in _WAITING:
        return None
    return _WAITING[nom.stage].format(
        office=nom.proposal.proposing_office.name,
        province_office=nom.endorsing_office or nom.proposal.provincial_office.name,
        lab=nom.lab.label,
        jurors=", ".join(nom.pending_jurors()) or "-",
    )


def current_details(nom: Nomination) -> str:
    """Markdown for the Web UI: where the nomination stands, what it waits for, until when."""
    lines = [f"**Tahap:** {nom.stage.label} (`{nom.stage.value}`)  "]
    if endorsed := endorsement(nom):
        lines.append(f"**Rekomendasi dinas provinsi:** {markdown_literal(endorsed)}  ")
    if nom.awaiting_certificate:
        lines.append("**Menunggu:** penerbitan nomor sertifikat  ")
    elif nom.stage in _WAITING:
        lines.append(f"**Menunggu:** {waiting_text(nom)}  ")
        if nom.deadline is not None:
            late = " — terlambat, telah dieskalasi" if nom.escalated else ""
            lines.append(f"**Batas waktu:** {when(nom.deadline)}{late}  ")
        step = nom.next_step
        if step is not None and step.zone is not None:
            lines.append(f"**Pengingat berikutnya:** {step.label}, {when(step.at, step.zone)}  ")
        if nom.stage == Stage.ADMIN_VERIFICATION and nom.registry is not None:
            lines.append(f"**Pemeriksaan registri:** {describe_check(nom.registry)}  ")
        if nom.stage == Stage.ADMIN_VERIFICATION and (missing := checklist(nom.proposal)):
            lines.append(f"**Berkas belum lengkap:** {'; '.join(missing)}  ")
        if asked := sample_asked(nom):
            lines.append(f"**Sampel yang diminta:** {markdown_literal(asked)}  ")
    lines += _lab_details(nom)
    if visited := site_visit(nom):
        lines.append(f"**Verifikasi lapangan:** {markdown_literal(visited)}  ")
    if nom.result is not None:
        lines.append(
            f"**Nilai akhir:** {nom.result.final_score:g} "
            f"(rekomendasi {nom.result.recommended_stars} bintang)  "
        )
    if nom.award is not None and nom.award.certificate_number:
        lines.append(
            f"**Penghargaan:** {nom.award.stars} bintang, "
            f"sertifikat {nom.award.certificate_number}  "
        )
    if nom.documents:
        lines.append("**Berkas usulan:**\n")
        lines += [f"- {document_line(ref)}" for ref in nom.documents]
        lines.append("")
    decision = last_decision(nom)
    if decision is not None:
        lines.append(f"**Keputusan terakhir:** {describe(decision)}")
    return "\n".join(lines)


def _lab_details(nom: Nomination) -> list[str]:
    """The sample's receipt, the lab's tests and, where it did not conform, its advice."""
    lines = []
    if received := sample_received(nom):
        lines.append(f"**Sampel diterima:** {markdown_literal(received)}  ")
    if advice := lab_advice(nom):
        lines.append(f"**⚠ Rekomendasi Balai Besar:** {markdown_literal(advice)}  ")
    if nom.findings is not None:
        lines.append("**Hasil uji Balai Besar:**\n")
        lines += [f"- {markdown_literal(lab_test_line(t))}" for t in nom.findings.tests]
        lines.append("")
    return lines


def last_decision(nom: Nomination) -> NominationEvent | None:
    """The last thing a person decided (not the engine's own deadline steps)."""
    return next((e for e in reversed(nom.events) if e.actor.role != Role.SYSTEM), None)


def describe(event: NominationEvent) -> str:
    """One line about an event, for people."""
    actor = event.actor
    text = f"{event.kind.label} oleh {actor.user_id} ({actor.role.label}), {when(event.at)}"
    if event.reason:
        text += f" — {event.reason}"
    return text


class ExplainedScore(Model):
    """How a final score was reached (`ScoreExplanation`), in words: what `ovop explain`
    prints and the official's award page shows."""

    weights: str  # the criteria's weights, in a line
    median: str
    jurors: list[list[str]]  # each juror: id, total, distance from the median, a note
    lines: list[str]  # the panel's score, the lab's, the final score's sum, the stars


def explained(why: ScoreExplanation, names: Mapping[str, str] | None = None) -> ExplainedScore:
    """How the final score was reached, in lines for people, with Indonesian decimal
    commas; each juror by name where `names` (user id -> name) knows them."""
    weights = ", ".join(f"{c.label} {figure(why.weights.of(c))}%" for c in Criterion)
    lines = [
        f"Nilai Tim Seleksi (rata-rata berbobot): {score(why.panel_score)}",
        f"Nilai teknis Balai Besar: {figure(why.lab_score)} (bobot {figure(why.lab_weight)})",
        f"Nilai akhir: (1 - {figure(why.lab_weight)}) x {score(why.panel_score)} + "
        f"{figure(why.lab_weight)} x {figure(why.lab_score)} = {score(why.final_score)}",
        f"Bintang: {why.stars}",
    ]
    if why.next_level is not None and why.points_to_next_level is not None:
        lines.append(
            f"Ke {why.next_level.stars} bintang (min. {figure(why.next_level.min_score)}): "
            f"kurang {figure(why.points_to_next_level)} poin"
        )
    names = names or {}
    return ExplainedScore(
        weights=f"Bobot kriteria: {weights}",
        median=f"Median nilai juri: {figure(why.median)}",
        jurors=[
            [
                names.get(line.juror_id, line.juror_id),
                score(line.total),
                score(line.deviation),
                f"jauh dari median, bobot {figure(line.weight)}" if line.outlier else "",
            ]
            for line in why.jurors
        ],
        lines=lines,
    )
