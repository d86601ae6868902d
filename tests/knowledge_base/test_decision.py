"""The three bands: answer, suggest, none."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.decision import Decision, Match, Ranking, Thresholds, load_thresholds

BANDS = Thresholds(answer=80.0, margin=10.0, suggest=50.0)


def _ranked(*scores: float, not_ours: float = 0.0, exact: str | None = None) -> Ranking:
    return Ranking([Match(f"e{i}", f"q{i}", f"a{i}", s) for i, s in enumerate(scores)], not_ours, exact)


def test_high_score_with_clear_margin_is_answered_with_one_match() -> None:
    result = BANDS.decide(_ranked(90, 70, 60))
    assert result.decision is Decision.ANSWER
    assert [m.entry_id for m in result.matches] == ["e0"]


def test_high_score_without_margin_over_the_second_entry_is_only_suggested() -> None:
    result = BANDS.decide(_ranked(90, 85, 30))
    assert result.decision is Decision.SUGGEST
    assert [m.entry_id for m in result.matches] == ["e0", "e1"]


def test_middle_score_suggests_at_most_three_matches_above_the_suggest_band() -> None:
    result = BANDS.decide(_ranked(70, 65, 60, 55))
    assert result.decision is Decision.SUGGEST
    assert [m.entry_id for m in result.matches] == ["e0", "e1", "e2"]


def test_low_score_gets_none_and_no_match() -> None:
    result = BANDS.decide(_ranked(40, 10))
    assert result.decision is Decision.NONE
    assert result.matches == [] and result.best is None


def test_single_candidate_is_measured_against_zero() -> None:
    assert BANDS.decide(_ranked(85)).decision is Decision.ANSWER


def test_nothing_ranked_gets_none() -> None:
    assert BANDS.decide(Ranking([])).decision is Decision.NONE


def test_an_exact_phrasing_is_answered_whatever_the_bands() -> None:
    result = BANDS.decide(_ranked(60, 58, exact="e0"))
    assert result.decision is Decision.ANSWER and [m.entry_id for m in result.matches] == ["e0"]
    assert BANDS.decide(_ranked(60, 58, exact="e1")).decision is Decision.SUGGEST  # not the best entry


def test_not_ours_examples_scoring_as_high_as_the_best_entry_mean_none() -> None:
    result = BANDS.decide(_ranked(90, 20, not_ours=90))
    assert result.decision is Decision.NONE and result.matches == []


def test_the_best_entry_must_also_lead_the_not_ours_examples_by_the_margin() -> None:
    assert BANDS.decide(_ranked(90, 20, not_ours=85)).decision is Decision.SUGGEST
    assert BANDS.decide(_ranked(90, 20, not_ours=75)).decision is Decision.ANSWER


def test_suggestions_leave_out_entries_the_not_ours_examples_outscore() -> None:
    result = BANDS.decide(_ranked(70, 65, 60, not_ours=62))
    assert result.decision is Decision.SUGGEST
    assert [m.entry_id for m in result.matches] == ["e0", "e1"]


def test_decision_values_are_the_wire_strings() -> None:
    assert [d.value for d in Decision] == ["answer", "confirm", "suggest", "none"]


def test_thresholds_are_read_per_matcher_kind(tmp_path: Path) -> None:
    file = tmp_path / "thresholds.yaml"
    file.write_text(
        "matcher: {answer: 61.5, margin: 7, suggest: 33}\nbm25: {answer: 20, margin: 9, suggest: 9}\n",
        encoding="utf-8",
    )
    assert load_thresholds("matcher", file) == Thresholds(61.5, 7.0, 33.0)
    assert load_thresholds("bm25", file) == Thresholds(20.0, 9.0, 9.0)


def test_shipped_thresholds_file_has_both_kinds() -> None:
    for kind in ("matcher", "bm25"):
        t = load_thresholds(kind)
        assert 0 <= t.suggest <= t.answer <= 100 and t.margin >= 0
