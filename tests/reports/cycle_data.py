"""A whole cycle in the records database: 110 nominations, 22 per commodity, from 34
provinces, driven through the real rules (`domain.nomination.Nomination`) and recorded as
the workflow records them (`RecordStore.record(summarize(nom), event)`), every final
stage and every open stage represented.

Each commodity follows the same plan (`PLAN`, 22 positions), with the scores shifted a
little per commodity, so the expected funnel and ranking can be counted by hand:

    position  what happens                                       final score (+0.8*shift)
     1        awarded                                            88.40  3 stars
     2, 3     awarded, same final score, lab 80 vs 75            84.00  3 stars
     4        awarded                                            78.80  2 stars
     5, 6     awarded, same final and lab score (shared rank)    75.00  2 stars
     7, 8     awarded                                            68.40, 61.60  1 star
     9        revision, resubmitted, awarded                     81.80  3 stars
    10        awarded with the official's override 2 -> 3        72.40  3 stars
    11        re-assessment of a 2024 winner, awarded            90.40  3 stars
    12        below the lowest threshold at the panel            56.00  not awarded
    13        fails the Balai Besar's test                       -      not awarded
    14        the official awards no star (override 1 -> 0)      60.00  not awarded
    15        rejected at verification
    16        revision, resubmitted, rejected
    17        revision, deadline missed: expired
    18        withdrawn (at a different stage per commodity, `WITHDRAWN_AT`)
    19        open at verification or revision (`OPEN_EARLY`)
    20, 21    open at technical assessment, at panel scoring
    22        open at the award decision                         80.00  recommended 3
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.cycle import CycleConfig
from domain.decisions import (
    AwardDecision,
    Decision,
    Resubmission,
    VerifyDecision,
    VerifyOutcome,
)
from domain.examples import example_cycle_config, example_proposals, proposer_of
from domain.nomination import Nomination
from domain.presentation import summarize
from domain.proposal import Commodity, Proposal
from domain.regions import head_of
from domain.scoring import Criterion
from domain.stages import Stage
from records import RecordStore
from tests.support import OFFICIAL, OPERATOR, VERIFIER, findings, sheet, withdrawal

CYCLE = "2026"
REPORT_TIME = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10.00 WIB

# (product, regency or city, province) per commodity; the places and products are real,
# the enterprises invented.
CATALOGUE: dict[Commodity, list[tuple[str, str, str]]] = {
    Commodity.MAKANAN_MINUMAN: [
        ("Kopi Arabika Gayo Sangrai", "Kabupaten Aceh Tengah", "Aceh"),
        ("Kopi Arabika Wamena", "Kabupaten Jayawijaya", "Papua Pegunungan"),
        ("Rendang Daging Kemasan", "Kota Payakumbuh", "Sumatera Barat"),
        ("Bolu Gulung Deli", "Kota Medan", "Sumatera Utara"),
        ("Pempek Kapal Selam Beku", "Kota Palembang", "Sumatera Selatan"),
        ("Keripik Pisang Lampung", "Kota Bandar Lampung", "Lampung"),
        ("Dodol Garut", "Kabupaten Garut", "Jawa Barat"),
        ("Bandeng Presto Juwana", "Kota Semarang", "Jawa Tengah"),
        ("Bakpia Pathok", "Kota Yogyakarta", "DI Yogyakarta"),
        ("Kerupuk Ikan Sidoarjo", "Kabupaten Sidoarjo", "Jawa Timur"),
        ("Kopi Arabika Kintamani", "Kabupaten Bangli", "Bali"),
        ("Madu Hutan Sumbawa", "Kabupaten Sumbawa", "Nusa Tenggara Barat"),
        ("Se'i Sapi Asap", "Kota Kupang", "Nusa Tenggara Timur"),
        ("Amplang Ikan Pipih", "Kota Samarinda", "Kalimantan Timur"),
        ("Kopi Toraja Sapan", "Kabupaten Toraja Utara", "Sulawesi Selatan"),
        ("Sagu Lempeng Maluku", "Kota Ambon", "Maluku"),
        ("Halua Kenari", "Kota Ternate", "Maluku Utara"),
        ("Minuman Lidah Buaya", "Kota Pontianak", "Kalimantan Barat"),
        ("Sambal Roa", "Kota Manado", "Sulawesi Utara"),
        ("Kopi Liberika Meranti", "Kabupaten Kepulauan Meranti", "Riau"),
        ("Otak-otak Bintan", "Kabupaten Bintan", "Kepulauan Riau"),
        ("Kemplang Panggang Bangka", "Kabupaten Bangka", "Kepulauan Bangka Belitung"),
    ],
    Commodity.KAIN_TENUN: [
        ("Hinggi Kombu Sumba Timur", "Kabupaten Sumba Timur", "Nusa Tenggara Timur"),
        ("Tenun Ikat Sikka", "Kabupaten Sikka", "Nusa Tenggara Timur"),
        ("Songket Silungkang", "Kota Sawahlunto", "Sumatera Barat"),
        ("Songket Palembang", "Kota Palembang", "Sumatera Selatan"),
        ("Ulos Harungguan", "Kabupaten Toba", "Sumatera Utara"),
        ("Tenun Gringsing Tenganan", "Kabupaten Karangasem", "Bali"),
        ("Tenun Endek Klungkung", "Kabupaten Klungkung", "Bali"),
        ("Tenun Sasak Sukarara", "Kabupaten Lombok Tengah", "Nusa Tenggara Barat"),
        ("Tenun Ikat Troso", "Kabupaten Jepara", "Jawa Tengah"),
        ("Tenun Sutra Mandar", "Kabupaten Polewali Mandar", "Sulawesi Barat"),
        ("Sarung Sutra Sengkang", "Kabupaten Wajo", "Sulawesi Selatan"),
        ("Tenun Doyo Benuaq", "Kabupaten Kutai Barat", "Kalimantan Timur"),
        ("Tenun Pagatan", "Kabupaten Tanah Bumbu", "Kalimantan Selatan"),
        ("Tenun Ikat Dayak Sintang", "Kabupaten Sintang", "Kalimantan Barat"),
        ("Songket Pandai Sikek", "Kabupaten Tanah Datar", "Sumatera Barat"),
        ("Tenun Songket Siak", "Kabupaten Siak", "Riau"),
        ("Tenun Buton", "Kota Baubau", "Sulawesi Tenggara"),
        ("Tenun Donggala", "Kabupaten Donggala", "Sulawesi Tengah"),
        ("Tenun Ikat Tanimbar", "Kabupaten Kepulauan Tanimbar", "Maluku"),
        ("Tenun Lurik Pedan", "Kabupaten Klaten", "Jawa Tengah"),
        ("Tenun Baduy", "Kabupaten Lebak", "Banten"),
        ("Tenun Gedog Kerek", "Kabupaten Tuban", "Jawa Timur"),
    ],
    Commodity.KAIN_BATIK: [
        ("Batik Tulis Jlamprang", "Kota Pekalongan", "Jawa Tengah"),
        ("Batik Tulis Lasem", "Kabupaten Rembang", "Jawa Tengah"),
        ("Batik Trusmi Mega Mendung", "Kabupaten Cirebon", "Jawa Barat"),
        ("Batik Tulis Giriloyo", "Kabupaten Bantul", "DI Yogyakarta"),
        ("Batik Tanjung Bumi", "Kabupaten Bangkalan", "Jawa Timur"),
        ("Batik Gajah Oling", "Kabupaten Banyuwangi", "Jawa Timur"),
        ("Batik Laweyan", "Kota Surakarta", "Jawa Tengah"),
        ("Batik Besurek", "Kota Bengkulu", "Bengkulu"),
        ("Batik Jambi Seberang", "Kota Jambi", "Jambi"),
        ("Batik Betawi Terogong", "Kota Jakarta Selatan", "DKI Jakarta"),
        ("Batik Garutan", "Kabupaten Garut", "Jawa Barat"),
        ("Batik Sukapura", "Kabupaten Tasikmalaya", "Jawa Barat"),
        ("Batik Sasambo", "Kota Mataram", "Nusa Tenggara Barat"),
        ("Batik Bakaran Juwana", "Kabupaten Pati", "Jawa Tengah"),
        ("Batik Sidoarjo Jetis", "Kabupaten Sidoarjo", "Jawa Timur"),
        ("Batik Banten", "Kota Serang", "Banten"),
        ("Batik Port Numbay", "Kota Jayapura", "Papua"),
        ("Kain Sasirangan", "Kota Banjarmasin", "Kalimantan Selatan"),
        ("Batik Tapis Siger", "Kota Bandar Lampung", "Lampung"),
        ("Batik Bantengan", "Kota Batu", "Jawa Timur"),
        ("Batik Tabir Jambi", "Kabupaten Muaro Jambi", "Jambi"),
        ("Batik Melayu Riau", "Kota Pekanbaru", "Riau"),
    ],
    Commodity.ANYAMAN: [
        ("Tas Anyaman Mendong Rajapolah", "Kabupaten Tasikmalaya", "Jawa Barat"),
        ("Anyaman Rotan Trangsan", "Kabupaten Sukoharjo", "Jawa Tengah"),
        ("Anyaman Pandan Kebumen", "Kabupaten Kebumen", "Jawa Tengah"),
        ("Anyaman Bambu Brajan", "Kabupaten Sleman", "DI Yogyakarta"),
        ("Anyaman Ata Tenganan", "Kabupaten Karangasem", "Bali"),
        ("Anyaman Lontar Rote", "Kabupaten Rote Ndao", "Nusa Tenggara Timur"),
        ("Anyaman Ketak Lombok", "Kabupaten Lombok Barat", "Nusa Tenggara Barat"),
        ("Anyaman Purun Banjar", "Kabupaten Banjar", "Kalimantan Selatan"),
        ("Anyaman Rotan Amuntai", "Kabupaten Hulu Sungai Utara", "Kalimantan Selatan"),
        ("Anyaman Rotan Katingan", "Kabupaten Katingan", "Kalimantan Tengah"),
        ("Anyaman Lidi Sawit", "Kabupaten Muaro Jambi", "Jambi"),
        ("Anyaman Bemban Dayak", "Kabupaten Kapuas Hulu", "Kalimantan Barat"),
        ("Anyaman Eceng Gondok Rawa Pening", "Kabupaten Semarang", "Jawa Tengah"),
        ("Noken Anggrek", "Kabupaten Nabire", "Papua Tengah"),
        ("Tikar Pandan Pesisir", "Kabupaten Pesisir Selatan", "Sumatera Barat"),
        ("Anyaman Lontar Bulukumba", "Kabupaten Bulukumba", "Sulawesi Selatan"),
        ("Anyaman Bambu Kayubihi", "Kabupaten Bangli", "Bali"),
        ("Anyaman Pandan Belitung", "Kabupaten Belitung", "Kepulauan Bangka Belitung"),
        ("Anyaman Rotan Tegalwangi", "Kabupaten Cirebon", "Jawa Barat"),
        ("Anyaman Serat Agel", "Kabupaten Kulon Progo", "DI Yogyakarta"),
        ("Tas Purun Pedamaran", "Kabupaten Ogan Komering Ilir", "Sumatera Selatan"),
        ("Anyaman Pandan Gorontalo", "Kabupaten Gorontalo", "Gorontalo"),
    ],
    Commodity.GERABAH: [
        ("Gerabah Hias Kasongan", "Kabupaten Bantul", "DI Yogyakarta"),
        ("Gerabah Plered", "Kabupaten Purwakarta", "Jawa Barat"),
        ("Gerabah Banyumulek", "Kabupaten Lombok Barat", "Nusa Tenggara Barat"),
        ("Gerabah Pejaten", "Kabupaten Tabanan", "Bali"),
        ("Gerabah Klampok", "Kabupaten Banjarnegara", "Jawa Tengah"),
        ("Gerabah Mayong", "Kabupaten Jepara", "Jawa Tengah"),
        ("Gerabah Melikan Bayat", "Kabupaten Klaten", "Jawa Tengah"),
        ("Gerabah Sitiwinangun", "Kabupaten Cirebon", "Jawa Barat"),
        ("Keramik Dinoyo", "Kota Malang", "Jawa Timur"),
        ("Gerabah Takalar", "Kabupaten Takalar", "Sulawesi Selatan"),
        ("Gerabah Penujak", "Kabupaten Lombok Tengah", "Nusa Tenggara Barat"),
        ("Gerabah Abar Sentani", "Kabupaten Jayapura", "Papua"),
        ("Gerabah Galogandang", "Kabupaten Tanah Datar", "Sumatera Barat"),
        ("Gerabah Pulutan", "Kabupaten Minahasa", "Sulawesi Utara"),
        ("Gerabah Ouw", "Kabupaten Maluku Tengah", "Maluku"),
        ("Gerabah Lubuk", "Kabupaten Aceh Besar", "Aceh"),
        ("Keramik Sakkok", "Kota Singkawang", "Kalimantan Barat"),
        ("Gerabah Cangkring", "Kabupaten Malang", "Jawa Timur"),
        ("Gerabah Bayan", "Kabupaten Lombok Utara", "Nusa Tenggara Barat"),
        ("Gerabah Tanjung Batu", "Kabupaten Ogan Ilir", "Sumatera Selatan"),
        ("Gerabah Anjun", "Kabupaten Purwakarta", "Jawa Barat"),
        ("Gerabah Pundong", "Kabupaten Bantul", "DI Yogyakarta"),
    ],
}

_NAMES = [
    "Sekar Arum", "Sumber Rejeki", "Karya Mandiri", "Putri Ayu", "Tunas Harapan",
    "Berkah Jaya", "Mekar Sari", "Cahaya Baru", "Lestari Alam", "Sinar Abadi",
    "Citra Nusantara", "Bina Usaha", "Rumah Kriya", "Warisan Bunda", "Maju Bersama",
    "Tiga Saudara", "Anugerah", "Daya Lokal", "Pelangi", "Kembang Desa",
    "Mutiara Timur", "Jaya Makmur",
]  # fmt: skip
_FORMS = ["UD", "CV", "KUB", "IKM"]


@dataclass(frozen=True)
class Step:
    """What happens to the nomination at one position of the plan."""

    kind: str
    panel: float = 0.0  # the jurors' mean weighted score
    lab: float = 0.0  # the Balai Besar's score


PLAN: list[Step] = [
    Step("award", 88, 90),
    Step("award", 85, 80),
    Step("award", 86.25, 75),
    Step("award", 78, 82),
    Step("award", 75, 75),
    Step("award", 75, 75),
    Step("award", 68, 70),
    Step("award", 62, 60),
    Step("award_after_revision", 81, 85),
    Step("award_override", 72, 74),
    Step("reassessment", 90, 92),
    Step("below_threshold", 55, 60),
    Step("lab_fail", 0, 45),
    Step("no_star_by_official", 65, 40),
    Step("reject"),
    Step("reject_after_revision"),
    Step("expire"),
    Step("withdraw", 70, 70),
    Step("open_early"),
    Step("open_assessment"),
    Step("open_panel", 70, 70),
    Step("open_decision", 80, 80),
]
WITHDRAWN_AT = {
    Commodity.MAKANAN_MINUMAN: Stage.ADMIN_VERIFICATION,
    Commodity.KAIN_TENUN: Stage.TECHNICAL_ASSESSMENT,
    Commodity.KAIN_BATIK: Stage.PANEL_SCORING,
    Commodity.ANYAMAN: Stage.AWARD_DECISION,
    Commodity.GERABAH: Stage.REVISION_REQUESTED,
}
# Position 19: waiting for verification, for a revision, or verification again after one.
OPEN_EARLY = {
    Commodity.MAKANAN_MINUMAN: "verification",
    Commodity.KAIN_TENUN: "revision",
    Commodity.KAIN_BATIK: "resubmitted",
    Commodity.ANYAMAN: "verification",
    Commodity.GERABAH: "revision",
}


def shift(commodity: Commodity) -> float:
    """Each commodity's panel scores a little apart, so the rankings do not look alike."""
    return list(Commodity).index(commodity) * 0.25


