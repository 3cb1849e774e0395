"""What an operator sees in the Temporal Web UI, in a real browser (headless Chromium).

`make run` is started as a newcomer starts it; the operator signs in at the codec endpoint
(payloads are encrypted; the Web UI asks the endpoint to open them, sending the session
cookie), then the browser filters the workflow list by search attributes, opens the
nomination it finds, and reads the summary, the details and the current details on its page.
Screenshots go to the test's folder, and to $OVOP_SCREENSHOTS when set (`make e2e` keeps
them in docs/).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from demo import DEMO_CYCLE, DEMO_STAGES
from domain.eligibility import parse_proposal
from domain.examples import (
    DEMO_EXAMPLES,
    example_proposals,
    provincial_office_of,
    submission_of,
)
from domain.stages import Stage
from tests.conftest import binary
from tests.local_stack import LocalStack, Ports, fresh_env
from tests.reports.chromium import CHROMIUM, FLAGS
from tests.support import fresh_raw
from workflows.names import PROPOSE_NOMINATION, TASK_QUEUE

# The report's flags (nothing leaves the machine); Playwright adds --headless and gives
# Chromium a fresh --user-data-dir of its own.
CHROMIUM_ARGS = [flag for flag in FLAGS if flag != "--headless"]
MANUAL = Path(__file__).parents[2] / "docs" / "operators.md"
# The Data of *Send an Update* in the manual, as typed.
VERIFY_IN_THE_MANUAL = re.findall(r"Data:\n\n```json\n(.*?)```", MANUAL.read_text(), re.S)[0]
WAIT_MS = 30_000  # the UI's first load compiles a large bundle on a shared 2-core machine

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow(seconds=220),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: `make e2e` installs it (Debian chromium)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed: `make install` installs the dev dependencies",
    ),
]


async def test_an_operator_works_from_the_web_ui_and_the_manual(tmp_path: Path) -> None:
    """One `make run`, as a newcomer starts it: the manual's commands, pasted as written;
    then, in the browser, a nomination found and read, one proposed from the Start Workflow
    form, endorsed by its province, decided on with *Send an Update* and reset. (One stack
    and one browser for all: each costs the 2-core machine half a minute.)"""
    from playwright.async_api import async_playwright

    stack = await LocalStack.start(tmp_path / "var", Ports())
    try:
        await the_manuals_commands_run_as_shown(stack)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = await signed_in(browser, stack)
            await a_nomination_is_found_and_read(page, stack, tmp_path)
            nomination_id = await a_nomination_is_proposed_from_the_form(page, stack, tmp_path)
            await the_province_endorses(stack, nomination_id)
            await a_decision_is_sent_and_the_nomination_reset(page, stack, tmp_path, nomination_id)
            await browser.close()
    finally:
        assert await stack.stop() == 0, stack.text


async def a_nomination_is_found_and_read(page: Any, stack: LocalStack, folder: Path) -> None:
    """The list filtered the way operators filter, and the nomination's page: its summary,
    details and current details."""
    from playwright.async_api import expect

    stage = Stage.PANEL_SCORING
    proposal = parse_proposal(example_proposals(DEMO_CYCLE)[DEMO_STAGES.index(stage)])
    province = proposal.sentra.province.value
    query = f'OvopStage = "{stage.value}" AND OvopProvince = "{province}"'
    workflow_id, _ = stack.demo()[stage.value]
    others = [i for s, (i, _) in stack.demo().items() if s != stage.value]

    await page.goto(f"{workflows_page(stack)}?query={quote(query)}")
    row = page.get_by_role("link", name=workflow_id).first
    await expect(row).to_be_visible(timeout=WAIT_MS)
    listed = await page.locator("main").inner_text()
    assert not [other for other in others if other in listed], listed
    await shot(page, folder, "web-ui-list.png")

    # The UI renders each Markdown field in a frame of its own, in this order, under the
    # headings Summary, Details, Current Details.
    await row.click()
    await page.get_by_role("tab", name="User Metadata").click()
    frames = page.frame_locator("main iframe")
    summary, details, current = (frames.nth(i).locator("body") for i in range(3))
    expected = [
        (summary, f"OVOP {DEMO_CYCLE} · {proposal.product.name} · "),
        (details, f"Sentra IKM: {proposal.sentra.name}"),
        (details, f"SK sentra: {proposal.sentra.decree.number}"),
        (current, f"Tahap: {stage.label} ({stage.value})"),
        (current, "Menunggu: nilai dari juri Tim Seleksi: "),
        (current, "Batas waktu: "),
        (current, "Keputusan terakhir: Nilai juri diterima oleh "),
    ]
    for where, text in expected:
        await expect(where).to_contain_text(text, timeout=WAIT_MS)
    await shot(page, folder, "web-ui-nomination.png")


async def the_manuals_commands_run_as_shown(stack: LocalStack) -> None:
    """docs/operators.md's shell blocks, in order, in one shell, as an operator pastes them
    in the checkout while `make run` is up; only the ports are this stack's. They start a
    nomination through `ProposeNomination`, verify one with `temporal workflow update`,
    reset it, and hand over, check and revoke the demo award's certificate."""
    blocks = re.findall(r"```sh\n(.*?)```", MANUAL.read_text(), re.S)
    script = "\n".join(blocks).replace(
        "http://localhost:8000", f"http://localhost:{stack.ports.api}"
    )
    assert "--codec-endpoint" in script and "workflow reset" in script, script
    assert "certificate revoke" in script, script
    proposal = parse_proposal(example_proposals(DEMO_CYCLE)[DEMO_EXAMPLES])
    env = fresh_env() | {
        "PATH": f"{Path(binary('ovop')).parent}{os.pathsep}{os.environ['PATH']}",
        "TEMPORAL_ADDRESS": stack.address,
        "OVOP_VAR": str(stack.var),
    }
    shell = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        script + '\necho "ID=$ID"; echo "NUMBER=$NUMBER"',
        cwd=stack.var.parent,  # where `var/` is, as in the checkout
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(shell.communicate(), 120)
    said = out.decode(errors="replace")
    assert shell.returncode == 0, f"{script}\n---\n{said}"

    # The start: ProposeNomination's result is the new nomination's id, admitted in the cycle.
    [proposed] = re.findall(r'^  Result +"(ovop-[^"]+)"$', said, re.M)
    shown = json.loads(await stack.ovop("show", proposed, "--json"))
    assert shown["product_name"] == proposal.product.name
    # The Update: the nomination the manual verified passed to the lab, which waits for its
    # sample (the demo's cycle has lab testing); the reset gave it a new run, which
    # `ovop show` reads like the first.
    nomination_id = re.findall(r"^ID=(\S+)$", said, re.M)[-1]
    shown = json.loads(await stack.ovop("show", nomination_id, "--json"))
    assert shown["stage"] == Stage.SAMPLE_AWAITED.value, said
    runs = await stack.workflow_ids(f'WorkflowId = "{nomination_id}"')
    assert runs == [nomination_id, nomination_id], runs  # the run reset, and the new one
    # The certificate: handed over as a PDF, found valid, then revoked for good.
    number = re.findall(r"^NUMBER=(\S+)$", said, re.M)[-1]
    awarded, _ = stack.demo()[Stage.AWARDED.value]
    assert number == json.loads(await stack.ovop("show", awarded, "--json"))["certificate_number"]
    assert (stack.var.parent / "sertifikat.pdf").read_bytes().startswith(b"%PDF-")
    # What anyone who scans its QR code reads now, from the stack's API.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{stack.ports.api}") as http:
        public = await http.get(f"/verifikasi/{number}")
    assert public.status_code == 200 and public.json()["status"] == "dicabut", public.text


