"""One nomination from the proposal form to the award through the inbox alone, in a real
browser (headless Chromium), as each person in turn, through every stage of the demo's
cycle: the proposing office, its provincial office (the endorsement), the verifier, the
lab's assessor (the sample's receipt, then the findings on the commodity's template), the
operator who schedules the site visit and the verifier on its team who reports it, each
juror of its panel and the official. Each signs in with the link
the mail sink kept (a desk's letter gives the task's address: its page asks who is there
and mails that person a link), finds the task in `/tugas`, opens it and decides. Along the
way, what must be refused is: a field at fault (beside the field, nothing recorded), another
juror's score before the panel closes, another person's task, another region's nomination,
an expired or reused link, a form without its CSRF token.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from demo import DEMO_CYCLE, demo_cycle_config
from domain.calendar import local_date
from domain.eligibility import parse_proposal
from domain.events import EventKind
from domain.examples import DEMO_EXAMPLES, example_proposals
from domain.proposal import Commodity
from domain.regions import TimeZone
from domain.scoring import Criterion
from domain.stages import Stage
from intake.spreadsheet import COLUMNS, values_of
from tests.e2e.inbox_people import SIGN_IN_LINK, TASK_ADDRESS, Inbox, Letters, Person
from tests.local_stack import LocalStack, Ports
from tests.reports.chromium import CHROMIUM, FLAGS
from web.links import SignInLinks

CHROMIUM_ARGS = [flag for flag in FLAGS if flag != "--headless"]
CONFIG = demo_cycle_config()
PROPOSAL = example_proposals(DEMO_CYCLE)[DEMO_EXAMPLES]  # Malang's: not among the demo's nine
PRODUCT = PROPOSAL["product"]["name"]
OFFICE = PROPOSAL["proposing_office"]["contact"]["email"]
PROVINCE = PROPOSAL["provincial_office"]["contact"]["email"]
OPERATOR = str(CONFIG.staff.operators[0].email)
VERIFIER = "rina@example.id"
VERIFICATION_DESK = str(CONFIG.staff.verification_desk.email)
LAB = next(lab for lab in CONFIG.staff.labs if lab.lab.value == "BBSPJI_AGRO")
ASSESSOR = str(LAB.assessors[0].email)
assert CONFIG.lab_testing is not None
TEMPLATE = CONFIG.lab_testing.templates[Commodity.MAKANAN_MINUMAN]  # Malang's keripik tempe
OFFICIAL = "dirjen.ikma@example.id"
JUROR_EMAILS = {j.user_id: str(j.email) for j in CONFIG.jurors}
NOT_FOR_YOU = "Tugas ini bukan untuk Anda"
NOTHING_RECORDED = "tidak ada yang tercatat"
KEYS_TO_THE_BUTTON = 10
# Juror A's sheet, to look for where it must not be.
A_SCORE = 87
A_TOTAL = re.compile(rf"\b{A_SCORE}[.,]00\b")  # as a page writes it
A_TOTAL_CELL = re.compile(rf"^{A_SCORE}[.,]00$")
A_COMMENT = "Tempe Sanan renyah dan khas Malang; label gizi perlu dilengkapi (catatan juri A)."

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow(seconds=130),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: `make e2e` installs it (Debian chromium)",
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed: `make install` installs the dev dependencies",
    ),
]


async def test_one_nomination_from_the_form_to_the_award_through_the_inbox(
    tmp_path: Path,
) -> None:
    """One `make run` and one browser for everything: each costs the 2-core machine half a
    minute; each person has a browser context (cookies) of their own."""
    from playwright.async_api import async_playwright

    stack = await LocalStack.start(tmp_path / "var", Ports())
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            inbox = Inbox(stack, browser, Letters(stack.var / "mail"), tmp_path)
            try:
                await each_in_turn(inbox)
            except BaseException:
                await inbox.keep_pages()
                raise
            await browser.close()
    finally:
        assert await stack.stop() == 0, stack.text


async def each_in_turn(inbox: Inbox) -> None:
    office, nomination_id = await the_office_proposes(inbox)
    await another_region_s_nomination_is_refused(inbox, office)
    await the_province_endorses_it(inbox, nomination_id)
    verifier = await the_verifier_passes_it(inbox, nomination_id)
    await the_assessor_assesses_it(inbox, nomination_id)
    await the_team_visits_it(inbox, nomination_id, verifier)
    juror_link = await the_panel_scores_it(inbox, nomination_id)
    await the_official_awards_it(inbox, nomination_id, verifier)
    await links_expired_or_used_are_refused(inbox, juror_link)


async def the_office_proposes(inbox: Inbox) -> tuple[Person, str]:
    """The proposing office signs in by asking for a link, and proposes from its inbox."""
    office = await inbox.person(OFFICE)
    await office.sign_in_at(f"{inbox.base}/tugas")
    nomination_id = await proposed_by(office)
    state = await inbox.state(nomination_id)
    assert state["stage"] == Stage.PROVINCIAL_ENDORSEMENT.value
    assert state["proposal"]["product"]["name"] == PRODUCT
    return office, nomination_id


async def proposed_by(office: Person) -> str:
    """From the inbox to the proposal form, one field per spreadsheet column: half of it
    saved as a draft, the draft taken up again from the office's list, a NIB of twelve
    digits refused beside its field, then proposed."""
    from playwright.async_api import expect

    page, values = office.page, values_of(parse_proposal(PROPOSAL))
    await page.get_by_role("link", name="Buat usulan baru").click()
    await expect(page).to_have_url(office.inbox.base + "/usulan/baru")
    typed = [c.header for c in COLUMNS if not await is_fixed(page, c.header)]
    half = len(typed) // 2
    await fill(page, {h: values[h] for h in typed[:half]})
    await page.get_by_role("button", name="Simpan sebagai draf").first.click()
    await expect(page.get_by_role("status")).to_contain_text("Draf tersimpan")

    await page.get_by_role("navigation").get_by_role("link", name="Usulan").click()
    await page.locator("tbody tr", has_text=values["nama_ikm"]).get_by_role("link").click()
    await expect(page.locator('[name="nama_ikm"]')).to_have_value(values["nama_ikm"])
    await fill(page, {h: values[h] for h in typed[half:]} | {"nib": values["nib"][:-1]})
    await refused_beside(page, "nib", "belum ada usulan yang dimulai")
    await fill(page, {"nib": values["nib"]})
    assert await submit(page) == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Usulan diajukan")
    nomination_id: str = await page.locator("dt:text-is('Nomor usulan') + dd").inner_text()
    return nomination_id.strip()


async def is_fixed(page: Any, name: str) -> bool:
    """A field the form fills from the office's own data, shown but not typed."""
    field = page.locator(f'form.decision [name="{name}"]:not([type=hidden])')
    fixed: bool = await field.evaluate("e => e.readOnly === true")
    return fixed