def proposal(
    commodity: Commodity, position: int, cycle: str = CYCLE, previous: bool = False
) -> Proposal:
    """The proposal at `position` (1-based) of `commodity`'s catalogue."""
    product, regency, province = CATALOGUE[commodity][position - 1]
    index = list(Commodity).index(commodity) * 100 + position
    key = f"{commodity.value}{position}"
    raw: dict[str, Any] = copy.deepcopy(example_proposals(cycle)[4])  # food: permits too
    name = _NAMES[(position - 1) % len(_NAMES)]
    raw["ikm"]["name"] = f"{_FORMS[index % len(_FORMS)]} {name} {regency.split(' ', 1)[1]}"
    raw["ikm"]["nib"] = f"{9120000000000 + index * 7919 + int(cycle):013d}"
    raw["ikm"]["owner"]["email"] = f"pemilik.{key}@example.id"
    raw["sentra"] = {
        "name": f"Sentra IKM {product}",
        "regency": regency,
        "province": province,
        "decree": {
            "number": f"500/{index:03d}/{2020 + index % 3}",
            "date": date(2020 + index % 3, 1 + index % 12, 10).isoformat(),
            "issued_by": head_of(regency).value,
            "issuer_region": regency,
        },
    }
    raw["product"]["name"] = product
    raw["product"]["description"] = f"{product} dari {regency}, {province}."
    raw["product"]["commodity"] = commodity.value
    office = f"Dinas Perindustrian dan Perdagangan {regency}"
    raw["proposing_office"]["name"] = office
    raw["proposing_office"]["contact"]["email"] = f"disperin.{key}@example.id"
    raw["provincial_office"]["name"] = f"Dinas Perindustrian dan Perdagangan Provinsi {province}"
    if previous:
        raw["previous_award"] = {
            "cycle": "2024",
            "certificate_number": f"{index:04d}/OVOP/IKMA/2024",
            "stars": 2,
        }
    return Proposal.model_validate(raw)


