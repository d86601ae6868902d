"""Calibrating the decision thresholds on the dev set: ``python -m knowledge_base.calibration``.

Only the development pool is used: every ``eval/dev*.yaml`` file (pt-BR and English, each question
ranked by a matcher in its file's locale, one set of thresholds for both). The ``eval/holdout*.yaml``
files are for measuring afterwards, never for choosing anything.

Method (the same for the fuzzy matcher and the BM25 baseline):

1. Rank every dev question once, keeping the top three entries and their scores, the score of
   the "not ours" examples, and whether the message is exactly a phrasing of the best entry
   (answered whatever the bands; see ``knowledge_base.decision``). None of it depends on the
   thresholds, so the search below is pure arithmetic on those figures.
2. ANSWER band: grid over ``answer`` in [0, 100] and ``margin`` in [0, 40], both in steps of 0.5.
   Keep the pairs whose false-answer rate on dev (ANSWER with the wrong entry, or ANSWER on an
   ``expect: null`` question, over all questions) is <= ``--max-false-answer`` (default 2%).
   Among them maximize the utility ``correct ANSWERs - FALSE_ANSWER_COST x false ANSWERs``, with
   a cost of 10: a confidently wrong answer costs the client far more than a suggestion list
   (they read something irrelevant, and may give up instead of opening a ticket), so one false
   answer must be paid for by ten right ones. Ties go to fewer false answers, then to the larger
   margin, then to the higher ``answer`` score -- the most conservative of the equally good
   pairs, which generalizes best.
3. SUGGEST band: with the ANSWER band fixed, grid ``suggest`` over [0, answer] in steps of 0.5 and
   maximize the questions that end well without an answer: an answerable question not answered
   whose expected entry is among the suggestions, plus an ``expect: null`` question that gets
   NONE. Ties go to the higher ``suggest`` (fewer idle suggestions).
4. Write both sections ("matcher", "bm25") to ``knowledge_base/thresholds.yaml``, with the dev
   figures they reached, unless ``--dry-run``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml

from knowledge_base.bm25 import Bm25Matcher
from knowledge_base.decision import THRESHOLDS_FILE, Thresholds
from knowledge_base.evaluate import EvalQuestion, Ranker, load_eval_set
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from knowledge_base.matcher import Matcher

EVAL_DIR = Path(__file__).parent / "eval"
DEV_SETS = tuple(sorted(EVAL_DIR.glob("dev*.yaml")))
MAX_FALSE_ANSWER = 0.02
FALSE_ANSWER_COST = 10.0
_STEP = 0.5
_NEUTRAL = Thresholds(answer=101.0, margin=0.0, suggest=101.0)  # ranking only

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Calibration:
    """The chosen thresholds and what they achieve on the calibration set."""

    thresholds: Thresholds
    correct_answers: int
    false_answers: int
    resolved_without_answer: int
    questions: int


@dataclass(frozen=True, slots=True)
class _Scores:
    best: FloatArray  # best entry's score (0 when nothing ranked, or the "not ours" examples win)
    margin: FloatArray  # best minus the next: second-best entry or "not ours" examples
    top1_right: BoolArray  # best entry == expect (False for expect: null)
    exact: BoolArray  # the message is a phrasing of the best entry: answered whatever the bands
    answerable: BoolArray
    expected_score: FloatArray  # score of the expected entry among the top-3 candidates, else -1


def calibrate(
    pool: Sequence[tuple[Ranker, Sequence[EvalQuestion]]], max_false_answer: float = MAX_FALSE_ANSWER
) -> Calibration:
    """Choose (answer, margin, suggest) on the pooled ``(ranker, questions)`` sets by the method above."""
    s = _collect(pool)
    n = len(s.best)
    best_key: tuple[float, ...] | None = None
    chosen = (100.0, 0.0)
    for answer in np.arange(0.0, 100.0 + _STEP / 2, _STEP):
        for margin in np.arange(0.0, 40.0 + _STEP / 2, _STEP):
            answered = s.exact | ((s.best >= answer) & (s.margin >= margin) & (s.best > 0))
            right = int(np.sum(answered & s.top1_right))
            wrong = int(np.sum(answered & ~s.top1_right))
            if wrong > max_false_answer * n:
                continue
            key = (right - FALSE_ANSWER_COST * wrong, -wrong, margin, answer)
            if best_key is None or key > best_key:
                best_key, chosen = key, (float(answer), float(margin))
    answer, margin = chosen
    answered = s.exact | ((s.best >= answer) & (s.margin >= margin) & (s.best > 0))
    best_suggest, best_resolved = answer, -1
    for suggest in np.arange(0.0, answer + _STEP / 2, _STEP):
        found = s.answerable & ~answered & (s.expected_score >= suggest)
        silent = ~s.answerable & ~answered & (s.best < suggest)
        resolved = int(np.sum(found) + np.sum(silent))
        if resolved >= best_resolved:
            best_suggest, best_resolved = float(suggest), resolved
    return Calibration(
        thresholds=Thresholds(answer=answer, margin=margin, suggest=best_suggest),
        correct_answers=int(np.sum(answered & s.top1_right)),
        false_answers=int(np.sum(answered & ~s.top1_right)),
        resolved_without_answer=best_resolved,
        questions=n,
    )


def _collect(pool: Sequence[tuple[Ranker, Sequence[EvalQuestion]]]) -> _Scores:
    best, margin, right, exact, answerable, expected = [], [], [], [], [], []
    for ranker, item in ((ranker, item) for ranker, questions in pool for item in questions):
        ranking = ranker.ranking(item.question, limit=3)
        ours = ranking.ours  # an entry the "not ours" examples outscore is never proposed
        top = ranking.matches[0] if ranking.matches else None
        best.append(ours[0].score if ours else 0.0)
        margin.append(ranking.margin if ours else 0.0)
        right.append(top is not None and top.entry_id == item.expect)  # (the entry answered, if any)
        exact.append(top is not None and top.entry_id == ranking.exact)
        answerable.append(item.expect is not None)
        expected.append(next((m.score for m in ours if m.entry_id == item.expect), -1.0))
    return _Scores(
        best=np.asarray(best, dtype=np.float64),
        margin=np.asarray(margin, dtype=np.float64),
        top1_right=np.asarray(right, dtype=np.bool_),
        exact=np.asarray(exact, dtype=np.bool_),
        answerable=np.asarray(answerable, dtype=np.bool_),
        expected_score=np.asarray(expected, dtype=np.float64),
    )


RANKERS: dict[str, Callable[[KnowledgeBase, str], Ranker]] = {
    "matcher": lambda kb, locale: Matcher(kb, locale, thresholds=_NEUTRAL),
    "bm25": lambda kb, locale: Bm25Matcher(kb, locale, thresholds=_NEUTRAL),
}


def write_thresholds(
    results: dict[str, Calibration], dev: Sequence[Path], path: Path = THRESHOLDS_FILE
) -> None:
    """Store the calibrated thresholds (and how they were obtained) in ``thresholds.yaml``."""
    header = (
        "# Decision thresholds, written by `python -m knowledge_base.calibration`.\n"
        f"# Calibrated on {', '.join(p.name for p in dev)} only (method: knowledge_base/calibration.py docstring).\n"
        "# Constructor arguments of Matcher / Bm25Matcher override these values.\n"
    )
    body = {
        kind: {
            **result.thresholds.as_dict(),
            "dev": {
                "questions": result.questions,
                "correct_answers": result.correct_answers,
                "false_answers": result.false_answers,
                "resolved_without_answer": result.resolved_without_answer,
            },
        }
        for kind, result in results.items()
    }
    path.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--dev", type=Path, action="append", help="labelled dev set (repeatable; default: eval/dev*.yaml)"
    )
    parser.add_argument("--faq", type=Path, default=None, help="FAQ directory")
    parser.add_argument("--max-false-answer", type=float, default=MAX_FALSE_ANSWER)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the file")
    args = parser.parse_args(argv)
    files: list[Path] = args.dev or list(DEV_SETS)
    sets = [load_eval_set(f) for f in files]
    kb = load_knowledge_base(args.faq)
    results: dict[str, Calibration] = {}
    for kind, factory in RANKERS.items():
        rankers = {locale: factory(kb, locale) for locale in {s.locale for s in sets}}
        pool = [(rankers[s.locale], s.questions) for s in sets]
        results[kind] = calibrate(pool, args.max_false_answer)
    for kind, result in results.items():
        t = result.thresholds
        print(
            f"{kind}: answer>={t.answer} margin>={t.margin} suggest>={t.suggest}  "
            f"dev: {result.correct_answers} right / {result.false_answers} wrong answers, "
            f"{result.resolved_without_answer} resolved without answer, of {result.questions}"
        )
    if not args.dry_run:
        write_thresholds(results, files)
        print(f"written {THRESHOLDS_FILE}")


if __name__ == "__main__":
    main()
