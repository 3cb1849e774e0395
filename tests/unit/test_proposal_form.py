"""The proposal form of the inbox: the spreadsheet's columns as fields, a proposal written
back into them unchanged, and each problem found shown beside the field it concerns."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import Problem, Refused
from domain.examples import example_proposals
from domain.proposal import Proposal
from intake.spreadsheet import COLUMNS, read_proposal, values_of
from web.proposals import FROM_OFFICE, by_column, form_sections, read_resubmission


@pytest.mark.parametrize("raw", example_proposals("2026"), ids=lambda r: r["ikm"]["nib"])
def test_a_proposal_written_into_the_columns_reads_back_the_same(raw: dict[str, Any]) -> None:
    proposal = Proposal.model_validate(raw)
    values = values_of(proposal)
    assert list(values) == [c.header for c in COLUMNS]
    assert all(isinstance(v, str) for v in values.values())
    again, problems = read_proposal(values)
    assert problems == []
    assert again == proposal


def test_a_flag_and_the_lists_are_written_as_the_sheet_takes_them() -> None:
    raw = example_proposals("2026")[0]
    raw["product"]["non_halal"] = True
    values = values_of(Proposal.model_validate(raw))
    assert values["produk_tidak_halal"] == "ya"
    assert values["bahan_baku_lokal"] == "; ".join(raw["product"]["local_raw_materials"])
    assert values["izin"].startswith("HAKI:")


def test_each_problem_is_keyed_by_its_column_and_others_keep_their_field() -> None:
    problems = [
        Problem("ikm.nib", "NIB harus 13 digit angka"),
        Problem("product.permits.0.number", "nomor kosong"),
        Problem("product.permits", "wajib halal"),
        Problem("provincial_office", "wajib diisi"),
        Problem("actor.role", "bukan Dinas pengusul"),
    ]
    assert by_column(problems) == {
        "nib": "NIB harus 13 digit angka",
        "izin": "nomor kosong; wajib halal",
        "dinas_provinsi": "wajib diisi",
        "actor.role": "bukan Dinas pengusul",
    }
    resubmitted = [Problem("proposal.ikm.nib", "tidak boleh diubah"), Problem("note", "panjang")]
    assert by_column(resubmitted, "proposal.") == {"nib": "tidak boleh diubah", "note": "panjang"}


def test_the_form_has_one_field_per_column_and_the_office_s_own_are_fixed() -> None:
    sections = form_sections(("siklus", *FROM_OFFICE), ("2026",))
    fields = {f.header: f for _, group in sections for f in group}
    assert list(fields) == [c.header for c in COLUMNS]
    assert {h for h, f in fields.items() if f.fixed} == {"siklus", *FROM_OFFICE}
    assert ("kain_batik", "Kain Batik") in fields["komoditas"].options
    assert fields["produk_tidak_halal"].kind == "flag" and not fields["produk_tidak_halal"].options
    assert "titik koma" in fields["bahan_baku_lokal"].hint
    assert fields["nib"].label == "Nomor Induk Berusaha: 13 digit angka"
    several = {f.header: f for _, g in form_sections(("siklus",), ("2026", "2028")) for f in g}
    assert not several["siklus"].fixed and several["siklus"].options == (
        ("2026", "2026"),
        ("2028", "2028"),
    )


def test_a_resubmission_is_read_from_the_columns_and_an_unreadable_cell_is_named() -> None:
    proposal = Proposal.model_validate(example_proposals("2026")[0])
    items = [*values_of(proposal).items(), ("note", " SK dilampirkan "), ("csrf", "x")]
    data = read_resubmission(items)
    assert Proposal.model_validate(data["proposal"]) == proposal
    assert data["note"] == "SK dilampirkan"
    broken = [(k, "HAKI tanpa nomor" if k == "izin" else v) for k, v in items]
    with pytest.raises(Refused) as refused:
        read_resubmission(broken)
    assert [p.field for p in refused.value.problems] == ["proposal.product.permits"]