async def another_region_s_nomination_is_refused(inbox: Inbox, office: Person) -> None:
    """Malang's office opening a demo nomination of another regency's office."""
    other, _ = inbox.stack.demo()[Stage.REVISION_REQUESTED.value]
    message = await office.refused(f"/tugas/{other}", NOT_FOR_YOU, 403)
    assert message.strip(), "the refusal says why"
    await office.close()


async def from_letter(inbox: Inbox, email: str, nomination_id: str) -> Person:
    """The person signed in from the letter asking them to act on the nomination: its
    sign-in link, or, in a desk's letter, the task's address."""
    address = await inbox.letters.link(email, ASKING, nomination_id)
    person = await inbox.person(email)
    if SIGN_IN_LINK.fullmatch(address):
        await person.sign_in_with(address, f"/tugas/{nomination_id}")
    else:
        await person.sign_in_at(address)
    await person.open_task(nomination_id, PRODUCT)
    return person


ASKING = re.compile(f"{SIGN_IN_LINK.pattern}|{TASK_ADDRESS.pattern}")


async def the_province_endorses_it(inbox: Inbox, nomination_id: str) -> None:
    """The demo's cycle has the provincial office endorse first, from the letter that asks
    it to."""
    province = await from_letter(inbox, PROVINCE, nomination_id)
    await fill(province.page, {"outcome": "endorse"})
    await decided(province.page)
    await inbox.reaches(nomination_id, Stage.ADMIN_VERIFICATION.value)
    await province.close()