async def a_nomination_is_proposed_from_the_form(page: Any, stack: LocalStack, folder: Path) -> str:
    """The Start Workflow form filled in as docs/operators.md says, with a proposal of
    its own (not the manual's: a NIB of its own); the new nomination's id, as the UI shows
    the result."""
    from playwright.async_api import expect

    raw = fresh_raw(DEMO_EXAMPLES, DEMO_CYCLE)
    typed = json.dumps(submission_of(raw), ensure_ascii=False, indent=2)
    workflow_id = f"usul-{raw['ikm']['nib']}"

    await page.goto(f"{workflows_page(stack)}/start-workflow")
    await page.fill("#workflowId", workflow_id, timeout=WAIT_MS)
    await page.fill("#taskQueue", TASK_QUEUE)
    await page.fill("#workflowType", PROPOSE_NOMINATION)
    await page.locator(".cm-content").click()  # the Input's Data editor
    await page.keyboard.insert_text(typed)
    await expect(page.get_by_text("Task Queue is Active")).to_be_visible(timeout=WAIT_MS)
    await shot(page, folder, "web-ui-start-workflow.png")
    # The form has the codec seal its input, then asks the server to start it.
    async with page.expect_response(
        lambda r: r.request.method == "POST" and f"/workflows/{workflow_id}" in r.url,
        timeout=WAIT_MS,
    ) as answer:
        await page.get_by_role("button", name="Start Workflow").click()
    started = await answer.value
    assert started.ok, await started.text()

    # Its page: completed, the nomination's id as its result.
    await page.goto(f"{workflows_page(stack)}/{workflow_id}")
    main = page.locator("main")
    await expect(main.get_by_role("status")).to_have_text("Completed", timeout=WAIT_MS)
    await expect(main).to_contain_text('"ovop-2026-', timeout=WAIT_MS)
    result = await page.get_by_text(re.compile(r'^"ovop-2026-')).inner_text()
    nomination_id = json.loads(result)
    await shot(page, folder, "web-ui-proposed.png")

    # A nomination like any other: counted by its cycle (beside the demo's and the
    # manual's), listed, and read.
    status = json.loads(await stack.ovop("cycle", "status", DEMO_CYCLE, "--json"))
    assert status["nominations"] == len(stack.demo()) + 2, status
    listed = json.loads(await stack.ovop("list", "--json"))
    assert nomination_id in [row["id"] for row in listed]
    shown = json.loads(await stack.ovop("show", nomination_id, "--json"))
    assert shown["stage"] == Stage.PROVINCIAL_ENDORSEMENT.value
    assert shown["product_name"] == raw["product"]["name"]
    assert isinstance(nomination_id, str)
    return nomination_id


