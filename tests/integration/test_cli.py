"""`ovop`, the operator's command, against the real dev server with a worker running.

The command runs in-process (typer's CliRunner, in a thread so the worker keeps running on
the test's loop); what the Web UI shows is read back from Temporal itself: the search
attributes from `describe()`, the current details from the workflow's metadata query.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shlex
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer.main
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from activities.mail import Mailer
from demo import DEMO_CYCLE, DEMO_STAGES
from domain.calendar import local_date
from domain.documents import Slot, checked_document
from domain.eligibility import parse_proposal
from domain.examples import (
    DEMO_EXAMPLES,
    example_cycle_config,
    example_lab_testing,
    example_proposals,
    proposer_of,
    provincial_office_of,
)
from domain.labs import Lab, route_lab
from domain.proposal import Proposal
from domain.regions import TimeZone
from domain.stages import Stage
from records import RecordStore
from starter import app
from tests.documents import elf, nonce, pdf, png
from tests.integration.conftest import free_port
from tests.support import OWN_CYCLE, fresh_raw, unique_cycle
from worker import activities_for, build_worker
from workflows import names
from workflows.client import start_nomination
from workflows.visibility import last_cycle, quote

pytestmark = pytest.mark.integration

ASSESSOR = {
    Lab.AGRO: "lab.agro.1",
    Lab.KERAJINAN_BATIK: "lab.kb.1",
    Lab.KERAMIK_MINERAL: "lab.kmnl.1",
}


def scores(local_resources: int = 85) -> str:
    return (
        f"--local-resources {local_resources} --culture-authenticity 90 "
        "--quality-presentation 80 --market-potential 80 --sustainable-production 85 "
        "--comment 'Khas daerah.'"
    )


def command(line: str, **values: str) -> list[str]:
    """`ovop` arguments from a command line with `{placeholders}`, each value quoted."""
    return shlex.split(line.format(**{k: shlex.quote(v) for k, v in values.items()}))


@dataclass
class Ovop:
    """Runs `ovop ...` in-process against the test's server, task queue and cycle."""

    env: dict[str, str]
    folder: Path
    cycle: str
    runner: CliRunner = field(default_factory=CliRunner)

    async def __call__(self, line: str, *, code: int = 0, **values: str) -> Result:
        args = command(line, **values)
        result = await asyncio.to_thread(self.runner.invoke, app, args, env=self.env)
        assert result.exit_code == code, (
            f"ovop {shlex.join(args)} exited {result.exit_code}, not {code}:\n"
            f"{result.output}{result.exception!r}"
        )
        return result

    async def json(self, line: str, **values: str) -> Any:
        return json.loads((await self(line + " --json", code=0, **values)).stdout)

    def write(self, name: str, data: Any) -> str:
        path = self.folder / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return str(path)


