"""The plenary's rules: the ranking (order, ties, outliers, down-weighting on request), the
chair's agreed list (who records it, reasons for changes, known nominees, the scale), and
the one decree (only once every commodity has its list, naming exactly its winners)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.cycle import CycleConfig
from domain.decisions import Actor
from domain.decree import DecreeOrder, check_decree, decree_number, is_decree_number, issue_decree
from domain.errors import RefusalKind, Refused
from domain.examples import example_cycle_config
from domain.plenary import (
    AgreedList,
    AgreedWinner,
    Change,
    DroppedNominee,
    agreed_winners,
    check_agreed_list,
    nominee_of,
    rank,
)
from domain.proposal import Commodity
from domain.scoring import CoachingLevel
from domain.stages import Role, Stage
from tests.plenary_support import (
    CHAIR,
    CONFIG,
    ISSUED_AT,
    NUMBER,
    as_recommended,
    nominee,
    sample_decree,
    sample_rankings,
)
from tests.support import OFFICIAL, OPERATOR, VERIFIER, at_stage, juror

BATIK = Commodity.KAIN_BATIK


def refusal(error: pytest.ExceptionInfo[Refused]) -> tuple[RefusalKind, list[str]]:
    return error.value.kind, error.value.fields


def ranked_ids(ranking) -> list[str]:
    return [e.nominee.nomination_id for e in ranking.entries]


# --- the ranking -------------------------------------------------------------------------


def test_nominees_rank_by_final_score_then_lab_score_then_id() -> None:
    # b and c tie on the final score (80.00): the higher lab score comes first; d and e tie
    # on both, so their ids order them.
    ranking = rank(
        BATIK,
        [
            nominee("e", [70, 70, 70], 70),
            nominee("c", [80, 80, 80], 80),
            nominee("a", [90, 90, 90], 90),
            nominee("b", [77.5, 77.5, 77.5], 90),
            nominee("d", [70, 70, 70], 70),
        ],
        CONFIG,
    )
    assert ranked_ids(ranking) == ["a", "b", "c", "d", "e"]
    assert [e.position for e in ranking.entries] == [1, 2, 3, 4, 5]
    assert [e.nominee.final_score for e in ranking.entries] == [90, 80, 80, 70, 70]


def test_equal_final_scores_to_the_shown_precision_are_flagged_as_ties() -> None:
    ranking = rank(
        BATIK,
        [
            nominee("a", [80, 80, 80], 80),  # 80.00
            nominee("b", [77.5, 77.5, 77.5], 90),  # 80.00
            nominee("c", [80.01, 80.01, 80.01], 80),  # 80.01: shown apart, not tied
        ],
        CONFIG,
    )
    ties = {e.nominee.nomination_id: e.tied_with for e in ranking.entries}
    assert ties == {"c": [], "b": ["a"], "a": ["b"]}
    assert not ranking.entries[0].tied


def test_a_juror_far_from_the_panel_s_median_is_flagged_as_an_outlier() -> None:
    ranking = rank(BATIK, [nominee("a", [80, 82, 60]), nominee("b", [80, 82, 66])], CONFIG)
    a, b = (ranking.entry(i) for i in ("a", "b"))
    assert a is not None and b is not None
    # median 80: 60 lies 20 points off (more than the example's 15), 66 lies 14 off.
    assert a.median == 80 and a.outliers == ["juri.3"]
    assert [line.deviation for line in a.jurors] == [0, 2, 20]
    assert b.outliers == []
    assert ranking.outlier_points == 15


def test_the_outlier_threshold_is_the_cycle_s_setting() -> None:
    config = example_cycle_config(plenary={"outlier_points": 1})
    ranking = rank(BATIK, [nominee("a", [80, 82, 79])], config)
    assert ranking.entries[0].outliers == ["juri.2"]


def test_two_jurors_are_never_outliers() -> None:
    ranking = rank(BATIK, [nominee("a", [90, 40])], CONFIG)
    assert ranking.entries[0].outliers == []


def test_outliers_are_only_flagged_unless_the_cycle_asks_for_down_weighting() -> None:
    plain = rank(BATIK, [nominee("a", [80, 82, 50])], CONFIG).entries[0]
    assert plain.outliers == ["juri.3"]
    assert plain.recomputed_score is None and plain.recomputed_stars is None
    assert [line.weight for line in plain.jurors] == [1, 1, 1]

    config = example_cycle_config(
        panel={"lab_weight": 0.2, "outlier_weight": 0.5}, plenary={"down_weight_outliers": True}
    )
    weighed = rank(BATIK, [nominee("a", [80, 82, 50])], config).entries[0]
    # (80 + 82 + 0.5 * 50) / 2.5 = 74.8; 0.8 * 74.8 + 0.2 * 80 = 75.84
    assert weighed.recomputed_score == 75.84 and weighed.recomputed_stars == 2
    # The recommendation and the place stay the panel's.
    assert weighed.nominee.final_score == plain.nominee.final_score == 72.53
    assert weighed.nominee.recommended_stars == 2


def test_a_ranking_holds_one_commodity_s_nominees_once() -> None:
    with pytest.raises(ValueError, match="not nominees of kain_batik"):
        rank(BATIK, [nominee("a", [80, 80, 80], commodity=Commodity.GERABAH)], CONFIG)
    with pytest.raises(ValueError, match="twice"):
        rank(BATIK, [nominee("a", [80, 80, 80]), nominee("a", [70, 70, 70])], CONFIG)


def test_a_nomination_enters_the_plenary_as_its_panel_scored_it() -> None:
    nom = at_stage(Stage.AWARD_DECISION)
    assert nom.result is not None
    entry = nominee_of(nom)
    assert entry.nomination_id == nom.id
    assert entry.final_score == nom.result.final_score
    assert entry.recommended_stars == nom.result.recommended_stars
    assert [j.juror_id for j in entry.jurors] == list(nom.result.juror_totals)
    ranked = rank(entry.commodity, [entry], nom.config).entries[0]
    assert {line.juror_id: line.total for line in ranked.jurors} == nom.result.juror_totals
    with pytest.raises(ValueError, match="no closed panel"):
        nominee_of(at_stage(Stage.PANEL_SCORING))


# --- the agreed list ---------------------------------------------------------------------

RANKING = rank(
    BATIK,
    [
        nominee("a", [85, 85, 85], 85),  # 3 stars
        nominee("b", [72, 72, 72], 72),  # 2 stars
        nominee("c", [50, 50, 50], 50),  # not recommended
    ],
    CONFIG,
)


def agreed(*winners: AgreedWinner, dropped=(), actor: Actor = CHAIR, **fields) -> AgreedList:
    return AgreedList(
        actor=actor,
        cycle=fields.get("cycle", "2026"),
        commodity=fields.get("commodity", BATIK),
        winners=list(winners),
        dropped=list(dropped),
    )


def win(nomination_id: str, stars: int, reason: str | None = None) -> AgreedWinner:
    return AgreedWinner(nomination_id=nomination_id, stars=stars, reason=reason)


def refused_by(listed: AgreedList, config: CycleConfig = CONFIG) -> Refused:
    with pytest.raises(Refused) as error:
        check_agreed_list(RANKING, listed, config)
    return error.value


def test_the_recommendations_as_they_stand_need_no_reason() -> None:
    listed = as_recommended(RANKING)
    check_agreed_list(RANKING, listed, CONFIG)
    winners = agreed_winners(RANKING, listed, CONFIG)
    assert [(w.nomination_id, w.stars, w.coaching_level) for w in winners] == [
        ("a", 3, CoachingLevel.CENTRAL),
        ("b", 2, CoachingLevel.PROVINCE),
    ]
    assert {w.change for w in winners} == {Change.AS_RECOMMENDED}


def test_the_chair_or_an_operator_records_the_list() -> None:
    check_agreed_list(RANKING, as_recommended(RANKING, OPERATOR), CONFIG)
    other_juror = refused_by(as_recommended(RANKING, juror("juri.budi")))
    assert (other_juror.kind, other_juror.fields) == (RefusalKind.ACCESS, ["actor.user_id"])
    assert "bukan ketua Tim Seleksi siklus 2026" in str(other_juror)
    for actor in (VERIFIER, OFFICIAL):
        wrong_role = refused_by(as_recommended(RANKING, actor))
        assert (wrong_role.kind, wrong_role.fields) == (RefusalKind.ACCESS, ["actor.role"])
    stranger = OPERATOR.model_copy(update={"user_id": "op.lain"})
    assert refused_by(as_recommended(RANKING, stranger)).fields == ["actor.user_id"]


def test_the_chair_must_be_a_juror_of_the_cycle() -> None:
    with pytest.raises(ValidationError, match=r"ketua Tim Seleksi harus juri siklus ini: juri\.x"):
        example_cycle_config(plenary={"chairs": ["juri.x"]})


def test_other_stars_need_a_reason() -> None:
    error = refused_by(agreed(win("a", 2), win("b", 2)))
    assert (error.kind, error.fields) == (RefusalKind.INPUT, ["winners.0.reason"])
    assert "2 bintang berbeda dari rekomendasi 3 bintang" in str(error)
    check_agreed_list(
        RANKING, agreed(win("a", 2, "kemasan belum memenuhi syarat"), win("b", 2)), CONFIG
    )


def test_a_nominee_added_to_the_winners_needs_a_reason() -> None:
    error = refused_by(agreed(win("a", 3), win("b", 2), win("c", 1)))
    assert error.fields == ["winners.2.reason"]
    assert "Produk c tidak direkomendasikan Tim Seleksi (nilai akhir 50,00)" in str(error)
    listed = agreed(win("a", 3), win("b", 2), win("c", 1, "potensi ekspor dinilai tinggi"))
    assert agreed_winners(RANKING, listed, CONFIG)[2].change == Change.ADDED


def test_a_winner_the_lab_found_not_to_conform_needs_a_reason() -> None:
    a = nominee("a", [85, 85, 85], 85)
    failed = a.model_copy(update={"lab": a.lab.model_copy(update={"conforms": False})})
    ranking = rank(BATIK, [failed], CONFIG)
    with pytest.raises(Refused) as error:
        check_agreed_list(ranking, agreed(win("a", 3)), CONFIG)
    assert error.value.fields == ["winners.0.reason"]
    assert "Balai Besar menyatakan Produk a tidak memenuhi standar (laporan LHU-0042)" in str(
        error.value
    )
    check_agreed_list(ranking, agreed(win("a", 3, "perbaikan pengeringan terbukti")), CONFIG)


def test_a_recommended_nominee_left_out_needs_a_reason() -> None:
    error = refused_by(agreed(win("a", 3)))
    assert error.fields == ["dropped"]
    assert "b (Produk b) direkomendasikan 2 bintang" in str(error)
    listed = agreed(
        win("a", 3), dropped=[DroppedNominee(nomination_id="b", reason="izin edar habis")]
    )
    assert [w.nomination_id for w in agreed_winners(RANKING, listed, CONFIG)] == ["a"]
    with pytest.raises(ValidationError):
        DroppedNominee(nomination_id="b", reason=" ")


def test_an_unknown_nominee_is_refused_by_its_place_in_the_list() -> None:
    error = refused_by(
        agreed(
            win("a", 3),
            win("b", 2),
            win("z", 1, "x"),
            dropped=[DroppedNominee(nomination_id="y", reason="x")],
        )
    )
    assert error.fields == ["winners.2.nomination_id", "dropped.0.nomination_id"]
    assert "z bukan peserta sidang pleno komoditas Kain Batik siklus 2026" in str(error)


def test_stars_beyond_the_cycle_s_scale_are_refused() -> None:
    error = refused_by(agreed(win("a", 4, "istimewa"), win("b", 2)))
    assert error.fields == ["winners.0.stars"]
    assert "skala siklus 2026 adalah 1 sampai 3 bintang" in str(error)
    with pytest.raises(ValidationError):
        win("a", 0)  # no award is no place among the winners


def test_a_nominee_is_listed_once_and_not_both_won_and_dropped() -> None:
    error = refused_by(
        agreed(
            win("a", 3),
            win("a", 3),
            win("b", 2),
            dropped=[DroppedNominee(nomination_id="b", reason="x")],
        )
    )
    assert error.fields == ["winners.1.nomination_id", "dropped.0.nomination_id"]
    not_recommended = refused_by(
        agreed(win("a", 3), win("b", 2), dropped=[DroppedNominee(nomination_id="c", reason="x")])
    )
    assert not_recommended.fields == ["dropped.0.nomination_id"]


def test_the_list_is_for_this_plenary_s_cycle_and_commodity() -> None:
    error = refused_by(agreed(win("a", 3), win("b", 2), cycle="2028", commodity=Commodity.GERABAH))
    assert error.fields == ["cycle", "commodity"]


# --- the decree --------------------------------------------------------------------------


def test_the_decree_names_exactly_the_agreed_winners_with_stars_and_coaching() -> None:
    _, agreed_lists, decree = sample_decree()
    expected = {
        (w.nomination_id, w.stars) for listed in agreed_lists.values() for w in listed.winners
    }
    assert {(w.nomination_id, w.stars) for w in decree.winners} == expected
    assert len(decree.winners) == len(expected) == 7
    assert decree.commodities == list(Commodity)
    assert [w.nomination_id for w in decree.winners_of(BATIK)] == [
        "ovop-2026-batik-jlamprang",
        "ovop-2026-batik-gentongan",
        "ovop-2026-batik-lasem",
    ]
    assert [(w.stars, w.coaching_level, w.change) for w in decree.winners_of(BATIK)] == [
        (2, CoachingLevel.PROVINCE, Change.AS_RECOMMENDED),
        (3, CoachingLevel.CENTRAL, Change.STARS_CHANGED),
        (1, CoachingLevel.REGENCY, Change.ADDED),
    ]
    assert (decree.number, decree.issued_at, decree.signatory_name) == (
        "0001/KEP/OVOP/IKMA/2026",
        ISSUED_AT,
        "Direktur Jenderal IKMA",
    )


def test_no_decree_until_every_commodity_with_nominees_has_its_list() -> None:
    rankings = sample_rankings()
    agreed_lists = {c: as_recommended(r) for c, r in rankings.items()}
    del agreed_lists[Commodity.GERABAH], agreed_lists[Commodity.ANYAMAN]
    with pytest.raises(Refused) as error:
        check_decree(rankings, agreed_lists, DecreeOrder(actor=OFFICIAL), CONFIG)
    assert refusal(error) == (RefusalKind.STAGE, ["agreed_lists"])
    assert "belum dicatat untuk komoditas Anyaman, Gerabah" in str(error.value)


def test_a_commodity_without_nominees_needs_no_list_and_takes_none() -> None:
    rankings = sample_rankings()
    del rankings[Commodity.GERABAH]
    agreed_lists = {c: as_recommended(r) for c, r in rankings.items()}
    order = DecreeOrder(actor=OFFICIAL)
    decree = issue_decree(rankings, agreed_lists, order, CONFIG, NUMBER, ISSUED_AT)
    assert Commodity.GERABAH not in decree.commodities
    agreed_lists[Commodity.GERABAH] = as_recommended(sample_rankings()[Commodity.GERABAH])
    with pytest.raises(Refused) as error:
        check_decree(rankings, agreed_lists, order, CONFIG)
    assert error.value.fields == ["agreed_lists.gerabah"]


def test_an_agreed_list_is_checked_again_when_the_decree_is_issued() -> None:
    rankings = sample_rankings()
    agreed_lists = {c: as_recommended(r) for c, r in rankings.items()}
    batik = agreed_lists[BATIK]
    agreed_lists[BATIK] = batik.model_copy(
        update={"winners": [win(batik.winners[0].nomination_id, 1)]}
    )
    with pytest.raises(Refused) as error:
        check_decree(rankings, agreed_lists, DecreeOrder(actor=OFFICIAL), CONFIG)
    assert error.value.fields == [
        "agreed_lists.kain_batik.winners.0.reason",
        "agreed_lists.kain_batik.dropped",
    ]


def test_only_a_listed_official_issues_the_decree() -> None:
    rankings = sample_rankings()
    agreed_lists = {c: as_recommended(r) for c, r in rankings.items()}
    for actor, field in [
        (OPERATOR, "actor.role"),
        (
            Actor(user_id="pejabat.lain", role=Role.OFFICIAL, institution="Ditjen IKMA"),
            "actor.user_id",
        ),
    ]:
        with pytest.raises(Refused) as error:
            check_decree(rankings, agreed_lists, DecreeOrder(actor=actor), CONFIG)
        assert refusal(error) == (RefusalKind.ACCESS, [field])


def test_a_decree_names_someone() -> None:
    rankings = sample_rankings()
    agreed_lists = {
        c: as_recommended(r).model_copy(
            update={
                "winners": [],
                "dropped": [
                    DroppedNominee(nomination_id=w.nomination_id, reason="tidak disepakati")
                    for w in as_recommended(r).winners
                ],
            }
        )
        for c, r in rankings.items()
    }
    with pytest.raises(Refused) as error:
        check_decree(rankings, agreed_lists, DecreeOrder(actor=OFFICIAL), CONFIG)
    assert error.value.fields == ["agreed_lists"]


def test_decree_numbers_are_shaped_like_certificates_and_never_mistaken_for_one() -> None:
    assert decree_number("2026", 12) == "0012/KEP/OVOP/IKMA/2026"
    assert is_decree_number(NUMBER)
    assert not is_decree_number("0001/OVOP/IKMA/2026")
    rankings = sample_rankings()
    agreed_lists = {c: as_recommended(r) for c, r in rankings.items()}
    with pytest.raises(ValueError, match="not a decree number"):
        issue_decree(
            rankings,
            agreed_lists,
            DecreeOrder(actor=OFFICIAL),
            CONFIG,
            "0001/OVOP/IKMA/2026",
            ISSUED_AT,
        )
