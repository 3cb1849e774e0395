"""Realistic example data: a cycle's staff and panel, and proposals from ten regions.

Used by `ovop example-proposal`, the local demo and the tests. The people, numbers and
addresses are invented; the places, products and institutions are real.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.cycle import CycleConfig
from domain.decisions import (
    Actor,
)
from domain.example_decisions import example_findings as example_findings
from domain.example_decisions import example_lab_testing as example_lab_testing
from domain.example_decisions import example_sample_receipt as example_sample_receipt
from domain.example_decisions import example_visit_report as example_visit_report
from domain.example_decisions import example_visit_schedule as example_visit_schedule
from domain.proposal import Proposal
from domain.stages import Role

MAIL = "example.id"  # a made-up mail domain: the local demo never reaches a real inbox


def _contact(name: str, user: str, phone: str) -> dict[str, str]:
    return {"name": name, "email": f"{user}@{MAIL}", "phone": phone}


def example_cycle_config(cycle: str = "2026", **overrides: Any) -> CycleConfig:
    """A cycle with the 2024 star scale, its staff, and a panel of nine jurors."""
    lab_desks = [
        ("BBSPJI_AGRO", "bbspji-agro", "Jl. Ir. H. Juanda No. 11, Bogor", "agro"),
        (
            "BBSPJI_KERAJINAN_BATIK",
            "bbspji-kb",
            "Jl. Kusumanegara No. 7, Yogyakarta",
            "kb",
        ),
        (
            "BBSPJI_KERAMIK_MINERAL",
            "bbspji-kmnl",
            "Jl. Jend. Achmad Yani No. 392, Bandung",
            "kmnl",
        ),
    ]
    data: dict[str, Any] = {
        "cycle": cycle,
        "panel": {"size": 3, "quorum": 2, "lab_weight": 0.2, "outlier_points": 15},
        "staff": {
            "verification_desk": {
                "name": "Sekretariat Verifikasi OVOP Ditjen IKMA",
                "email": f"verifikasi.ovop@{MAIL}",
            },
            "verifiers": [
                {"user_id": "verif.rina", "name": "Rina Marlina", "email": f"rina@{MAIL}"},
                {"user_id": "verif.agus", "name": "Agus Salim", "email": f"agus@{MAIL}"},
            ],
            "officials": [
                {
                    "user_id": "dirjen.ikma",
                    "name": "Direktur Jenderal IKMA",
                    "email": f"dirjen.ikma@{MAIL}",
                }
            ],
            "operators": [
                {"user_id": "op.sari", "name": "Sari Wulandari", "email": f"sari@{MAIL}"}
            ],
            "labs": [
                {
                    "lab": lab,
                    "email": f"{box}@{MAIL}",
                    "address": address,
                    "assessors": [
                        {
                            "user_id": f"lab.{short}.1",
                            "name": f"Penilai {short.upper()} 1",
                            "email": f"penilai1.{short}@{MAIL}",
                        }
                    ],
                }
                for lab, box, address, short in lab_desks
            ],
            "supervisors": {
                "verifier": {
                    "name": "Direktur IKM Pangan, Barang dari Kayu, dan Furnitur",
                    "email": f"direktur@{MAIL}",
                },
                "lab_assessor": {"name": "Kepala Pusat Standardisasi", "email": f"kapus@{MAIL}"},
                "juror": {"name": "Ketua Tim Seleksi OVOP", "email": f"ketua.timsel@{MAIL}"},
                "official": {"name": "Sekretaris Ditjen IKMA", "email": f"sesditjen@{MAIL}"},
            },
        },
        "jurors": [
            _juror("juri.budi", "Budi Santoso", "Kemenko Perekonomian", "DKI Jakarta", ["*"]),
            _juror("juri.dewi", "Dewi Lestari", "BBSPJI Agro", "Jawa Barat", ["makanan_minuman"]),
            _juror(
                "juri.hasan", "Hasan Basri", "BBSPJI Agro", "Sumatera Barat", ["makanan_minuman"]
            ),
            _juror(
                "juri.made",
                "I Made Suarta",
                "BBSPJI Kerajinan dan Batik",
                "Bali",
                ["kain_batik", "kain_tenun", "anyaman"],
            ),
            _juror(
                "juri.siti",
                "Siti Rahayu",
                "BBSPJI Kerajinan dan Batik",
                "Jawa Tengah",
                ["kain_batik", "kain_tenun", "anyaman"],
            ),
            _juror(
                "juri.yohanes",
                "Yohanes Lado",
                "Asosiasi Tenun Nusantara",
                "Nusa Tenggara Timur",
                ["kain_tenun", "anyaman"],
            ),
            _juror(
                "juri.wayan",
                "Wayan Sudana",
                "BBSPJI Keramik dan Mineral Non Logam",
                "Bali",
                ["gerabah", "anyaman"],
            ),
            _juror(
                "juri.rahmat",
                "Rahmat Hidayat",
                "BBSPJI Keramik dan Mineral Non Logam",
                "Jawa Barat",
                ["gerabah"],
            ),
            _juror("juri.ani", "Ani Kusuma", "Ditjen IKMA", "Jawa Timur", ["*"]),
        ],
    }
    data["staff"]["regional_offices"] = _regional_offices(cycle)
    data.update(overrides)
    return CycleConfig.model_validate(data).with_national_calendar()


def _regional_offices(cycle: str) -> list[dict[str, Any]]:
    """The offices that propose the examples, and the provincial offices that endorse them
    (`endorsement`), each with its OVOP contact as the one person who acts for it in the
    inbox."""
    offices: dict[str, dict[str, Any]] = {}
    for p in example_proposals(cycle):
        province, contact = p["provincial_office"], p["provincial_office"]["contact"]
        offices.setdefault(
            province["name"],
            {
                "name": province["name"],
                "province": p["sentra"]["province"],
                "regency": None,
                "contacts": [
                    {
                        "user_id": contact["email"].split("@")[0],
                        "name": contact["name"],
                        "email": contact["email"],
                    }
                ],
            },
        )
        office, contact = p["proposing_office"], p["proposing_office"]["contact"]
        offices.setdefault(
            office["name"],
            {
                "name": office["name"],
                "province": p["sentra"]["province"],
                "regency": p["sentra"]["regency"],
                "contacts": [
                    {
                        "user_id": contact["email"].split("@")[0],
                        "name": contact["name"],
                        "email": contact["email"],
                    }
                ],
            },
        )
    return list(offices.values())


def _juror(
    user_id: str, name: str, institution: str, province: str, commodities: list[str]
) -> dict[str, Any]:
    every = ["makanan_minuman", "kain_tenun", "kain_batik", "anyaman", "gerabah"]
    return {
        "user_id": user_id,
        "name": name,
        "email": f"{user_id.replace('.', '_')}@{MAIL}",
        "institution": institution,
        "home_province": province,
        "commodities": every if commodities == ["*"] else commodities,
    }


def _proposal(
    *,
    key: str,
    cycle: str,
    ikm: str,
    nib: str,
    owner: str,
    sentra: str,
    regency: str,
    province: str,
    head: str,
    decree: str,
    decree_date: date,
    product: str,
    description: str,
    commodity: str,
    materials: list[str],
    permits: list[dict[str, Any]],
    office: str,
    provincial_office: str,
) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "proposed_on": f"{cycle}-03-02",
        "ikm": {
            "name": ikm,
            "nib": nib,
            "owner": _contact(owner, f"pemilik.{key}", "0812 1111 0001"),
        },
        "sentra": {
            "name": sentra,
            "regency": regency,
            "province": province,
            "decree": {
                "number": decree,
                "date": decree_date.isoformat(),
                "issued_by": head,
                "issuer_region": regency,
            },
        },
        "product": {
            "name": product,
            "description": description,
            "commodity": commodity,
            "local_raw_materials": materials,
            "permits": permits,
        },
        "proposing_office": {
            "name": office,
            "contact": _contact(
                f"Kepala Bidang Industri {regency}", f"disperin.{key}", "0812 2222 0002"
            ),
        },
        "provincial_office": {
            "name": provincial_office,
            "contact": _contact(
                f"Pembina IKM {province}", f"disperin.prov.{key}", "0812 3333 0003"
            ),
        },
    }


def example_proposals(cycle: str = "2026") -> list[dict[str, Any]]:
    """Ten proposals as regional offices send them: five commodities, three time zones.

    The first `DEMO_EXAMPLES` are the demo nominations of `make run`; the last is not, so
    `ovop example-proposal` gives one that can still be proposed there.
    """
    return [
        _proposal(
            key="pekalongan",
            cycle=cycle,
            ikm="Batik Tulis Jlamprang Bu Ratna",
            nib="9120001234561",
            owner="Ratna Dewi",
            sentra="Sentra IKM Batik Kampung Pesindon",
            regency="Kota Pekalongan",
            province="Jawa Tengah",
            head="walikota",
            decree="500/112/2021",
            decree_date=date(2021, 6, 14),
            product="Batik Tulis Jlamprang",
            description="Batik tulis motif Jlamprang khas Pekalongan dengan pewarna alam.",
            commodity="kain_batik",
            materials=["kain mori primissima", "malam tawon", "pewarna alam indigofera"],
            permits=[{"kind": "HAKI", "number": "IDM000912345"}],
            office="Dinas Perdagangan, Koperasi dan UKM Kota Pekalongan",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Jawa Tengah",
        ),
        _proposal(
            key="sumbatimur",
            cycle=cycle,
            ikm="Tenun Ikat Kanatang",
            nib="9120001234562",
            owner="Maria Hunggu",
            sentra="Sentra IKM Tenun Ikat Kanatang",
            regency="Kabupaten Sumba Timur",
            province="Nusa Tenggara Timur",
            head="bupati",
            decree="188.45/HK/2020",
            decree_date=date(2020, 9, 1),
            product="Hinggi Kombu Sumba Timur",
            description="Kain tenun ikat Sumba Timur dengan pewarna akar mengkudu dan nila.",
            commodity="kain_tenun",
            materials=["benang kapas lokal", "akar mengkudu", "daun nila"],
            permits=[],
            office="Dinas Perindustrian dan Perdagangan Kabupaten Sumba Timur",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Nusa Tenggara Timur",
        ),
        _proposal(
            key="bantul",
            cycle=cycle,
            ikm="Gerabah Kasongan Timbul Raharjo",
            nib="9120001234563",
            owner="Timbul Raharjo",
            sentra="Sentra IKM Gerabah Kasongan",
            regency="Kabupaten Bantul",
            province="DI Yogyakarta",
            head="bupati",
            decree="188/2019/KEP",
            decree_date=date(2019, 2, 20),
            product="Gerabah Hias Kasongan",
            description="Gerabah hias tanah liat Kasongan dibakar tungku tradisional.",
            commodity="gerabah",
            materials=["tanah liat Kasongan", "pasir Merapi"],
            permits=[{"kind": "SNI", "number": "SNI 7275:2008"}],
            office="Dinas Perindustrian dan Perdagangan Kabupaten Bantul",
            provincial_office="Dinas Perindustrian dan Perdagangan DIY",
        ),
        _proposal(
            key="tasikmalaya",
            cycle=cycle,
            ikm="Anyaman Mendong Rajapolah",
            nib="9120001234564",
            owner="Euis Kurniasih",
            sentra="Sentra IKM Anyaman Rajapolah",
            regency="Kabupaten Tasikmalaya",
            province="Jawa Barat",
            head="bupati",
            decree="530/Kep.77-Disperindag/2022",
            decree_date=date(2022, 4, 11),
            product="Tas Anyaman Mendong Rajapolah",
            description="Tas dan keranjang anyaman mendong dan pandan karya perajin Rajapolah.",
            commodity="anyaman",
            materials=["mendong", "pandan laut"],
            permits=[],
            office="Dinas Koperasi, UKM, Perindustrian dan Perdagangan Kabupaten Tasikmalaya",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Jawa Barat",
        ),
        _proposal(
            key="acehtengah",
            cycle=cycle,
            ikm="Kopi Gayo Bergendal",
            nib="9120001234565",
            owner="Zulkifli Aman Rahmah",
            sentra="Sentra IKM Kopi Bebesen",
            regency="Kabupaten Aceh Tengah",
            province="Aceh",
            head="bupati",
            decree="500/234/2020",
            decree_date=date(2020, 11, 3),
            product="Kopi Arabika Gayo Sangrai",
            description="Kopi arabika Gayo petik merah, sangrai medium, dari kebun rakyat Bebesen.",
            commodity="makanan_minuman",
            materials=["biji kopi arabika Gayo"],
            permits=[
                {"kind": "PIRT", "number": "2061104010123-25"},
                {"kind": "HALAL", "number": "ID11110000123450223"},
            ],
            office="Dinas Perindustrian dan Perdagangan Kabupaten Aceh Tengah",
            provincial_office="Dinas Perindustrian dan Perdagangan Aceh",
        ),
        _proposal(
            key="jayawijaya",
            cycle=cycle,
            ikm="Kopi Wamena Baliem",
            nib="9120001234566",
            owner="Yosias Wenda",
            sentra="Sentra IKM Kopi Lembah Baliem",
            regency="Kabupaten Jayawijaya",
            province="Papua Pegunungan",
            head="bupati",
            decree="188.4/078/2023",
            decree_date=date(2023, 5, 8),
            product="Kopi Arabika Wamena",
            description="Kopi arabika organik dari Lembah Baliem, diolah proses basah.",
            commodity="makanan_minuman",
            materials=["biji kopi arabika Wamena"],
            permits=[
                {"kind": "BPOM", "number": "MD 224512001234"},
                {"kind": "HALAL", "number": "ID94110000234560324"},
            ],
            office="Dinas Perindustrian dan Perdagangan Kabupaten Jayawijaya",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Papua Pegunungan",
        ),
        _proposal(
            key="lombokbarat",
            cycle=cycle,
            ikm="Gerabah Banyumulek Inaq Sahnun",
            nib="9120001234568",
            owner="Baiq Sahnun Hidayati",
            sentra="Sentra IKM Gerabah Banyumulek",
            regency="Kabupaten Lombok Barat",
            province="Nusa Tenggara Barat",
            head="bupati",
            decree="530/245/Disperin/2021",
            decree_date=date(2021, 7, 19),
            product="Kendi Maling Banyumulek",
            description="Kendi gerabah khas Lombok yang diisi dari lubang di dasarnya, "
            "dibakar dengan jerami dan dililit anyaman ketak.",
            commodity="gerabah",
            materials=["tanah liat Banyumulek", "pasir sungai", "ketak"],
            permits=[],
            office="Dinas Perindustrian Kabupaten Lombok Barat",
            provincial_office="Dinas Perindustrian Provinsi Nusa Tenggara Barat",
        ),
        _proposal(
            key="samarinda",
            cycle=cycle,
            ikm="Amplang Mahakam Bu Hartini",
            nib="9120001234569",
            owner="Hartini Rahayu",
            sentra="Sentra IKM Amplang Sambutan",
            regency="Kota Samarinda",
            province="Kalimantan Timur",
            head="walikota",
            decree="500.2/318/HK-KS/2022",
            decree_date=date(2022, 10, 5),
            product="Amplang Ikan Pipih Samarinda",
            description="Kerupuk amplang dari daging ikan pipih dan tapioka, digoreng renyah "
            "tanpa pengawet.",
            commodity="makanan_minuman",
            materials=["ikan pipih", "tepung tapioka", "bawang putih"],
            permits=[
                {"kind": "PIRT", "number": "2066472010789-28"},
                {"kind": "HALAL", "number": "ID64110000456780624"},
            ],
            office="Dinas Perindustrian Kota Samarinda",
            provincial_office="Dinas Perindustrian, Perdagangan, Koperasi dan UKM "
            "Provinsi Kalimantan Timur",
        ),
        _proposal(
            key="wajo",
            cycle=cycle,
            ikm="Sutera Pakanna Ibu Hasnah",
            nib="9120001234570",
            owner="Hasnah Andi Tenri",
            sentra="Sentra IKM Tenun Sutera Pakanna",
            regency="Kabupaten Wajo",
            province="Sulawesi Selatan",
            head="bupati",
            decree="188.4/412/Disperindag/2020",
            decree_date=date(2020, 3, 16),
            product="Sarung Sutera Sengkang",
            description="Lipa' sabbe, sarung tenun sutera Bugis motif balo renni, ditenun "
            "dengan alat tenun bukan mesin dari benang sutera Wajo.",
            commodity="kain_tenun",
            materials=["benang sutera Wajo", "pewarna alam kayu secang"],
            permits=[{"kind": "HAKI", "number": "IDM000987654"}],
            office="Dinas Perindustrian dan Perdagangan Kabupaten Wajo",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Sulawesi Selatan",
        ),
        # Not one of the demo nominations `make run` seeds: the one to propose by hand.
        _proposal(
            key="malang",
            cycle=cycle,
            ikm="Keripik Tempe Sanan Bu Sri",
            nib="9120001234567",
            owner="Sri Wahyuningsih",
            sentra="Sentra IKM Keripik Tempe Sanan",
            regency="Kota Malang",
            province="Jawa Timur",
            head="walikota",
            decree="188.45/215/35.73.112/2022",
            decree_date=date(2022, 8, 22),
            product="Keripik Tempe Sanan",
            description="Keripik tempe tipis dari kedelai lokal, digoreng renyah tanpa pengawet.",
            commodity="makanan_minuman",
            materials=["kedelai lokal", "tepung beras", "bumbu rempah"],
            permits=[
                {"kind": "PIRT", "number": "2063573010456-27"},
                {"kind": "HALAL", "number": "ID35110000345670522"},
            ],
            office="Dinas Perindustrian Kota Malang",
            provincial_office="Dinas Perindustrian dan Perdagangan Provinsi Jawa Timur",
        ),
    ]


# How many of the examples `make run` seeds as demo nominations; the rest are fresh.
DEMO_EXAMPLES = 9


def example_proposal(cycle: str = "2026", index: int = 0) -> Proposal:
    return Proposal.model_validate(example_proposals(cycle)[index])


def proposer_of(proposal: Proposal) -> Actor:
    """The proposing office acting through its OVOP contact."""
    return Actor(
        user_id=str(proposal.proposing_office.contact.email),
        role=Role.PROPOSER,
        institution=proposal.proposing_office.name,
    )


def provincial_office_of(proposal: Proposal) -> Actor:
    """The provincial office of the proposal's province, acting through its OVOP contact
    (its endorsement: `endorsement`)."""
    return Actor(
        user_id=str(proposal.provincial_office.contact.email).split("@")[0],
        role=Role.PROPOSER,
        institution=proposal.provincial_office.name,
    )


def submission_of(raw: dict[str, Any]) -> dict[str, Any]:
    """What `ProposeNomination` takes (the Web UI's Start Workflow form): the proposal as
    typed, and its proposing office proposing it."""
    proposer = proposer_of(Proposal.model_validate(raw))
    return {"proposal": raw, "submitted_by": proposer.model_dump(mode="json")}