def target(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


@pytest.fixture
async def ovop(
    dev_env: WorkflowEnvironment, store: RecordStore, mailer: Mailer, tmp_path: Path
) -> AsyncIterator[Ovop]:
    """`ovop` with a worker of its own, on a fresh task queue, with the real activities,
    and a cycle of its own that `ovop cycle open` opened for proposals."""
    task_queue = f"cli-{uuid.uuid4()}"
    env = {"TEMPORAL_ADDRESS": target(dev_env), "OVOP_TASK_QUEUE": task_queue}
    async with build_worker(dev_env.client, task_queue, activities_for(store, mailer)):
        ovop = Ovop(env, tmp_path, unique_cycle())
        today = date.today()
        await ovop(
            "cycle open {cycle} --as op.sari --opens {opens} --closes {closes} --reason {reason}",
            cycle=ovop.cycle,
            opens=(today - timedelta(days=1)).isoformat(),
            closes=(today + timedelta(days=30)).isoformat(),
            reason=OWN_CYCLE,
        )
        yield ovop


async def nominate(ovop: Ovop, index: int = 0) -> tuple[str, dict[str, Any], Proposal]:
    """A fresh example proposal (a NIB of its own) started with `ovop nominate`."""
    raw = fresh_raw(index, ovop.cycle, date.today())
    path = ovop.write(f"usulan-{uuid.uuid4()}.json", raw)
    started = await ovop.json("nominate {file}", file=path)
    return started["id"], raw, parse_proposal(raw)


async def current_details(client: Client, nomination_id: str) -> str:
    """The Markdown the Web UI shows as 'Current Details'."""
    metadata: WorkflowMetadata = await client.get_workflow_handle(nomination_id).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    return metadata.current_details


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    """Visibility follows the workflow a moment later: ask again until it agrees."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "visibility never caught up"
        await asyncio.sleep(0.1)


@dataclass
class Expected:
    stage: Stage
    waiting: str | None  # the start of the "Menunggu" line; None: no such line
    last: str  # part of the "Keputusan terakhir" line
    score: float | None = None
    stars: int | None = None


async def check_web_ui_view(client: Client, nomination_id: str, p: Proposal, e: Expected) -> None:
    """The search attributes and current details an operator sees after a step."""
    attrs = (await client.get_workflow_handle(nomination_id).describe()).typed_search_attributes
    assert attrs.get(names.STAGE) == e.stage.value
    assert attrs.get(names.CYCLE) == p.cycle
    assert attrs.get(names.COMMODITY) == p.product.commodity.value
    assert attrs.get(names.PROVINCE) == p.sentra.province.value
    assert attrs.get(names.REGENCY) == p.sentra.regency
    assert attrs.get(names.LAB) == route_lab(p.product.commodity).value
    assert (attrs.get(names.DEADLINE) is None) == e.stage.is_terminal
    assert attrs.get(names.SCORE) == e.score
    assert attrs.get(names.STARS) == e.stars

    details = await current_details(client, nomination_id)
    assert f"**Tahap:** {e.stage.label} (`{e.stage.value}`)" in details
    if e.waiting is None:
        assert "**Menunggu:**" not in details and "**Batas waktu:**" not in details
    else:
        assert f"**Menunggu:** {e.waiting}" in details
        assert "**Batas waktu:** " in details and " WIB" in details
    last_line = details.splitlines()[-1]
    assert last_line.startswith("**Keputusan terakhir:** ") and e.last in last_line


async def test_a_nomination_through_every_stage_with_ovop_only(
    ovop: Ovop, dev_env: WorkflowEnvironment
) -> None:
    nomination_id, raw, p = await nominate(ovop, 0)
    proposer = proposer_of(p)
    lab = route_lab(p.product.commodity)

    async def step(line: str, **values: str) -> dict[str, Any]:
        result: dict[str, Any] = await ovop.json(line, id=nomination_id, **values)
        assert result["nomination_id"] == nomination_id
        return result

    async def then(e: Expected) -> dict[str, Any]:
        # `show` first: its query is answered once the worker has taken the last step.
        shown: dict[str, Any] = await ovop.json("show {id}", id=nomination_id)
        assert shown["stage"] == e.stage.value
        await check_web_ui_view(dev_env.client, nomination_id, p, e)
        return shown

    shown = await then(
        Expected(Stage.ADMIN_VERIFICATION, "keputusan verifikasi administrasi", "Usulan diterima")
    )
    assert shown["waiting_for"] == "verifier"

    await step("verify {id} --revise 'Lampirkan SK sentra.' --as verif.rina")
    await then(
        Expected(
            Stage.REVISION_REQUESTED,
            f"perbaikan usulan dari {p.proposing_office.name}",
            "Perbaikan usulan diminta oleh verif.rina",
        )
    )

    raw["product"]["description"] += " SK sentra terlampir."
    await step(
        "resubmit {id} {file} --as {user} --institution {office} --note 'SK terlampir'",
        file=ovop.write("perbaikan.json", raw),
        user=proposer.user_id,
        office=proposer.institution,
    )
    await then(
        Expected(
            Stage.ADMIN_VERIFICATION,
            "keputusan verifikasi administrasi",
            f"Perbaikan usulan diajukan oleh {proposer.user_id}",
        )
    )

    await step("verify {id} --pass --as verif.rina")
    await then(
        Expected(
            Stage.TECHNICAL_ASSESSMENT,
            f"hasil uji dan penilaian teknis dari {lab.label}",
            "Lolos verifikasi administrasi oleh verif.rina",
        )
    )

    await step(
        "assess {id} --as {user} --institution {lab} --report LHU/KB/2026/017 --score 86"
        " --summary 'Sampel sesuai SNI.' --test 'ketahanan luntur=4-5;SNI ISO 105-C06;pass'",
        user=ASSESSOR[lab],
        lab=lab.label,
    )
    shown = await then(
        Expected(
            Stage.PANEL_SCORING,
            "nilai dari juri Tim Seleksi: ",
            f"Penilaian teknis Balai Besar selesai oleh {ASSESSOR[lab]}",
        )
    )
    panel: list[str] = shown["panel"]
    assert len(panel) >= 2 and shown["pending_jurors"] == panel

    for scored, juror in enumerate(panel, start=1):
        await step(f"score {{id}} --as {{juror}} {scores()}", juror=juror)
        if scored < len(panel):
            await then(
                Expected(
                    Stage.PANEL_SCORING,
                    f"nilai dari juri Tim Seleksi: {', '.join(panel[scored:])}",
                    f"Nilai juri diterima oleh {juror}",
                )
            )
    final_score = (await ovop.json("show {id}", id=nomination_id))["final_score"]
    assert final_score is not None and final_score >= 80
    await then(
        Expected(
            Stage.AWARD_DECISION,
            "penetapan penghargaan oleh pejabat berwenang",
            f"Nilai juri diterima oleh {panel[-1]}",  # closing the panel is the engine's step
            score=final_score,
        )
    )

    awarded = await step("award {id} --confirm --as dirjen.ikma")
    assert awarded["stage"] == "AWARDED" and awarded["certificate_number"]
    shown = await then(
        Expected(
            Stage.AWARDED,
            None,
            "Penghargaan ditetapkan oleh dirjen.ikma",
            score=final_score,
            stars=3,
        )
    )
    assert shown["certificate_number"] == awarded["certificate_number"]
    assert [e["to_stage"] for e in shown["events"] if e["from_stage"] != e["to_stage"]] == [
        "ADMIN_VERIFICATION",
        "REVISION_REQUESTED",
        "ADMIN_VERIFICATION",
        "TECHNICAL_ASSESSMENT",
        "PANEL_SCORING",
        "AWARD_DECISION",
        "AWARDED",
    ]

    # The operator's text view says the same, and `ovop list` finds it by stage.
    text = (await ovop("show {id}", id=nomination_id)).stdout
    assert "Tahap       : Meraih Penghargaan (AWARDED)" in text
    assert f"Penghargaan : 3 bintang ({awarded['certificate_number']})" in text
    award = next(e for e in shown["events"] if e["to_stage"] == "AWARDED")
    award_row = next(line for line in text.splitlines() if "AWARD_DECISION -> AWARDED" in line)
    assert award_row.split()[0] == str(award["seq"])  # a row of the history table
    # `explain` has a row per juror, with the same total its JSON gives.
    why = await ovop.json("explain {id}", id=nomination_id)
    explained = (await ovop("explain {id}", id=nomination_id)).stdout.splitlines()
    for line in why["jurors"]:
        row = next(r for r in explained if r.startswith(line["juror_id"] + " "))
        assert row.split()[1] == f"{line['total']:.2f}".replace(".", ",")  # a decimal comma

    async def listed() -> bool:
        rows = await ovop.json("list --stage awarded --province {p}", p=p.sentra.province)
        return any(r["id"] == nomination_id and r["stars"] == 3 for r in rows)

    await eventually(listed)


@pytest.mark.parametrize(
    ("decision", "stage"),
    [
        ("verify {id} --reject 'SK sentra tidak sah' --as verif.rina", Stage.REJECTED),
        ("withdraw {id} --reason 'IKM mengundurkan diri' --as op.sari", Stage.WITHDRAWN),
    ],
    ids=["rejected", "withdrawn"],
)
async def test_a_nomination_ends_early(
    ovop: Ovop, dev_env: WorkflowEnvironment, decision: str, stage: Stage
) -> None:
    nomination_id, _, p = await nominate(ovop, 1)
    assert (await ovop.json(decision, id=nomination_id))["stage"] == stage.value
    actor = command(decision, id="x")[-1]
    await check_web_ui_view(dev_env.client, nomination_id, p, Expected(stage, None, actor))
    # Nothing more can be decided, and `ovop` says why: the validator while the workflow
    # still records the end, Temporal's "completed" (which `ovop` explains) once it has.
    refused = await ovop("verify {id} --pass --as verif.rina", code=2, id=nomination_id)
    assert "  - stage: " in refused.stderr
    assert f"tahap {stage.label} ({stage.value})" in refused.stderr
    await dev_env.client.get_workflow_handle(nomination_id).result()
    closed = await ovop("verify {id} --pass --as verif.rina", code=2, id=nomination_id)
    assert f"stage: usulan ini sudah selesai pada tahap {stage.label} ({stage.value})" in (
        closed.stderr
    )


async def test_a_product_that_fails_the_lab_is_not_awarded(
    ovop: Ovop, dev_env: WorkflowEnvironment
) -> None:
    ovop.env["OVOP_DOCUMENTS_URL"] = (ovop.folder / "dokumen").as_uri()
    report = ovop.folder / "LHU-9.pdf"
    report.write_bytes(pdf(nonce()))
    nomination_id, _, p = await nominate(ovop, 2)
    lab = route_lab(p.product.commodity)
    await ovop("verify {id} --pass --as verif.rina", id=nomination_id)
    await ovop(
        "assess {id} --as {user} --institution {lab} --report LHU-9 --score 40"
        " --summary 'Retak setelah uji kejut suhu.' --does-not-conform"
        " --test 'ketahanan kejut suhu=retak;SNI 7275:2008;fail' --lab-report {file}",
        id=nomination_id,
        user=ASSESSOR[lab],
        lab=lab.label,
        file=str(report),
    )
    last = f"Penilaian teknis Balai Besar selesai oleh {ASSESSOR[lab]}"
    await check_web_ui_view(
        dev_env.client, nomination_id, p, Expected(Stage.NOT_AWARDED, None, last)
    )
    sha256 = hashlib.sha256(report.read_bytes()).hexdigest()
    shown = (await ovop("show {id}", id=nomination_id)).stdout
    assert "laporan hasil uji (LHU)" in shown and sha256 in shown
    assert (ovop.folder / "dokumen" / sha256[:2] / sha256).read_bytes() == report.read_bytes()


async def test_a_cycle_reconfigured_for_endorsement_and_samples_runs_with_ovop(
    ovop: Ovop, dev_env: WorkflowEnvironment
) -> None:
    config = example_cycle_config(ovop.cycle, endorsement={}, lab_testing=example_lab_testing())
    path = ovop.write("siklus-sampel.json", config.model_dump(mode="json"))
    await ovop(
        "cycle configure {cycle} {file} --as op.sari --reason {reason}",
        cycle=ovop.cycle,
        file=path,
        reason="Dinas provinsi merekomendasikan; Balai Besar meminta sampel produk",
    )
    nomination_id, _, p = await nominate(ovop, 3)
    lab = route_lab(p.product.commodity)
    province = provincial_office_of(p)
    endorse = "endorse {id} --as {user} --institution {office}"
    values = {"id": nomination_id, "user": province.user_id, "office": province.institution}
    unexplained = await ovop(endorse + " --return", code=2, **values)
    assert "  - reason: alasan wajib diisi bila usulan dikembalikan" in unexplained.stderr
    endorsed = await ovop.json(endorse, **values)
    assert endorsed["stage"] == Stage.ADMIN_VERIFICATION.value
    verified = await ovop.json("verify {id} --pass --as verif.rina", id=nomination_id)
    assert verified["stage"] == Stage.SAMPLE_AWAITED.value
    await check_web_ui_view(
        dev_env.client,
        nomination_id,
        p,
        Expected(Stage.SAMPLE_AWAITED, "sampel produk dari ", "verif.rina"),
    )
    receipt = (
        "receive-sample {id} --as {user} --institution {lab} --received-on {day}"
        " --received-by 'Dewi, petugas sampel'"
    )
    values = {"id": nomination_id, "user": ASSESSOR[lab], "lab": lab.label}
    # The lab's day, in the lab's time zone (WIB): in the evening UTC it is already tomorrow.
    day = local_date(datetime.now(UTC), TimeZone.WIB).isoformat()
    refused = await ovop(receipt + " --condition rusak", code=2, day=day, **values)
    assert "  - note: uraikan kondisi sampel yang rusak" in refused.stderr
    received = await ovop.json(receipt, day=day, **values)
    assert received["stage"] == Stage.TECHNICAL_ASSESSMENT.value
    free_form = await ovop(
        "assess {id} --as {user} --institution {lab} --report LHU-7 --score 80"
        " --summary 'Baik.' --test 'uji mutu=baik;SNI;pass'",
        code=2,
        **values,
    )
    assert "tests.0.parameter" in free_form.stderr and "templat uji" in free_form.stderr


# --- finding nominations ----------------------------------------------------------------


async def test_list_filters_by_stage_cycle_province_and_commodity(ovop: Ovop) -> None:
    batik, _, p = await nominate(ovop, 0)
    other, _, _ = await nominate(ovop, 2)
    await ovop("verify {id} --pass --as verif.rina", id=other)

    async def listed() -> bool:
        rows = await ovop.json(
            "list --stage ADMIN_VERIFICATION --cycle {c} --province {p} --commodity kain_batik",
            c=ovop.cycle,
            p=p.sentra.province.value.lower(),
        )
        ids = {r["id"] for r in rows}
        return batik in ids and other not in ids

    await eventually(listed)
    text = (await ovop("list --stage admin_verification --commodity KAIN_BATIK")).stdout
    assert batik in text and other not in text
    assert (
        'Kueri (juga untuk Web UI): WorkflowType = "NominationWorkflow" AND '
        'OvopStage = "ADMIN_VERIFICATION" AND OvopCommodity = "kain_batik"'
    ) in text


async def test_a_quoted_value_cannot_add_a_clause_on_the_server(
    ovop: Ovop, dev_env: WorkflowEnvironment
) -> None:
    await nominate(ovop, 0)
    hostile = 'x" OR WorkflowType = "NominationWorkflow'

    async def injected() -> bool:
        return (await dev_env.client.count_workflows(f'OvopRegency = "{hostile}"')).count > 0

    await eventually(injected)  # unquoted, the value adds a clause that matches them all
    assert (await dev_env.client.count_workflows(f"OvopRegency = {quote(hostile)}")).count == 0


async def test_a_cycle_out_of_turn_opens_only_with_its_reason(
    dev_env: WorkflowEnvironment, ovop: Ovop
) -> None:
    """The last cycle comes from visibility: a cycle a year after it is refused without
    --reason, and opens with one, which `cycle status` shows."""

    async def sees_the_last() -> bool:
        return await last_cycle(dev_env.client, "") == ovop.cycle

    await eventually(sees_the_last)
    following = unique_cycle()
    assert int(following) == int(ovop.cycle) + 1
    today = date.today()
    line = "cycle open {cycle} --as op.sari --opens {opens} --closes {closes}"
    opens, closes = today.isoformat(), (today + timedelta(days=30)).isoformat()
    refused = await ovop(line, code=2, cycle=following, opens=opens, closes=closes)
    assert "off_schedule_reason: siklus OVOP diselenggarakan dua tahun sekali" in refused.stderr
    assert f"siklus terakhir {ovop.cycle}" in refused.stderr
    reason = "Penyesuaian jadwal dengan anggaran kementerian"
    await ovop(
        line + " --reason {reason}", cycle=following, opens=opens, closes=closes, reason=reason
    )
    status = (await ovop("cycle status {cycle}", cycle=following)).stdout
    assert f"Dibuka di luar jadwal dua tahunan setelah siklus {ovop.cycle}: {reason}" in status


async def test_a_cycle_that_awards_per_nomination_has_no_plenary_and_no_decree(
    ovop: Ovop,
) -> None:
    """`ovop plenary` and `ovop decree` on a cycle without `plenary.by_decree` are refused,
    saying why; a commodity that is not one is refused by name."""
    refused = await ovop("plenary open {cycle} kain_batik --as op.sari", code=2, cycle=ovop.cycle)
    assert "tidak memakai sidang pleno" in refused.stderr
    refused = await ovop("decree issue {cycle} --as dirjen.ikma", code=2, cycle=ovop.cycle)
    assert "tidak memakai sidang pleno" in refused.stderr
    refused = await ovop("plenary open {cycle} batik --as op.sari", code=2, cycle=ovop.cycle)
    assert "batik" in refused.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--province Narnia", "province: provinsi tidak dikenal: 'Narnia'"),
        ("--cycle 26", "cycle: harus berupa tahun dengan empat angka (contoh: 2026)"),
        ("--regency Pekalongan", "regency: nama kabupaten/kota harus diawali"),
        ("--stage DONE", "Invalid value for '--stage'"),
        ("--commodity kopi", "Invalid value for '--commodity'"),
    ],
)
async def test_list_refuses_a_filter_it_does_not_know(
    ovop: Ovop, options: str, message: str
) -> None:
    assert message in (await ovop(f"list {options}", code=2)).output


# --- what `ovop` refuses, and why ---------------------------------------------------------


async def test_nominate_refuses_bad_files_and_invalid_proposals(ovop: Ovop) -> None:
    folder = ovop.folder
    (folder / "rusak.json").write_text('{"cycle": "2026",', encoding="utf-8")
    (folder / "latin1.json").write_bytes('{"nama": "Kopi Gayo Â"}'.encode("latin-1"))
    for name, message in [
        ("tidak-ada.json", "berkas tidak ditemukan"),
        (".", "adalah folder, bukan berkas JSON"),
        ("rusak.json", "bukan JSON yang sah: baris 1"),
        ("latin1.json", "bukan teks UTF-8"),
    ]:
        result = await ovop("nominate {file}", code=1, file=str(folder / name))
        assert message in result.stderr

    raw = fresh_raw(0, ovop.cycle, date.today())
    del raw["sentra"]["decree"]["number"]
    raw["ikm"]["nib"] = "12345"
    invalid = await ovop("nominate {file}", code=2, file=ovop.write("invalid.json", raw))
    assert "sentra.decree.number: wajib diisi" in invalid.stderr
    assert "ikm.nib: NIB (Nomor Induk Berusaha) harus 13 digit angka" in invalid.stderr

    coffee = fresh_raw(4, ovop.cycle, date.today())  # food and drink needs a distribution permit
    coffee["product"]["permits"] = []
    ineligible = await ovop("nominate {file}", code=2, file=ovop.write("kopi.json", coffee))
    assert "product.permits: produk makanan dan minuman wajib memiliki izin edar" in (
        ineligible.stderr
    )


async def test_nominate_twice_is_refused(ovop: Ovop) -> None:
    nomination_id, raw, _ = await nominate(ovop, 0)
    again = await ovop("nominate {file}", code=3, file=ovop.write("lagi.json", raw))
    assert f"usulan ini sudah pernah diajukan: {nomination_id}" in again.stderr


async def test_decisions_are_refused_with_the_validators_message(ovop: Ovop) -> None:
    nomination_id, raw, p = await nominate(ovop, 0)
    lab = route_lab(p.product.commodity)
    assess = "assess {id} --as {user} --institution {lab} --report LHU-1 --score 80 --summary ok"
    refusals = [
        (
            "verify {id} --pass --as verif.rina --role juror",
            "actor.role: keputusan ini hanya untuk Verifikator Ditjen IKMA, bukan Juri",
        ),
        (
            "verify {id} --pass --as verif.tamu",
            'actor.user_id: "verif.tamu" tidak terdaftar sebagai verifikator siklus ',
        ),
        ("verify {id} --revise '  ' --as verif.rina", "reason: tidak boleh kosong"),
        ("verify {id} --as verif.rina", "pilih tepat satu: --pass, --reject ALASAN atau"),
        (
            assess + " --test 'warna=baik;SNI;pass'",
            "stage: keputusan penilaian teknis hanya dapat diberikan pada tahap Penilaian "
            "Teknis Balai Besar; usulan ini sedang pada tahap Verifikasi Administrasi",
        ),
        (assess + " --test 'warna baik'", "--test 'warna baik': tulis sebagai 'parameter="),
        (
            "score {id} --as juri.budi " + scores(local_resources=101),
            "scores.local_resources: tidak boleh lebih dari 100",
        ),
        (
            "award {id} --confirm --override 2 --as dirjen.ikma",
            "pilih tepat satu: --confirm atau --override BINTANG --reason ALASAN",
        ),
        (
            "award {id} --confirm --as dirjen.ikma",
            "stage: keputusan penetapan penghargaan hanya dapat diberikan pada tahap Penetapan",
        ),
        (
            "withdraw {id} --reason 'salah kirim' --as verif.rina --role verifier",
            "actor.role: keputusan ini hanya untuk Dinas Perindustrian pengusul atau Operator",
        ),
        (
            "resubmit {id} {file} --as {proposer} --institution {office}",
            "stage: keputusan pengajuan perbaikan hanya dapat diberikan pada tahap Perbaikan",
        ),
    ]
    values = {
        "id": nomination_id,
        "user": ASSESSOR[lab],
        "lab": lab.label,
        "file": ovop.write("perbaikan.json", raw),
        "proposer": proposer_of(p).user_id,
        "office": p.proposing_office.name,
    }
    for line, message in refusals:
        result = await ovop(line, code=2, **values)
        assert message in result.stderr, (line, result.stderr)
    # None of them moved it.
    assert (await ovop.json("show {id}", id=nomination_id))["stage"] == "ADMIN_VERIFICATION"


async def test_resubmit_refuses_a_bad_file_and_an_invalid_proposal(ovop: Ovop) -> None:
    nomination_id, raw, p = await nominate(ovop, 3)
    await ovop("verify {id} --revise 'Foto proses produksi.' --as verif.rina", id=nomination_id)
    resubmit = "resubmit {id} {file} --as {user} --institution {office}"
    who = {"id": nomination_id, "user": proposer_of(p).user_id, "office": p.proposing_office.name}

    missing = await ovop(resubmit, code=1, file=str(ovop.folder / "x.json"), **who)
    assert "berkas tidak ditemukan" in missing.stderr
    # A document nobody uploaded is refused at its field, as the API refuses it.
    ovop.env["OVOP_DOCUMENTS_URL"] = (ovop.folder / "dokumen").as_uri()
    photo = checked_document(Slot.PHOTO, "foto.png", png(nonce())).model_dump(mode="json")
    unstored = ovop.write("foto.json", {**raw, "documents": [photo]})
    never = await ovop(resubmit, code=2, file=unstored, **who)
    assert "proposal.documents.0.sha256: berkas ini belum diunggah" in never.output
    raw["ikm"]["nib"] = "9" * 13
    other_ikm = await ovop(resubmit, code=2, file=ovop.write("nib.json", raw), **who)
    assert "proposal.ikm.nib: NIB tidak boleh diubah" in other_ikm.stderr
    del raw["product"]["commodity"]
    invalid = await ovop(resubmit, code=2, file=ovop.write("c.json", raw), **who)
    assert "product.commodity: wajib diisi" in invalid.stderr


UNKNOWN = "ovop-2026-tidak-ada-0000000000"
EVERY_CALL = {
    "list": "list",
    "show": "show {id}",
    "verify": "verify {id} --pass --as verif.rina",
    "assess": "assess {id} --as lab.kb.1 --institution BBSPJI --report L-1 --score 80"
    " --summary ok --test 'warna=baik;SNI;pass'",
    "score": "score {id} --as juri.budi " + scores(),
    "award": "award {id} --confirm --as dirjen.ikma",
    "withdraw": "withdraw {id} --reason salah --as op.sari",
    "extend": "extend {id} --working-days 5 --reason 'menunggu sertifikat' --as op.sari",
    "reassign": "reassign {id} --juror juri.budi --reason 'konflik kepentingan' --as op.sari",
    "declare-conflict": "declare-conflict {id} --reason 'kerabat pemilik' --as juri.budi",
    "explain": "explain {id}",
    "resubmit": "resubmit {id} {file} --as disperin@example.id --institution Dinas",
    "nominate": "nominate {file}",
}
ON_A_NOMINATION = [c for c in EVERY_CALL if c not in ("list", "nominate")]


@pytest.mark.parametrize("name", ON_A_NOMINATION)
async def test_an_unknown_id_is_named(ovop: Ovop, name: str) -> None:
    file = ovop.write("usulan.json", fresh_raw(0))
    result = await ovop(EVERY_CALL[name], code=4, id=UNKNOWN, file=file)
    assert f"usulan tidak ditemukan: {UNKNOWN}" in result.stderr


@pytest.mark.parametrize("name", list(EVERY_CALL))
def test_server_down_is_said_plainly(name: str, tmp_path: Path) -> None:
    (tmp_path / "usulan.json").write_text(json.dumps(fresh_raw(0)), encoding="utf-8")
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    args = command(EVERY_CALL[name], id=UNKNOWN, file=str(tmp_path / "usulan.json"))
    result = CliRunner().invoke(app, args, env={"TEMPORAL_ADDRESS": address})
    assert result.exit_code == 1, result.output
    assert f"tidak dapat terhubung ke server Temporal di {address}." in result.stderr
    assert "Jalankan `make run`, atau atur TEMPORAL_ADDRESS" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def test_no_worker_is_said_plainly(dev_env: WorkflowEnvironment) -> None:
    """With nobody polling the task queue, `ovop` gives up after its timeout and says why.

    Run as the console script: an abandoned update must not keep the process alive."""
    p = parse_proposal(fresh_raw(0))
    handle = await start_nomination(
        dev_env.client, p, example_cycle_config("2026"), proposer_of(p), f"nobody-{uuid.uuid4()}"
    )
    script = str(Path(sys.executable).parent / "ovop")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "OVOP_"))}
    env |= {
        "TEMPORAL_ADDRESS": target(dev_env),
        "OVOP_CLI_TIMEOUT_SECONDS": "1",
        "OVOP_CODEC": "false",
    }
    try:
        for line in ("show {id}", "verify {id} --pass --as verif.rina"):
            process = await asyncio.create_subprocess_exec(
                script,
                *command(line, id=handle.id),
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(process.communicate(), 30)
            assert process.returncode == 1, err.decode()
            assert f"tidak ada jawaban dari worker dalam 1 detik untuk {handle.id}" in err.decode()
    finally:
        await handle.terminate("test selesai")


# --- the rest -------------------------------------------------------------------------------


def test_example_proposal_prints_every_example_valid() -> None:
    runner = CliRunner()
    products = set()
    for index in range(DEMO_EXAMPLES + 1):
        result = runner.invoke(app, ["example-proposal", "--index", str(index)])
        assert result.exit_code == 0
        products.add(parse_proposal(json.loads(result.stdout)).product.name)
    assert len(products) == DEMO_EXAMPLES + 1
    out_of_range = runner.invoke(app, ["example-proposal", "--index", str(DEMO_EXAMPLES + 1)])
    assert out_of_range.exit_code == 2


def test_the_default_example_is_not_a_demo_nomination() -> None:
    """The README's `ovop example-proposal > usulan.json && ovop nominate usulan.json` on a
    fresh `make run`: the example it prints is not one the demo already proposed."""
    result = CliRunner().invoke(app, ["example-proposal", "--cycle", DEMO_CYCLE])
    example = parse_proposal(json.loads(result.stdout))
    seeded = [parse_proposal(raw) for raw in example_proposals(DEMO_CYCLE)[:DEMO_EXAMPLES]]
    assert len(seeded) == len(DEMO_STAGES)
    assert example.ikm.nib not in {p.ikm.nib for p in seeded}
    assert example.product.name not in {p.product.name for p in seeded}


def test_every_command_has_help() -> None:
    runner = CliRunner()
    root: Any = typer.main.get_command(app)
    assert set(EVERY_CALL) | {"example-proposal", "dev", "mail"} <= set(root.commands)
    commands = [[name] for name in root.commands]
    commands += [["cycle", name] for name in root.commands["cycle"].commands]
    for words in commands:
        result = runner.invoke(app, [*words, "--help"], prog_name="ovop")
        assert result.exit_code == 0, words
        assert f"Usage: ovop {' '.join(words)} [OPTIONS]" in result.stdout, words
    assert "Exit codes" in runner.invoke(app, ["--help"]).stdout


def test_dev_says_which_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(
            app,
            command(
                "dev --var {var} --temporal-port {port} --ui-port {ui} --smtp-port {smtp}"
                " --api-port {api}",
                var=str(tmp_path),
                port=port,
                ui=str(free_port()),
                smtp=str(free_port()),
                api=str(free_port()),
            ),
        )
    assert result.exit_code == 1
    assert f"port sudah dipakai: {port} (Temporal gRPC)" in result.stderr


async def test_ovop_uploads_documents_and_shows_them_with_their_hashes(
    ovop: Ovop, dev_env: WorkflowEnvironment
) -> None:
    ovop.env["OVOP_DOCUMENTS_URL"] = (ovop.folder / "dokumen").as_uri()
    renamed = ovop.folder / "sk-sentra.pdf"
    renamed.write_bytes(elf())
    result = await ovop("upload sk_sentra {file}", code=2, file=str(renamed))
    assert "sk_sentra: SK penetapan sentra IKM harus berupa PDF" in result.output

    photo_file = ovop.folder / "foto batik.png"
    photo_file.write_bytes(png(nonce()))
    photo = json.loads((await ovop("upload foto_produk {file}", file=str(photo_file))).stdout)
    halal_file = ovop.folder / "halal.pdf"
    halal_file.write_bytes(pdf(nonce()))
    halal = json.loads(
        (await ovop("upload izin {file} --permit HALAL", file=str(halal_file))).stdout
    )
    assert (halal["slot"], halal["permit"], halal["media_type"]) == (
        "izin",
        "HALAL",
        "application/pdf",
    )
    kept = ovop.folder / "dokumen" / photo["sha256"][:2] / photo["sha256"]
    assert kept.read_bytes() == photo_file.read_bytes()

    raw = {**fresh_raw(0, ovop.cycle, date.today()), "documents": [photo, halal]}
    # A reference to a file never uploaded is refused at its field, and nothing starts.
    unknown = {**photo, "sha256": hashlib.sha256(nonce()).hexdigest()}
    never = ovop.write("tanpa-berkas.json", {**raw, "documents": [unknown]})
    result = await ovop("nominate {file}", code=2, file=never)
    assert "documents.0.sha256: berkas ini belum diunggah" in result.output
    started = await ovop.json("nominate {file}", file=ovop.write("usulan.json", raw))
    nomination_id = started["id"]

    shown = await ovop.json("show {id}", id=nomination_id)
    assert [d["sha256"] for d in shown["documents"]] == [photo["sha256"], halal["sha256"]]
    assert shown["missing_documents"][:2] == [
        "SK penetapan sentra IKM belum dilampirkan (PDF)",
        "dokumen NIB belum dilampirkan (PDF)",
    ]
    text = (await ovop("show {id}", id=nomination_id)).stdout
    assert photo["sha256"] in text and halal["sha256"] in text
    assert "Berkas belum lengkap:" in text and "dokumen NIB belum dilampirkan" in text

    async def listed() -> bool:
        return photo["sha256"] in await current_details(dev_env.client, nomination_id)

    await eventually(listed)
    details = await current_details(dev_env.client, nomination_id)
    assert "**Berkas belum lengkap:** SK penetapan sentra IKM belum dilampirkan" in details
