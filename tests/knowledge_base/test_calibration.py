"""Threshold calibration: the chosen bands respect the false-answer budget."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.calibration import Calibration, calibrate, write_thresholds
from knowledge_base.decision import Match, Ranking, Thresholds, load_thresholds
from knowledge_base.evaluate import EvalQuestion


class ScriptedRanker:
    def __init__(self, script: dict[str, list[tuple[str, float]]], not_ours: dict[str, float] | None = None) -> None:
        self.script = script
        self.not_ours = not_ours or {}

    def ranking(self, text: str, limit: int = 3) -> Ranking:
        matches = [Match(i, i, i, s) for i, s in self.script.get(text, [])][:limit]
        return Ranking(matches, self.not_ours.get(text, 0.0), "a" if text.startswith("exact") else None)

    @property
    def thresholds(self) -> Thresholds:  # pragma: no cover - calibration only ranks
        raise AssertionError("calibration must not depend on the current bands")


def test_calibration_answers_what_it_can_without_false_answers() -> None:
    script = {f"good {i}": [("a", 90.0 + i), ("b", 20.0)] for i in range(5)}
    script["tricky"] = [("b", 70.0), ("a", 65.0)]  # wrong entry first, close second
    script["off topic"] = [("a", 30.0)]
    questions = [EvalQuestion(q, "a") for q in script if q != "off topic"]
    questions.append(EvalQuestion("off topic", None))
    result = calibrate([(ScriptedRanker(script), questions)], max_false_answer=0.0)
    assert (result.correct_answers, result.false_answers) == (5, 0)
    bands = result.thresholds
    assert bands.answer <= 90.0 and bands.answer > 30.0
    assert bands.suggest > 30.0  # off topic gets none
    assert bands.suggest <= 65.0  # tricky still suggests "a"


def test_exact_phrasings_count_as_answered_whatever_the_bands() -> None:
    script = {f"good {i}": [("a", 90.0), ("b", 20.0)] for i in range(3)}
    script["exact a"] = [("a", 40.0), ("b", 38.0)]  # low and close, but a phrasing of "a"
    script["exact b"] = [("b", 40.0), ("a", 38.0)]  # a phrasing of "a", but "b" ranks first: no rule
    questions = [EvalQuestion(q, "a") for q in script]
    result = calibrate([(ScriptedRanker(script), questions)], max_false_answer=0.0)
    assert (result.correct_answers, result.false_answers) == (4, 0)
    assert result.thresholds.answer > 40.0 or result.thresholds.margin > 2.0  # "exact b" is not answered


def test_what_the_not_ours_examples_outscore_is_never_answered_nor_suggested() -> None:
    script = {f"good {i}": [("a", 90.0), ("b", 20.0)] for i in range(3)}
    script["gmail"] = [("a", 95.0), ("b", 10.0)]  # would be answered, but "not ours" scores higher
    script["close"] = [("a", 92.0), ("b", 10.0)]  # "not ours" 5 points behind: no margin
    questions = [EvalQuestion(q, "a") for q in script if q.startswith("good")]
    questions += [EvalQuestion("gmail", None), EvalQuestion("close", None)]
    result = calibrate([(ScriptedRanker(script, {"gmail": 96.0, "close": 87.0}), questions)], max_false_answer=0.0)
    assert (result.correct_answers, result.false_answers) == (3, 0)
    assert result.thresholds.margin > 5.0
    assert result.resolved_without_answer == 1  # "gmail" gets none whatever the bands; "close" is suggested


def test_calibrated_thresholds_are_written_where_the_matcher_reads_them(tmp_path: Path) -> None:
    file = tmp_path / "thresholds.yaml"
    result = Calibration(Thresholds(55.5, 12.0, 30.0), 10, 0, 5, 20)
    write_thresholds({"matcher": result}, [tmp_path / "dev.yaml", tmp_path / "dev_en.yaml"], file)
    assert load_thresholds("matcher", file) == Thresholds(55.5, 12.0, 30.0)
    assert "dev.yaml, dev_en.yaml" in file.read_text(encoding="utf-8")
