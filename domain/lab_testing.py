"""How a Balai Besar lab tests a product (release 1.5, `CycleConfig.lab_testing`): the
sample the proposing office sends it, the sample's receipt, and the test template of each
commodity that the lab's findings follow, parameter by parameter.

A cycle without these rules (one opened before 1.5) keeps the lab's findings as they were:
the lab's deadline counts from verification, its tests are free-form, and a product that
does not conform ends there. With them, the lab's deadline counts from the sample's
receipt, its findings give each parameter of the commodity's template, and a product that
does not conform goes on to the panel with the lab's recommendation: the official decides.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from domain.errors import Problem, Refused
from domain.proposal import Commodity, LongText, Model, Text


class TestParameter(Model):
    """One thing the lab tests, and how."""

    __test__ = False  # not a pytest test class, despite its name

    name: Text = Field(description="e.g. Cemaran mikroba (ALT)")
    method: Text = Field(description="e.g. SNI ISO 4833-1:2013")
    requirement: Text | None = Field(None, description="e.g. maks. 1 x 10^4 koloni/g")


class TestTemplate(Model):
    """What the lab asks for and tests for one commodity."""

    __test__ = False

    sample: LongText = Field(
        description="Sampel yang dikirim pengusul: jumlah, kemasan, kelengkapan label"
    )
    parameters: list[TestParameter] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _names_once(self) -> Self:
        twice = [n for n, c in Counter(p.name for p in self.parameters).items() if c > 1]
        if twice:
            raise ValueError(f"parameter uji tercantum lebih dari sekali: {', '.join(twice)}")
        return self


class LabTesting(Model):
    """Samples and test templates. The sample's working days are
    `deadlines.sample_days`; the lab's (`deadlines.assessment_days`) count from receipt."""

    templates: dict[Commodity, TestTemplate]

    @model_validator(mode="after")
    def _every_commodity(self) -> Self:
        missing = sorted(set(Commodity) - set(self.templates))
        if missing:
            raise ValueError(f"templat uji belum ada untuk komoditas: {', '.join(missing)}")
        return self


class SampleCondition(StrEnum):
    GOOD = "baik"  # sealed, labelled, as asked
    DAMAGED = "rusak"  # broken, leaking or spoilt on the way
    INCOMPLETE = "kurang"  # fewer units, or without the label asked for

    @property
    def label(self) -> str:
        return {"baik": "baik", "rusak": "rusak", "kurang": "tidak lengkap"}[self.value]


class SampleRecord(Model):
    """A sample's receipt as the lab recorded it."""

    received_on: date
    condition: SampleCondition
    received_by: Text
    note: LongText | None = None


def require_on_template(tests: list[tuple[str, str | None, bool]], template: TestTemplate) -> None:
    """Refuse findings whose tests (parameter, method, passed) do not follow `template`:
    each of its parameters once, by its method, and nothing else; the field is
    `tests.N.parameter` (or `tests` for a parameter left out)."""
    problems: list[Problem] = []
    wanted = {p.name: p for p in template.parameters}
    seen: set[str] = set()
    for i, (name, method, _) in enumerate(tests):
        parameter = wanted.get(name)
        if parameter is None:
            problems.append(
                Problem(
                    f"tests.{i}.parameter",
                    f"{name!r} bukan parameter templat uji komoditas ini; yang diuji: "
                    + "; ".join(wanted),
                )
            )
        elif name in seen:
            problems.append(Problem(f"tests.{i}.parameter", f"{name!r} sudah dilaporkan"))
        elif method is not None and method != parameter.method:
            problems.append(
                Problem(
                    f"tests.{i}.method",
                    f"metode uji {name!r} menurut templat adalah {parameter.method}",
                )
            )
        seen.add(name)
    left_out = [n for n in wanted if n not in seen]
    if left_out:
        problems.append(Problem("tests", "hasil uji belum ada untuk: " + "; ".join(left_out)))
    if problems:
        raise Refused(problems)


def example_templates() -> dict[Commodity, TestTemplate]:
    """Templates after the labs' usual tests for each commodity (an example, not the
    program's rule: each cycle sets its own)."""
    p = TestParameter
    return {
        Commodity.MAKANAN_MINUMAN: TestTemplate(
            sample="6 kemasan siap jual dari satu kode produksi, berlabel lengkap, tersegel",
            parameters=[
                p(name="Label kemasan", method="Peraturan BPOM Nomor 20 Tahun 2021"),
                p(name="Kadar air", method="SNI 01-2891-1992", requirement="sesuai SNI produk"),
                p(
                    name="Cemaran mikroba (ALT)",
                    method="SNI ISO 4833-1:2013",
                    requirement="maks. 1 x 10^4 koloni/g",
                ),
                p(
                    name="Cemaran logam berat (Pb)",
                    method="SNI 8910:2021",
                    requirement="maks. 0,25 mg/kg",
                ),
            ],
        ),
        **{
            commodity: TestTemplate(
                sample="2 lembar kain utuh dari satu proses produksi, masing-masing min. 1 m",
                parameters=[
                    p(name="Tahan luntur warna terhadap pencucian", method="SNI ISO 105-C06:2010"),
                    p(name="Tahan luntur warna terhadap cahaya", method="SNI ISO 105-B02:2010"),
                    p(name="Tahan luntur warna terhadap gosokan", method="SNI ISO 105-X12:2012"),
                ],
            )
            for commodity in (Commodity.KAIN_BATIK, Commodity.KAIN_TENUN)
        },
        Commodity.ANYAMAN: TestTemplate(
            sample="3 buah produk jadi dari satu proses produksi",
            parameters=[
                p(name="Kadar air bahan", method="SNI 01-7207-2006", requirement="maks. 15%"),
                p(name="Ketahanan terhadap jamur", method="SNI ISO 846:2017"),
                p(name="Kerapian anyaman", method="pemeriksaan visual"),
            ],
        ),
        Commodity.GERABAH: TestTemplate(
            sample="3 buah produk jadi dari satu pembakaran",
            parameters=[
                p(name="Porositas (penyerapan air)", method="SNI 15-0255-1989"),
                p(
                    name="Pelepasan timbal (Pb)",
                    method="SNI ISO 6486-1:2016",
                    requirement="maks. 0,5 mg/L",
                ),
                p(name="Retak dan cacat permukaan", method="pemeriksaan visual"),
            ],
        ),
    }
