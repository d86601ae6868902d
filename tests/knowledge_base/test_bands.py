"""The related-answer and confirm bands: the decision, their calibration, and the lint of ``related:``
and of the seeds' coverage map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from knowledge_base.calibration import Calibration, calibrate, write_thresholds
from knowledge_base.coverage import coverage_problems
from knowledge_base.decision import Decision, Match, Ranking, Thresholds, load_thresholds
from knowledge_base.evaluate import EvalQuestion
from knowledge_base.lint import lint
from knowledge_base.loader import load_knowledge_base

BANDS = Thresholds(answer=80.0, margin=20.0, suggest=30.0, related_answer=50.0, related_margin=15.0,
                   related_gap=5.0, confirm=35.0, confirm_margin=10.0)


def _ranked(*scores: tuple[str, float], related: tuple[str, ...] = (), not_ours: float = 0.0,
            exact: str | None = None) -> Ranking:
    return Ranking([Match(i, f"q {i}", f"a {i}", s) for i, s in scores], not_ours, exact, frozenset(related))


class TestDecision:
    def test_a_related_runner_up_is_no_tie_the_best_is_answered_and_the_neighbour_offered(self) -> None:
        result = BANDS.decide(_ranked(("horas", 61.8), ("avulso", 51.4), ("x", 30.0), related=("avulso",)))
        assert result.decision is Decision.ANSWER and [m.entry_id for m in result.matches] == ["horas"]
        assert [m.entry_id for m in result.see_also] == ["avulso"]

    def test_the_same_scores_with_an_unrelated_runner_up_are_real_ambiguity(self) -> None:
        result = BANDS.decide(_ranked(("horas", 61.8), ("avulso", 55.4), ("x", 30.0)))
        assert result.decision is Decision.SUGGEST and result.see_also == []
        assert BANDS.decide(_ranked(("horas", 61.8), ("avulso", 55.4), related=("avulso",))).decision is Decision.ANSWER

    def test_the_best_must_lead_the_best_unrelated_candidate_by_the_related_margin(self) -> None:
        ranking = _ranked(("a", 61.0), ("b", 52.0), ("c", 50.0), related=("b",))
        assert ranking.unrelated_margin == 11.0
        assert BANDS.decide(ranking).decision is not Decision.ANSWER

    def test_the_best_must_lead_its_neighbour_by_the_gap(self) -> None:
        assert BANDS.decide(_ranked(("a", 61.0), ("b", 59.0), related=("b",))).decision is Decision.SUGGEST

    def test_a_clear_answer_also_offers_neighbours_scoring_in_the_suggest_band(self) -> None:
        result = BANDS.decide(_ranked(("a", 90.0), ("b", 40.0), ("c", 35.0), ("d", 20.0), related=("b", "d")))
        assert result.decision is Decision.ANSWER and [m.entry_id for m in result.see_also] == ["b"]

    def test_an_exact_phrasing_is_answered_without_see_also(self) -> None:
        result = BANDS.decide(_ranked(("a", 60.0), ("b", 58.0), related=("b",), exact="a"))
        assert result.decision is Decision.ANSWER and result.see_also == []

    def test_one_entry_well_ahead_with_a_low_score_is_confirmed(self) -> None:
        result = BANDS.decide(_ranked(("a", 40.0), ("b", 25.0)))
        assert result.decision is Decision.CONFIRM and [m.entry_id for m in result.matches] == ["a"]

    def test_a_low_score_without_lead_is_suggested_not_confirmed(self) -> None:
        assert BANDS.decide(_ranked(("a", 40.0), ("b", 35.0))).decision is Decision.SUGGEST

    def test_not_ours_still_wins_over_every_band(self) -> None:
        assert BANDS.decide(_ranked(("a", 40.0), related=("b",), not_ours=41.0)).decision is Decision.NONE

    def test_the_new_bands_are_off_by_default(self) -> None:
        plain = Thresholds(answer=80.0, margin=20.0, suggest=30.0)
        assert plain.decide(_ranked(("a", 61.8), ("b", 51.4), related=("b",))).decision is Decision.SUGGEST
        assert plain.decide(_ranked(("a", 40.0), ("b", 5.0))).decision is Decision.SUGGEST


def test_the_new_bands_round_trip_through_thresholds_yaml(tmp_path: Path) -> None:
    file = tmp_path / "thresholds.yaml"
    write_thresholds({"matcher": Calibration(BANDS, 10, 0, 5, 20, 3, 1)}, [tmp_path / "dev.yaml"], file)
    assert load_thresholds("matcher", file) == BANDS
    assert yaml.safe_load(file.read_text())["matcher"]["dev"]["correct_confirms"] == 3


class _Scripted:
    def __init__(self, script: dict[str, tuple[list[tuple[str, float]], tuple[str, ...]]]) -> None:
        self.script = script

    def ranking(self, text: str, limit: int = 3) -> Ranking:
        matches, related = self.script[text]
        return Ranking([Match(i, i, i, s) for i, s in matches][:limit], 0.0, None, frozenset(related))

    @property
    def thresholds(self) -> Thresholds:  # pragma: no cover - calibration only ranks
        raise AssertionError("calibration must not depend on the current bands")


def test_calibration_opens_the_related_and_confirm_bands_where_they_pay() -> None:
    script: dict[str, tuple[list[tuple[str, float]], tuple[str, ...]]] = {}
    script.update({f"clear {i}": ([("a", 90.0), ("b", 20.0)], ()) for i in range(5)})
    script.update({f"pair {i}": ([("a", 60.0), ("b", 50.0), ("c", 20.0)], ("b",)) for i in range(5)})
    script.update({f"tie {i}": ([("a", 60.0), ("c", 50.0)], ()) for i in range(2)})  # unrelated: c is right
    script.update({f"low {i}": ([("a", 35.0), ("b", 10.0)], ()) for i in range(5)})  # 4 of 5 right
    questions = [EvalQuestion(q, "c" if q.startswith("tie") or q == "low 4" else "a") for q in script]
    result = calibrate([(_Scripted(script), questions)], max_false_answer=0.0)
    assert (result.correct_answers, result.false_answers) == (10, 0)  # "low" would answer wrong once
    assert (result.correct_confirms, result.wrong_confirms) == (4, 1)  # but a confirmation pays
    assert result.thresholds.related_answer <= 60.0 and result.thresholds.confirm <= 35.0


def _entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    def text(prefix: str) -> dict[str, Any]:
        return {"question": f"{prefix} {entry_id}?", "answer": "Resposta.",
                "phrasings": [f"{prefix} {n} {entry_id}" for n in ("um", "dois", "tres")]}
    return {"id": entry_id, "pt-BR": text("frase"), "en": text("phrase"), **overrides}


def _faq(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    faq = tmp_path / "faq"
    faq.mkdir()
    (faq / "a.yaml").write_text(yaml.safe_dump({"entries": list(entries)}, allow_unicode=True), encoding="utf-8")
    return faq


class TestLintRelated:
    def test_symmetric_links_and_a_reasoned_one_way_link_are_clean(self, tmp_path: Path) -> None:
        faq = _faq(tmp_path, _entry("a", related=["b", {"id": "c", "one_way": "c is general"}]),
                   _entry("b", related=["a"]), _entry("c"))
        assert lint(faq) == []
        assert load_knowledge_base(faq).related("a") == frozenset({"b", "c"})

    def test_unknown_self_and_one_sided_links_are_errors(self, tmp_path: Path) -> None:
        faq = _faq(tmp_path, _entry("a", related=["a", "zeta", "b"]), _entry("b"))
        messages = sorted(e.message for e in lint(faq))
        assert len(messages) == 3
        assert any("itself" in m for m in messages) and any("'zeta'" in m for m in messages)
        assert any("does not list it back" in m for m in messages)


class TestSeedsCoverage:
    def test_a_fact_without_an_entry_or_with_an_unknown_id_fails_lint(self, tmp_path: Path) -> None:
        faq = _faq(tmp_path, _entry("a"))
        (tmp_path / "seeds_coverage.yaml").write_text(yaml.safe_dump({"seeds": {"manual.txt": [
            {"fact": "coberto", "entry": "a"}, {"fact": "sem entrada"}, {"fact": "inventado", "entry": "zeta"},
        ]}}, allow_unicode=True), encoding="utf-8")
        messages = [e.message for e in lint(faq)]
        assert len(messages) == 2, messages
        assert any("'sem entrada' has no entry" in m for m in messages)
        assert any("unknown entry 'zeta'" in m for m in messages)

    def test_the_shipped_map_covers_both_seeds_with_served_entries(self) -> None:
        kb = load_knowledge_base()
        path = Path(__file__).parents[2] / "knowledge_base" / "seeds_coverage.yaml"
        assert coverage_problems(path, {e.id for e in kb.served}) == []
        seeds = yaml.safe_load(path.read_text(encoding="utf-8"))["seeds"]
        assert set(seeds) == {"partners-rl-abertura-de-chamados.txt", "uno-manual-de-operacao-suporte.txt"}