async def the_province_endorses(stack: LocalStack, nomination_id: str) -> None:
    """docs/operators.md, *Send a decision*: the demo's cycle has its provincial offices
    endorse first, which the cycle takes (`ovop endorse`), before the verifier's turn."""
    proposal = parse_proposal(example_proposals(DEMO_CYCLE)[DEMO_EXAMPLES])
    office = provincial_office_of(proposal)
    await stack.ovop(
        "endorse", nomination_id, "--as", office.user_id, "--institution", office.institution
    )
    shown = json.loads(await stack.ovop("show", nomination_id, "--json"))
    assert shown["stage"] == Stage.ADMIN_VERIFICATION.value


async def a_decision_is_sent_and_the_nomination_reset(
    page: Any, stack: LocalStack, folder: Path, nomination_id: str
) -> None:
    """docs/operators.md, *Send a decision*: the verifier's pass sent from the nomination's
    page, as typed in the manual, to the lab's sample; then the nomination reset from the
    same page."""
    from playwright.async_api import expect

    await page.goto(f"{workflows_page(stack)}/{nomination_id}")
    await expect(page.locator("main").get_by_role("status")).to_have_text(
        "Running", timeout=WAIT_MS
    )
    dialog = await action(page, "Send an Update", "update-confirmation-modal")
    await dialog.get_by_test_id("update-select-button").click()
    await dialog.locator("#update-select-select").get_by_text("verify", exact=True).click()
    await dialog.locator(".cm-content").click()
    await page.keyboard.insert_text(VERIFY_IN_THE_MANUAL)
    await dialog.get_by_role("button", name="Random UUID").click()
    await shot(page, folder, "web-ui-send-update.png")
    async with page.expect_response(
        lambda r: r.request.method == "POST" and "/update/verify" in r.url,
        timeout=WAIT_MS,
    ) as answer:
        await dialog.get_by_test_id("confirm-modal-button").click()
    updated = await answer.value
    assert updated.ok, await updated.text()
    shown = json.loads(await stack.ovop("show", nomination_id, "--json"))
    assert shown["stage"] == Stage.SAMPLE_AWAITED.value

    await page.reload()
    dialog = await action(page, "Reset", "reset-confirmation-modal")
    await dialog.get_by_test_id("workflow-reset-event-id-select-button").click()
    await dialog.locator("#reset-event-id-select [role=option]").last.click()
    await dialog.get_by_role("heading", name="Reset Workflow").click()  # list closed
    await dialog.get_by_placeholder("Enter a reason").fill("perbaikan setelah pembaruan")
    await shot(page, folder, "web-ui-reset.png")
    async with page.expect_response(
        lambda r: r.request.method == "POST" and "/reset" in r.url, timeout=WAIT_MS
    ) as answer:
        await dialog.get_by_test_id("confirm-modal-button").click()
    reset = await answer.value
    assert reset.ok, await reset.text()

    runs = await stack.workflow_ids(f'WorkflowId = "{nomination_id}"')
    assert runs == [nomination_id, nomination_id], runs  # the run reset, and the new one
    assert json.loads(await stack.ovop("show", nomination_id, "--json"))["id"] == nomination_id


