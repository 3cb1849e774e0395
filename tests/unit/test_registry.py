"""The registry pre-check: findings per field, the shipped demo table, and what the
verifier sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.registry import DEMO_REGISTRY, CsvRegistry
from domain.examples import example_proposal
from domain.presentation import current_details
from domain.registry import CheckStatus, FindingStatus, RegistryCheck, compare
from domain.stages import Stage
from tests.support import at_stage, nomination


def statuses(findings: list) -> dict[str, FindingStatus]:  # type: ignore[type-arg]
    return {f.field: f.status for f in findings}


async def test_the_demo_table_knows_the_demo_ikms_and_their_flaws() -> None:
    registry = CsvRegistry.load(DEMO_REGISTRY)

    batik = example_proposal("2026", 0)
    found = compare(batik, await registry.lookup(batik.ikm.nib))
    assert set(statuses(found).values()) == {FindingStatus.OK}

    tenun = example_proposal("2026", 1)  # the registry holds another decree date
    found = compare(tenun, await registry.lookup(tenun.ikm.nib))
    assert statuses(found)["sentra.decree.date"] == FindingStatus.MISMATCH
    assert [f.field for f in found if f.status != FindingStatus.OK] == ["sentra.decree.date"]

    gayo = example_proposal("2026", 4)  # registered, but no sentra decree on record
    found = compare(gayo, await registry.lookup(gayo.ikm.nib))
    assert statuses(found)["sentra.decree.number"] == FindingStatus.MISSING

    for index in (6, 7, 8):  # release 1.5's demo nominations: as registered
        p = example_proposal("2026", index)
        found = compare(p, await registry.lookup(p.ikm.nib))
        assert set(statuses(found).values()) == {FindingStatus.OK}, found

    wamena = example_proposal("2026", 5)  # not registered at all
    assert await registry.lookup(wamena.ikm.nib) is None
    assert statuses(compare(wamena, None)) == {"ikm.nib": FindingStatus.MISSING}


def test_a_bad_registry_row_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "registri.csv"
    bad.write_text(
        "nib,name,status,province,regency\n9120001234561,Batik,aktif,Jawa Tengah,Kota Pekalongan\n"
        "12345,Batik,aktif,Jawa Tengah,Kota Pekalongan\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="baris 3"):
        CsvRegistry.load(bad)


def test_an_inactive_nib_and_a_renamed_ikm_are_findings() -> None:
    from domain.registry import RegistryRecord

    p = example_proposal("2026", 0)
    record = RegistryRecord(
        nib=p.ikm.nib,
        name="CV Batik Lain",
        status="dicabut",
        province="Jawa Tengah",
        regency="Kota Pekalongan",
        decree_number=p.sentra.decree.number,
        decree_date=p.sentra.decree.date,
    )
    found = statuses(compare(p, record))
    assert found["ikm.nib"] == FindingStatus.MISMATCH
    assert found["ikm.name"] == FindingStatus.MISMATCH
    assert found["sentra.regency"] == FindingStatus.OK


def test_the_verifier_sees_the_check_waiting_then_its_findings() -> None:
    nom = nomination()
    nom.ask_registry()
    assert "menunggu jawaban registri" in current_details(nom)

    check = RegistryCheck(
        revision=0, status=CheckStatus.DONE, findings=compare(nom.proposal, None), source="uji"
    )
    events = len(nom.events)
    assert nom.note_registry(check)
    assert nom.registry == check and len(nom.events) == events  # state, not an event
    assert check.outcome == "perlu_diperiksa" and len(check.problems) == 1
    assert "tidak terdaftar di registri" in current_details(nom)
    assert nom.stage == Stage.ADMIN_VERIFICATION


def test_an_answer_about_an_earlier_revision_is_dropped() -> None:
    nom = at_stage(Stage.REVISION_REQUESTED)
    nom.ask_registry()  # asked for revision 1, before the resubmission arrives
    stale = RegistryCheck(revision=0, status=CheckStatus.DONE, findings=[])
    events = len(nom.events)
    assert not nom.note_registry(stale)
    assert len(nom.events) == events
