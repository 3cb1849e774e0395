"""`make run`: the whole stack comes up, shows the demo nominations, stops on Ctrl-C, and
finds the same nominations again on the next start, seeding nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.codec import COOKIE
from demo import DEMO_STAGES
from starter import app
from tests.local_stack import LocalStack, Ports

pytestmark = pytest.mark.integration

NOMINATIONS = 'WorkflowType = "NominationWorkflow"'


@pytest.mark.slow(seconds=80)
async def test_make_run_starts_stops_and_starts_again_without_duplicates(
    tmp_path: Path,
) -> None:
    var, ports = tmp_path / "var", Ports()
    first = await LocalStack.start(var, ports)
    try:
        demo = first.demo()
        assert set(demo) == {s.value for s in DEMO_STAGES}
        assert not any(existed for _, existed in demo.values())
        assert f"Temporal Web UI : http://localhost:{ports.ui}/namespaces/default/workflows" in (
            first.text
        )
        # The inbox, and whom to sign in as to find each demo nomination's task there.
        assert f"Kotak tugas     : http://localhost:{ports.api}/tugas" in first.text
        asked = first.text.split("Masuk ke kotak tugas sebagai", 1)[1]
        verifying = next(x for x in asked.splitlines() if "ADMIN_VERIFICATION" in x)
        assert "rina@example.id" in verifying and "agus@example.id" in verifying
        assert "dirjen.ikma@example.id" in asked and "disperin.tasikmalaya@example.id" in asked
        # Release 1.5's stages: the province endorses, the lab takes the sample in, and the
        # team the operator sent reports its visit.
        waits = {line.split()[0]: line for line in asked.splitlines() if line.startswith("  ")}
        assert "disperin.prov.lombokbarat@example.id" in waits["PROVINCIAL_ENDORSEMENT"]
        assert "penilai1.agro@example.id" in waits["SAMPLE_AWAITED"]
        assert "rina@example.id" in waits["SITE_VISIT"]
        # The issue's own check: the CLI finds the ones waiting at verification.
        waiting = await first.workflow_ids('OvopStage="ADMIN_VERIFICATION"')
        assert waiting == [demo["ADMIN_VERIFICATION"][0]]
        ids = sorted(workflow_id for workflow_id, _ in demo.values())
        assert await first.workflow_ids(NOMINATIONS) == ids
        session = await codec_session(first)
    finally:
        assert await first.stop() == 0, first.text
    assert "Menghentikan worker, mail sink dan server Temporal" in first.text
    assert ports.all_free(), "Ctrl-C left something of the stack running"

    # The stakeholders' mail is kept as .eml files, and `ovop mail` lists it.
    mail = CliRunner().invoke(app, ["mail", "--var", str(var), "--json"])
    assert mail.exit_code == 0
    kept = json.loads(mail.stdout)
    assert kept and all(Path(m["file"]).suffix == ".eml" for m in kept)
    assert any("Usulan" in m["subject"] for m in kept)

    # Payloads are sealed with keys made once, for this machine's eyes only; so is the
    # secret the codec's sign-in sessions are signed with.
    keys = var / "codec-keys.json"
    assert keys.stat().st_mode & 0o777 == 0o600
    assert (var / "session-secret").stat().st_mode & 0o777 == 0o600
    assert f"Codec Web UI    : http://localhost:{ports.api}/codec" in first.text

    again = await LocalStack.start(var, ports)
    try:
        assert again.demo() == {
            stage: (workflow_id, True) for stage, (workflow_id, _) in demo.items()
        }
        assert await again.workflow_ids(NOMINATIONS) == ids
        base = f"http://127.0.0.1:{ports.api}"
        async with httpx.AsyncClient(base_url=base, cookies=session) as http:
            kept = await http.post("/codec/decode", json={"payloads": []})
            assert kept.status_code == 200, "the operator's sign-in did not outlive a restart"
        for stage, (workflow_id, _) in demo.items():
            assert await again.workflow_ids(f'OvopStage="{stage}"') == [workflow_id]
        # `ovop` in another terminal reads them with the same keys; without, it says why.
        env = {"TEMPORAL_ADDRESS": again.address, "OVOP_CODEC": "true"}
        workflow_id, _ = demo["PANEL_SCORING"]
        shown = await asyncio.to_thread(
            CliRunner().invoke,
            app,
            ["show", workflow_id, "--json"],
            env={**env, "OVOP_CODEC_KEYS_FILE": str(keys)},
        )
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["stage"] == "PANEL_SCORING"
        blind = await asyncio.to_thread(
            CliRunner().invoke,
            app,
            ["show", workflow_id],
            env={**env, "OVOP_CODEC_KEYS_FILE": str(var / "none.json")},
        )
        assert blind.exit_code == 1
        assert "kunci enkripsi payload belum diatur" in blind.output
        await asyncio.to_thread(the_readme_s_first_example, again, tmp_path / "elsewhere")
    finally:
        assert await again.stop() == 0, again.text
    assert ports.all_free()


def the_readme_s_first_example(stack: LocalStack, elsewhere: Path) -> None:
    """`ovop example-proposal > usulan.json && ovop nominate usulan.json`, run as a person
    would in another directory: the example is not one of the demo's, `ovop` finds the
    stack's keys through OVOP_VAR, and leaves no var/ where it ran."""
    elsewhere.mkdir()
    env = {**os.environ, "TEMPORAL_ADDRESS": stack.address, "OVOP_VAR": str(stack.var)}
    env.pop("OVOP_CODEC", None)
    env.pop("OVOP_CODEC_KEYS_FILE", None)
    ovop = str(Path(sys.executable).parent / "ovop")
    example = subprocess.run(
        [ovop, "example-proposal"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert example.returncode == 0, example.stderr
    (elsewhere / "usulan.json").write_text(example.stdout)
    proposed = subprocess.run(
        [ovop, "nominate", "usulan.json"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert proposed.returncode == 0, proposed.stderr
    assert proposed.stdout.startswith("Usulan diterima: ovop-"), proposed.stdout
    assert not (elsewhere / "var").exists()


async def codec_session(stack: LocalStack) -> dict[str, str]:
    """The demo operator signed in at the stack's codec endpoint: the session cookie."""
    operator_key = json.loads((stack.var / "api-keys.json").read_text())["ditjen-ikma"]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.api}") as http:
        form = await http.get("/codec/masuk")
        token = re.search(r'name="token" value="([^"]+)"', form.text)
        assert token, form.text
        signed = await http.post("/codec/masuk", data={"key": operator_key, "token": token[1]})
        assert signed.status_code == 200, signed.text
        return {COOKIE: signed.cookies[COOKIE]}


async def test_a_server_that_cannot_start_is_said_plainly(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "temporal.db").mkdir(parents=True)  # where the server's SQLite file must go
    with pytest.raises(AssertionError, match="`ovop dev` ended before it was ready") as ended:
        await LocalStack.start(var, Ports())
    assert "server Temporal berhenti saat dimulai" in str(ended.value)
    assert "Traceback" not in str(ended.value)