async def action(page: Any, name: str, modal: str) -> Any:
    """The dialog of one of the nomination page's *More Actions*, opened."""
    await page.get_by_role("button", name="More Actions").click()
    await page.get_by_role("menuitem", name=name).click()
    # The page holds each dialog twice (one per layout); the one shown is open.
    return page.locator(f"dialog[open][data-testid={modal}]")


def workflows_page(stack: LocalStack) -> str:
    # On `localhost`, as the banner says: the UI and the codec endpoint are one site.
    return f"http://localhost:{stack.ports.ui}/namespaces/default/workflows"


async def signed_in(browser: object, stack: LocalStack) -> Any:
    """A page of the browser's whose operator has signed in at the codec endpoint, with
    "Include cross-origin credentials" ticked in the UI's Codec Server settings (which the
    UI keeps in its local storage under these names)."""
    from playwright.async_api import Browser, expect

    assert isinstance(browser, Browser)
    codec = f"http://localhost:{stack.ports.api}/codec"
    operator_key = json.loads((stack.var / "api-keys.json").read_text())["ditjen-ikma"]
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    await page.goto(f"{codec}/masuk")
    await page.fill("input[name=key]", operator_key)
    await page.click("button")
    await expect(page.locator("body")).to_contain_text("Anda masuk sebagai ditjen-ikma")
    await page.add_init_script(
        f"""if (location.port === "{stack.ports.ui}") {{
            localStorage.setItem("endpoint", {json.dumps(json.dumps(codec))});
            localStorage.setItem("includeCredentials", "true");
            localStorage.setItem("overrideRemoteCodecConfiguration", "true");
        }}"""
    )
    return page


async def shot(page: object, folder: Path, name: str) -> None:
    from playwright.async_api import Page

    assert isinstance(page, Page)
    png = await page.screenshot(full_page=True)
    await asyncio.to_thread(keep_screenshot, png, folder, name)


def keep_screenshot(png: bytes, folder: Path, name: str) -> None:
    (folder / name).write_bytes(png)
    keep = os.environ.get("OVOP_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_bytes(png)