async def the_verifier_passes_it(inbox: Inbox, nomination_id: str) -> Person:
    """From the verification desk's letter. A revision without its reason is refused beside
    the reason's field, a form without its CSRF token is refused; neither records anything;
    then the pass."""
    from playwright.async_api import expect

    verifier = await inbox.person(VERIFIER)
    desk_letter = await inbox.letters.link(VERIFICATION_DESK, TASK_ADDRESS, nomination_id)
    await verifier.sign_in_at(desk_letter)
    await verifier.open_task(nomination_id, PRODUCT)
    page = verifier.page
    before = (await inbox.state(nomination_id))["events"]

    await page.get_by_label("Kembalikan kepada Dinas pengusul").check()
    await refused_beside(page, "reason", NOTHING_RECORDED)
    assert (await inbox.state(nomination_id))["events"] == before

    await page.get_by_label("Lolos verifikasi administrasi").check()
    await page.evaluate("document.querySelector('form.decision input[name=csrf]').remove()")
    assert await submit(page) == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Formulir tidak sah")
    await expect(page.get_by_role("alert")).to_contain_text("Tidak ada yang diubah")
    assert (await inbox.state(nomination_id))["events"] == before

    await verifier.open_task(nomination_id, PRODUCT)
    await page.get_by_label("Lolos verifikasi administrasi").check()
    await decided(page)
    await inbox.reaches(nomination_id, Stage.SAMPLE_AWAITED.value)
    return verifier


async def the_assessor_assesses_it(inbox: Inbox, nomination_id: str) -> None:
    """From the lab desk's letter (Balai Besar Agro, for food), as its assessor: the
    sample's receipt, then a result for each parameter of the food's test template."""
    from playwright.async_api import expect

    assessor = await inbox.person(ASSESSOR)
    desk_letter = await inbox.letters.link(str(LAB.email), TASK_ADDRESS, nomination_id)
    await assessor.sign_in_at(desk_letter)
    await assessor.open_task(nomination_id, PRODUCT)
    await fill(assessor.page, {"condition": "baik", "received_by": "Petugas Sampel Agro"})
    await decided(assessor.page)
    await inbox.reaches(nomination_id, Stage.TECHNICAL_ASSESSMENT.value)

    await assessor.open_task(nomination_id, PRODUCT)
    for i, parameter in enumerate(TEMPLATE.parameters):
        await expect(assessor.page.locator(f'[id="uji-{i}"]')).to_contain_text(parameter.name)
    await fill(
        assessor.page,
        {
            "report_number": "LHU/AGRO/2026/0417",
            "score": "88",
            "conforms": "true",
            **{f"tests.{i}.result": "memenuhi" for i in range(len(TEMPLATE.parameters))},
            **{f"tests.{i}.passed": "true" for i in range(len(TEMPLATE.parameters))},
            "summary": "Sampel memenuhi persyaratan mutu keripik tempe.",
        },
    )
    await decided(assessor.page)
    await inbox.reaches(nomination_id, Stage.SITE_VISIT.value)
    await assessor.close()


async def the_team_visits_it(inbox: Inbox, nomination_id: str, verifier: Person) -> None:
    """The operator, from the letter asking to schedule the site visit, sends a team of
    the verifier and themselves today; the verifier, signed in already, finds the report
    in their inbox and sends it, without photos."""
    today = local_date(datetime.now(UTC), TimeZone.WIB).isoformat()
    operator = await from_letter(inbox, OPERATOR, nomination_id)
    page = operator.page
    await fill(page, {"visit_on": today})
    for name in ("Rina Marlina", "Sari Wulandari"):
        await page.locator("#tim-kunjungan label", has_text=name).get_by_role("checkbox").check()
    await decided(page)
    scheduled = (await inbox.state(nomination_id))["events"][-1]
    assert scheduled["kind"] == EventKind.VISIT_SCHEDULED.value, scheduled
    assert scheduled["facts"]["team"] == "Rina Marlina, Sari Wulandari", scheduled
    assert scheduled["facts"]["visit_on"] == today, scheduled
    await operator.close()

    await verifier.open_task(nomination_id, PRODUCT)
    await fill(
        verifier.page,
        {
            "visited_on": today,
            **{f"findings.{c.value}": f"Sesuai usulan: {c.label.lower()}." for c in Criterion},
            "summary": "Sentra aktif berproduksi, sesuai dengan berkas usulan.",
        },
    )
    await decided(verifier.page)
    await inbox.reaches(nomination_id, Stage.PANEL_SCORING.value)