class CycleRecorder:
    """Takes nominations through their decisions and records every event as it happens."""

    def __init__(self, store: RecordStore, config: CycleConfig) -> None:
        self.store = store
        self.config = config
        self._recorded: dict[str, int] = {}

    async def sync(self, nom: Nomination) -> None:
        for event in nom.events[self._recorded.get(nom.id, 0) :]:
            await self.store.record(summarize(nom), event)
        self._recorded[nom.id] = len(nom.events)

    async def decide(self, nom: Nomination, decision: Decision, now: datetime) -> None:
        nom.apply(decision, now)
        await self.sync(nom)

    async def play(self, p: Proposal, step: Step, stage_for: Stage, at: datetime) -> Nomination:
        nom = Nomination.propose(p, self.config, proposer_of(p))
        clock = iter(at + timedelta(days=4 * i, hours=i % 5) for i in range(100))
        nom.start(next(clock))
        await self.sync(nom)
        kind = step.kind

        async def verify(outcome: VerifyOutcome, reason: str | None = None) -> None:
            await self.decide(
                nom, VerifyDecision(actor=VERIFIER, outcome=outcome, reason=reason), next(clock)
            )

        async def revise_and_resubmit() -> None:
            await verify(VerifyOutcome.REVISE, "lampirkan salinan SK sentra yang dilegalisasi")
            await self.decide(
                nom,
                Resubmission(actor=proposer_of(p), proposal=p, note="SK sentra terlampir"),
                next(clock),
            )

        async def withdraw(reason: str) -> None:
            await self.decide(nom, withdrawal(OPERATOR, reason), next(clock))

        if kind in {"award_after_revision", "reject_after_revision"} or (
            kind == "open_early" and OPEN_EARLY[p.product.commodity] == "resubmitted"
        ):
            await revise_and_resubmit()
        if kind in {"reject", "reject_after_revision"}:
            await verify(VerifyOutcome.REJECT, "sentra IKM belum memiliki SK bupati/wali kota")
            return nom
        if kind in {"expire"} or (
            kind == "open_early" and OPEN_EARLY[p.product.commodity] == "revision"
        ):
            await verify(VerifyOutcome.REVISE, "lengkapi izin edar dan foto produk")
            if kind == "expire":
                nom.take_due_steps(next(clock) + timedelta(days=90))
                await self.sync(nom)
            return nom
        if kind == "open_early":
            return nom
        if kind == "withdraw" and stage_for == Stage.ADMIN_VERIFICATION:
            await withdraw("IKM mengundurkan diri sebelum verifikasi")
            return nom
        if kind == "withdraw" and stage_for == Stage.REVISION_REQUESTED:
            await verify(VerifyOutcome.REVISE, "lengkapi foto produk")
            await withdraw("IKM tidak dapat melengkapi perbaikan")
            return nom
        await verify(VerifyOutcome.PASS)
        if kind == "open_assessment":
            return nom
        if kind == "withdraw" and stage_for == Stage.TECHNICAL_ASSESSMENT:
            await withdraw("sampel produk tidak dapat dikirim")
            return nom
        await self.decide(
            nom, findings(nom.lab, score=step.lab, conforms=kind != "lab_fail"), next(clock)
        )
        if kind == "lab_fail":
            return nom
        if kind == "withdraw" and stage_for == Stage.PANEL_SCORING:
            await withdraw("IKM berhenti berproduksi")
            return nom
        mean = step.panel + shift(p.product.commodity)
        jurors = nom.panel if kind != "open_panel" else nom.panel[:1]
        spread = [1.5 * (i - (len(nom.panel) - 1) / 2) for i in range(len(nom.panel))]
        for juror, offset in zip(jurors, spread, strict=False):
            await self.decide(
                nom, sheet(juror, dict.fromkeys(Criterion, mean + offset)), next(clock)
            )
        if kind in {"open_panel", "open_decision"}:
            return nom
        if kind == "withdraw":
            await withdraw("IKM bergabung dengan sentra lain")
            return nom
        if kind == "below_threshold":
            return nom
        if kind == "award_override":
            decision = AwardDecision(
                actor=OFFICIAL,
                override_stars=3,
                reason="kunjungan lapangan menunjukkan pasar ekspor yang telah berjalan",
            )
        elif kind == "no_star_by_official":
            decision = AwardDecision(
                actor=OFFICIAL,
                override_stars=0,
                reason="nilai uji Balai Besar terlalu rendah untuk penghargaan",
            )
        else:
            decision = AwardDecision(actor=OFFICIAL)
        now = next(clock)
        await self.decide(nom, decision, now)
        if nom.awaiting_certificate:
            number = await self.store.issue_certificate(nom.id, nom.proposal.cycle)
            nom.grant(number, now)
            await self.sync(nom)
        return nom


async def record_cycle(store: RecordStore) -> list[tuple[Commodity, int, Nomination]]:
    """The 110 nominations of cycle 2026, and two of cycle 2024 that the report must leave
    out. Returns each 2026 nomination with its commodity and plan position."""
    recorder = CycleRecorder(store, example_cycle_config(CYCLE))
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    played = []
    for c_index, commodity in enumerate(Commodity):
        for position, step in enumerate(PLAN, start=1):
            at = start + timedelta(minutes=41 * (c_index * len(PLAN) + position))
            p = proposal(commodity, position, previous=step.kind == "reassessment")
            nom = await recorder.play(p, step, WITHDRAWN_AT[commodity], at)
            played.append((commodity, position, nom))
    earlier = CycleRecorder(store, example_cycle_config("2024"))
    for position in (1, 2):
        p = proposal(Commodity.GERABAH, position, cycle="2024")
        await earlier.play(p, PLAN[0], Stage.ADMIN_VERIFICATION, datetime(2024, 3, 4, tzinfo=UTC))
    return played
