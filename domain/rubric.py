"""What a score means on each of the five criteria: the rubric a juror's score sheet shows
beside each criterion, one text per band of scores.

The texts are the engine's guidance, an example a cycle may replace, as it replaces the
weights (`CriteriaWeights`): the program names the criteria, not what each score means.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.scoring import Criterion

# The bands of scores, lowest first.
BANDS = ((0, 59), (60, 69), (70, 79), (80, 89), (90, 100))


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    meaning: str

    @property
    def label(self) -> str:
        """Every score, halves included: "di bawah 60", "60 sampai di bawah 70", "90-100"."""
        if self.low == 0:
            return f"di bawah {self.high + 1}"
        if self.high == 100:
            return f"{self.low}-100"
        return f"{self.low} sampai di bawah {self.high + 1}"


_MEANINGS: dict[Criterion, tuple[str, str, str, str, str]] = {
    Criterion.LOCAL_RESOURCES: (
        "Bahan baku, tenaga kerja dan keterampilan sebagian besar didatangkan dari luar daerah.",
        "Sebagian bahan baku berasal dari daerah setempat; ketergantungan pada pasokan luar "
        "masih besar.",
        "Bahan baku utama berasal dari daerah setempat dan melibatkan tenaga kerja lokal.",
        "Hampir seluruh bahan baku dan tenaga kerja berasal dari daerah setempat, dengan "
        "pemasok lokal yang tetap.",
        "Produk sepenuhnya bertumpu pada sumber daya setempat dan menggerakkan rantai pasok "
        "serta ekonomi sentra.",
    ),
    Criterion.CULTURE_AUTHENTICITY: (
        "Produk umum yang tidak menunjukkan ciri budaya atau asal daerah.",
        "Ciri daerah tampak pada nama atau kemasan, belum pada produknya sendiri.",
        "Produk memuat unsur budaya setempat (motif, resep, teknik) yang dapat dikenali.",
        "Produk khas daerah dengan teknik atau resep turun-temurun yang terjaga keasliannya.",
        "Produk menjadi penanda budaya daerah, dengan kisah asal yang jelas dan tidak mudah "
        "ditiru di tempat lain.",
    ),
    Criterion.QUALITY_PRESENTATION: (
        "Mutu tidak konsisten dan penampilan atau kemasan belum layak jual.",
        "Mutu cukup, tetapi penyelesaian, kemasan atau label masih perlu banyak perbaikan.",
        "Mutu baik dan konsisten; kemasan dan label memenuhi ketentuan dasar.",
        "Mutu tinggi sesuai standar yang berlaku; kemasan menarik dan informatif.",
        "Mutu unggul dan terjamin (bersertifikat), dengan penampilan dan kemasan setara "
        "produk pasar ekspor.",
    ),
    Criterion.MARKET_POTENTIAL: (
        "Pasar terbatas pada lingkungan sekitar, tanpa rencana perluasan.",
        "Dijual di pasar lokal dan regional dengan jangkauan yang masih sempit.",
        "Memiliki pasar domestik yang tetap di beberapa daerah atau melalui penjualan daring.",
        "Pasar domestik luas dan telah dijajaki atau dirintis untuk ekspor.",
        "Telah diekspor atau memiliki pembeli luar negeri yang tetap, dengan permintaan yang "
        "terus tumbuh.",
    ),
    Criterion.SUSTAINABLE_PRODUCTION: (
        "Produksi tidak menentu, bergantung pada pesanan, tanpa pencatatan.",
        "Produksi berjalan tetapi kapasitas dan pasokan sering terganggu.",
        "Produksi kontinu dengan kapasitas yang tercatat dan pengelolaan usaha yang tertib.",
        "Produksi stabil, ada regenerasi perajin atau pekerja, dan memperhatikan lingkungan.",
        "Produksi berkelanjutan dan ramah lingkungan, dengan kapasitas yang siap memenuhi "
        "lonjakan permintaan.",
    ),
}


def rubric(criterion: Criterion) -> list[Band]:
    """The bands of `criterion`, lowest first, each with what it means."""
    return [
        Band(low, high, text) for (low, high), text in zip(BANDS, _MEANINGS[criterion], strict=True)
    ]