async def the_panel_scores_it(inbox: Inbox, nomination_id: str) -> str:
    """Each juror of its panel from their own letter's link. Juror A's 120 is refused beside
    the field; A's sheet is not on B's page; a juror not on the panel is refused. Returns
    A's link, used."""
    from playwright.async_api import expect

    panel = (await inbox.state(nomination_id))["panel"]
    assert len(panel) == CONFIG.panel.size, panel
    outsider = next(j for j in JUROR_EMAILS if j not in panel)
    jurors, links = [], []
    for user_id in panel:
        email = JUROR_EMAILS[user_id]
        link = await inbox.letters.link(email, SIGN_IN_LINK, nomination_id)
        juror = await inbox.person(email)
        await juror.sign_in_with(link, f"/tugas/{nomination_id}")
        await juror.open_task(nomination_id, PRODUCT)
        jurors.append(juror)
        links.append(link)
    a, b, c = jurors

    before = (await inbox.state(nomination_id))["events"]
    first = f"scores.{Criterion.LOCAL_RESOURCES.value}"
    await fill(a.page, sheet(A_SCORE, A_COMMENT) | {first: "120"})
    await refused_beside(a.page, first, NOTHING_RECORDED)
    assert (await inbox.state(nomination_id))["events"] == before
    await inbox.screenshots(a.page, "score-sheet", a.page.locator(f'[id="{first}-error"]'))
    await fill(a.page, sheet(A_SCORE, A_COMMENT))
    await decided(a.page)

    await b.page.reload()
    b_saw = await b.page.content()
    assert A_COMMENT not in b_saw
    await fill(b.page, sheet(85, "Produk unggulan dengan bahan kedelai lokal."))
    await decided(b.page)

    not_on_panel = await inbox.person(JUROR_EMAILS[outsider])
    await not_on_panel.sign_in_at(f"{inbox.base}/tugas")
    await not_on_panel.refused(f"/tugas/{nomination_id}", NOT_FOR_YOU, 403)
    await not_on_panel.close()

    await fill(c.page, sheet(86, "Pasar domestik luas; produksi berkelanjutan."))
    await decided(c.page)
    state = await inbox.reaches(nomination_id, Stage.AWARD_DECISION.value)
    assert state["result"]["juror_totals"][panel[0]] == A_SCORE
    assert not A_TOTAL.search(b_saw), "B saw A's total before the panel closed"
    # Closed: every sheet is on each juror's page now, A's comment among them.
    await b.page.goto(f"{inbox.base}/tugas/{nomination_id}")
    await expect(b.page.locator("tr", has_text=A_COMMENT)).to_contain_text(str(A_SCORE))
    for juror in jurors:
        await juror.close()
    return links[0]


async def the_official_awards_it(inbox: Inbox, nomination_id: str, verifier: Person) -> None:
    """From the letter asking the official to decide: the panel's scores are there now; the
    verifier opening the same task is refused; the recommended stars are confirmed, with
    the keyboard alone."""
    from playwright.async_api import expect

    await verifier.refused(f"/tugas/{nomination_id}", NOT_FOR_YOU, 403)
    await verifier.close()

    official = await inbox.person(OFFICIAL)
    link = await inbox.letters.link(OFFICIAL, SIGN_IN_LINK, nomination_id)
    await official.sign_in_with(link, f"/tugas/{nomination_id}")
    await official.open_task(nomination_id, PRODUCT)
    await inbox.screenshots(official.page, "award")
    await official.page.get_by_role("navigation").get_by_role("link", name="Kotak tugas").click()
    await inbox.screenshots(official.page, "tugas")
    await official.open_task(nomination_id, PRODUCT)

    state = await inbox.state(nomination_id)
    page = official.page
    a_juror = CONFIG.juror(state["panel"][0])
    assert a_juror is not None
    a_name = a_juror.name
    a_row = page.locator("tr", has_text=A_COMMENT)  # the jurors' scores and comments
    await expect(a_row.get_by_role("cell", name=a_name)).to_be_visible()
    await expect(a_row.get_by_role("cell", name=A_TOTAL_CELL)).to_be_visible()
    await page.get_by_label("Tetapkan sesuai rekomendasi").focus()
    await decided(page, keyboard=True)
    awarded = await inbox.reaches(nomination_id, Stage.AWARDED.value)
    assert awarded["award"]["stars"] == state["result"]["recommended_stars"]
    assert awarded["award"]["decided_by"]["user_id"] == "dirjen.ikma"
    await official.close()


