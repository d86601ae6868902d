"""Evaluation metrics and labelled-set loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.decision import Match, Ranking, Thresholds
from knowledge_base.errors import EvalSetError
from knowledge_base.evaluate import EvalQuestion, evaluate, load_eval_set

from .conftest import FIXTURE_EVAL


class ScriptedRanker:
    """Returns a fixed ranking per question; decides with fixed bands."""

    def __init__(self, script: dict[str, list[tuple[str, float]]], not_ours: dict[str, float]) -> None:
        self.script = script
        self.not_ours = not_ours
        self.thresholds = Thresholds(answer=80.0, margin=10.0, suggest=40.0)

    def ranking(self, text: str, limit: int = 3) -> Ranking:
        matches = [Match(i, i, i, s) for i, s in self.script.get(text, [])][:limit]
        return Ranking(matches, self.not_ours.get(text, 0.0))


def test_metrics_follow_their_definitions() -> None:
    ranker = ScriptedRanker(
        {
            "right answer": [("a", 95), ("b", 20)],  # top-1 right, answered right
            "wrong answer": [("b", 95), ("a", 20)],  # top-1 wrong, FALSE answer, a in top 3
            "suggested": [("c", 60), ("a", 55)],  # top-1 wrong, suggest, a in top 3
            "lost": [("c", 30)],  # top-1 wrong, none, a not in top 3
            "answered off-topic": [("a", 99)],  # expect null: FALSE answer
            "silent off-topic": [("a", 10)],  # expect null: fine
            "outscored": [("a", 95), ("b", 20)],  # the "not ours" examples win: not a candidate, none
        },
        not_ours={"outscored": 96.0},
    )
    questions = [
        EvalQuestion("right answer", "a"),
        EvalQuestion("wrong answer", "a"),
        EvalQuestion("suggested", "a"),
        EvalQuestion("lost", "a"),
        EvalQuestion("answered off-topic", None),
        EvalQuestion("silent off-topic", None),
        EvalQuestion("outscored", "a"),
    ]
    report = evaluate(ranker, questions)
    assert (report.questions, report.answerable) == (7, 5)
    assert report.top1 == pytest.approx(1 / 5)
    assert report.recall_at_3 == pytest.approx(3 / 5)
    assert report.false_answer_rate == pytest.approx(2 / 7)
    assert report.decisions == {"answer": 3, "confirm": 0, "suggest": 1, "none": 3}
    assert report.as_dict()["false_answers"] == 2


def test_an_eval_file_is_loaded_with_its_locale() -> None:
    eval_set = load_eval_set(FIXTURE_EVAL)
    assert eval_set.locale == "pt-BR"
    assert eval_set.questions[-1] == EvalQuestion("qual a previsão do tempo amanhã", None)


def test_a_malformed_eval_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ruim.yaml"
    path.write_text("locale: en\nquestions:\n  - {expect: x}\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match="#1"):
        load_eval_set(path)