async def links_expired_or_used_are_refused(inbox: Inbox, used: str) -> None:
    secret = (inbox.stack.var / "session-secret").read_text().strip()
    expired = SignInLinks(secret, inbox.base).url(VERIFIER, "/tugas", timedelta(seconds=-1))
    someone = await inbox.person(VERIFIER)
    for link, why in ((expired, "kedaluwarsa"), (used, "sudah pernah dipakai")):
        message = await someone.refused(
            inbox.here(link).removeprefix(inbox.base), "Tautan masuk tidak dapat dipakai", 400
        )
        assert why in message, message
    answer = await someone.page.goto(f"{inbox.base}/tugas")
    assert answer is not None
    await someone.page.wait_for_url(re.compile(r"/masuk\?ke=/tugas$"))  # nobody signed in
    await someone.close()


def sheet(value: int, comment: str) -> dict[str, str]:
    return {f"scores.{c.value}": str(value) for c in Criterion} | {"comment": comment}


async def fill(page: Any, values: dict[str, str]) -> None:
    """Each field of the decision's form by its name (its dotted path in the decision), as
    its kind is filled: typed, chosen or ticked. Every field filled has its label."""
    form = page.locator("form.decision")
    for name, value in values.items():
        field = form.locator(f'[name="{name}"]:not([type=hidden])')
        kind = await field.first.evaluate(
            "e => e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase()"
        )
        if kind == "radio":
            field = field.and_(page.locator(f'[value="{value}"]'))
        labelled = await field.evaluate("e => e.labels.length > 0 || e.hasAttribute('aria-label')")
        assert labelled, f"the field {name} has no label"
        if kind == "radio":
            await field.check()
        elif kind == "checkbox":
            await field.set_checked(value in ("true", "ya"))
        elif kind == "select":
            await field.select_option(value)
        else:
            await field.fill(value)


async def submit(page: Any, keyboard: bool = False) -> int:
    """Send the decision's form, by a click or (`keyboard`) by tabbing from the focused field
    to its send button and pressing Enter; the answer's HTTP status."""
    button = page.locator("form.decision button.primary")
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        if keyboard:
            for _ in range(KEYS_TO_THE_BUTTON):
                await page.keyboard.press("Tab")
                if await button.evaluate("b => b === document.activeElement"):
                    break
            else:
                pytest.fail(f"{KEYS_TO_THE_BUTTON} Tabs never reached the form's send button")
            await page.keyboard.press("Enter")
        else:
            await button.click()
    status: int = (await answer.value).status
    return status


async def decided(page: Any, keyboard: bool = False) -> None:
    from playwright.async_api import expect

    assert await submit(page, keyboard) == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Keputusan diterima")


async def refused_beside(page: Any, name: str, nothing_done: str) -> None:
    """The form, sent, came back refused, saying so (`nothing_done`) and what is wrong
    beside the field `name`."""
    from playwright.async_api import expect

    assert await submit(page) == 422
    await expect(page.get_by_role("alert")).to_contain_text(nothing_done)
    field = page.locator(f'form.decision [name="{name}"]:not([type=hidden])').first
    await expect(field).to_have_attribute("aria-invalid", "true")
    said = re.compile(rf"(^|\s){re.escape(name)}-error(\s|$)")
    await expect(field).to_have_attribute("aria-describedby", said)
    beside = page.locator(f'.field:has([name="{name}"]) [id="{name}-error"]')
    await expect(beside).to_be_visible()
    assert (await beside.inner_text()).strip(), f"no message beside {name}"
