"""Calibrating the decision thresholds on the dev set: ``python -m knowledge_base.calibration``.

Only the development pool is used: every ``eval/dev*.yaml`` file (pt-BR and English, each question
ranked by a matcher in its file's locale, one set of thresholds for both). The ``eval/holdout*.yaml``
files are for measuring afterwards, never for choosing anything.

Method (the same for the fuzzy matcher and the BM25 baseline):

1. Rank every dev question once, keeping the top ``RANK_DEPTH`` entries and their scores, the
   score of the "not ours" examples, whether the message is exactly a phrasing of the best entry
   (answered whatever the bands; see ``knowledge_base.decision``) and whether the runner-up is a
   neighbour of the best (its ``related:`` list). None of it depends on the thresholds, so the
   search below is pure arithmetic on those figures.
2. ANSWER band: grid over ``answer`` in [0, 100] and ``margin`` in [0, 40], both in steps of 0.5.
   Keep the pairs whose false-answer rate on dev (ANSWER with the wrong entry, or ANSWER on an
   ``expect: null`` question, over all questions) is <= ``--max-false-answer`` (default 2%).
   Among them maximize the utility ``correct ANSWERs - FALSE_ANSWER_COST x false ANSWERs``, with
   a cost of 10: a confidently wrong answer costs the client far more than a suggestion list
   (they read something irrelevant, and may give up instead of opening a ticket), so one false
   answer must be paid for by ten right ones. Ties go to fewer false answers, then to the larger
   margin, then to the higher ``answer`` score -- the most conservative of the equally good
   pairs, which generalizes best.
3. Related ANSWER band: with the ANSWER band fixed, grid ``related_answer`` in [0, 100],
   ``related_gap`` in [0, 20] and ``related_margin`` in [0, 40] (steps of 1) over the questions
   whose runner-up is a neighbour of the best; the same utility and the same cap on the false
   answers of both bands together; ties to the larger gap, margin and score.
4. CONFIRM band: with both ANSWER bands fixed, grid ``confirm`` in [0, 100] and
   ``confirm_margin`` in [0, 40] (steps of 1) over the questions not answered and maximize
   ``right CONFIRMs - CONFIRM_COST x wrong CONFIRMs`` (a wrong entry, or any entry for an
   ``expect: null`` question), with a cost of 3: a wrong "did you mean ...?" costs the client a
   "No" and hides the suggestion list that might have held the right entry (97% of the time on
   dev), so it must be right three times out of four to pay. Ties go to the higher thresholds.
5. SUGGEST band: with the other bands fixed, grid ``suggest`` over [0, answer] in steps of 0.5 and
   maximize the questions that end well without an answer or a confirmation: an answerable
   question neither answered nor confirmed whose expected entry is among the suggestions, plus
   an ``expect: null`` question that gets NONE. Ties go to the higher ``suggest`` (fewer idle
   suggestions).
6. Write both sections ("matcher", "bm25") to ``knowledge_base/thresholds.yaml``, with the dev
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
from knowledge_base.decision import RANK_DEPTH, THRESHOLDS_FILE, Thresholds
from knowledge_base.evaluate import EvalQuestion, Ranker, load_eval_set
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from knowledge_base.matcher import Matcher

EVAL_DIR = Path(__file__).parent / "eval"
DEV_SETS = tuple(sorted(EVAL_DIR.glob("dev*.yaml")))
MAX_FALSE_ANSWER = 0.02
FALSE_ANSWER_COST = 10.0
CONFIRM_COST = 3.0
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
    correct_confirms: int = 0
    wrong_confirms: int = 0


@dataclass(frozen=True, slots=True)
class _Scores:
    best: FloatArray  # best entry's score (0 when nothing ranked, or the "not ours" examples win)
    margin: FloatArray  # best minus the next: second-best entry or "not ours" examples
    gap: FloatArray  # best minus the runner-up
    unrelated: FloatArray  # best minus the best non-neighbour candidate or "not ours"
    neighbour: BoolArray  # the runner-up is a neighbour of the best
    top1_right: BoolArray  # best entry == expect (False for expect: null)
    exact: BoolArray  # the message is a phrasing of the best entry: answered whatever the bands
    answerable: BoolArray
    expected_score: FloatArray  # score of the expected entry among the top-3 candidates, else -1


def _grid(low: float, high: float, step: float) -> FloatArray:
    return np.arange(low, high + step / 2, step)


def calibrate(
    pool: Sequence[tuple[Ranker, Sequence[EvalQuestion]]], max_false_answer: float = MAX_FALSE_ANSWER
) -> Calibration:
    """Choose the bands on the pooled ``(ranker, questions)`` sets by the method above."""
    s = _collect(pool)
    n = len(s.best)
    cap = max_false_answer * n
    best_key: tuple[float, ...] | None = None
    chosen = (100.0, 0.0)
    for answer in _grid(0.0, 100.0, _STEP):
        for margin in _grid(0.0, 40.0, _STEP):
            answered = s.exact | ((s.best >= answer) & (s.margin >= margin) & (s.best > 0))
            right = int(np.sum(answered & s.top1_right))
            wrong = int(np.sum(answered & ~s.top1_right))
            if wrong > cap:
                continue
            key = (right - FALSE_ANSWER_COST * wrong, -wrong, margin, answer)
            if best_key is None or key > best_key:
                best_key, chosen = key, (float(answer), float(margin))
    answer, margin = chosen
    plain = s.exact | ((s.best >= answer) & (s.margin >= margin) & (s.best > 0))
    related = _related_band(s, plain, cap)
    answered = plain | (s.neighbour & (s.best > 0) & (s.best >= related[0]) & (s.gap >= related[1])
                        & (s.unrelated >= related[2]))
    confirm = _confirm_band(s, answered)
    confirmed = ~answered & (s.best > 0) & (s.best >= confirm[0]) & (s.margin >= confirm[1])
    rest = ~answered & ~confirmed
    best_suggest, best_resolved = answer, -1
    for suggest in _grid(0.0, answer, _STEP):
        found = s.answerable & rest & (s.expected_score >= suggest)
        silent = ~s.answerable & rest & (s.best < suggest)
        resolved = int(np.sum(found) + np.sum(silent))
        if resolved >= best_resolved:
            best_suggest, best_resolved = float(suggest), resolved
    return Calibration(
        thresholds=Thresholds(answer=answer, margin=margin, suggest=best_suggest,
                              related_answer=related[0], related_gap=related[1], related_margin=related[2],
                              confirm=confirm[0], confirm_margin=confirm[1]),
        correct_answers=int(np.sum(answered & s.top1_right)),
        false_answers=int(np.sum(answered & ~s.top1_right)),
        resolved_without_answer=best_resolved,
        questions=n,
        correct_confirms=int(np.sum(confirmed & s.top1_right)),
        wrong_confirms=int(np.sum(confirmed & ~s.top1_right)),
    )


def _related_band(s: _Scores, plain: BoolArray, cap: float) -> tuple[float, float, float]:
    """(related_answer, related_gap, related_margin): step 3 of the method; off (101) if nothing pays."""
    pool = s.neighbour & ~plain & (s.best > 0)
    base_wrong = int(np.sum(plain & ~s.top1_right))
    best_key: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    chosen = (101.0, 0.0, 0.0)
    best, gap, unrelated, right = s.best[pool], s.gap[pool], s.unrelated[pool], s.top1_right[pool]
    for lead in _grid(0.0, 20.0, 1.0):
        by_gap = gap >= lead
        for margin in _grid(0.0, 40.0, 1.0):
            eligible = by_gap & (unrelated >= margin)
            for score in _grid(0.0, 100.0, 1.0):
                take = eligible & (best >= score)
                r, w = int(np.sum(take & right)), int(np.sum(take & ~right))
                if base_wrong + w > cap:
                    continue
                key = (r - FALSE_ANSWER_COST * w, -w, lead, margin, score, 1.0)
                if key > best_key:
                    best_key, chosen = key, (float(score), float(lead), float(margin))
    return chosen


def _confirm_band(s: _Scores, answered: BoolArray) -> tuple[float, float]:
    """(confirm, confirm_margin): step 4 of the method; off (101) if nothing pays."""
    pool = ~answered & (s.best > 0)
    best, margin, right = s.best[pool], s.margin[pool], s.top1_right[pool]
    best_key: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    chosen = (101.0, 0.0)
    for lead in _grid(0.0, 40.0, 1.0):
        ahead = margin >= lead
        for score in _grid(0.0, 100.0, 1.0):
            take = ahead & (best >= score)
            r, w = int(np.sum(take & right)), int(np.sum(take & ~right))
            key = (r - CONFIRM_COST * w, 1.0, score, lead)
            if key > best_key:
                best_key, chosen = key, (float(score), float(lead))
    return chosen


def _collect(pool: Sequence[tuple[Ranker, Sequence[EvalQuestion]]]) -> _Scores:
    best, margin, gap, unrelated, neighbour = [], [], [], [], []
    right, exact, answerable, expected = [], [], [], []
    for ranker, item in ((ranker, item) for ranker, questions in pool for item in questions):
        ranking = ranker.ranking(item.question, limit=RANK_DEPTH)
        ours = ranking.ours  # an entry the "not ours" examples outscore is never proposed
        top = ranking.matches[0] if ranking.matches else None
        best.append(ours[0].score if ours else 0.0)
        margin.append(ranking.margin if ours else 0.0)
        gap.append(ranking.gap if ours else 0.0)
        unrelated.append(ranking.unrelated_margin if ours else 0.0)
        neighbour.append(bool(ours) and ranking.neighbour_second)
        right.append(top is not None and top.entry_id == item.expect)  # (the entry answered, if any)
        exact.append(top is not None and top.entry_id == ranking.exact)
        answerable.append(item.expect is not None)
        expected.append(next((m.score for m in ours[:3] if m.entry_id == item.expect), -1.0))
    return _Scores(
        best=np.asarray(best, dtype=np.float64),
        margin=np.asarray(margin, dtype=np.float64),
        gap=np.asarray(gap, dtype=np.float64),
        unrelated=np.asarray(unrelated, dtype=np.float64),
        neighbour=np.asarray(neighbour, dtype=np.bool_),
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
                "correct_confirms": result.correct_confirms,
                "wrong_confirms": result.wrong_confirms,
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
            f"{kind}: answer>={t.answer} margin>={t.margin} related>={t.related_answer} "
            f"gap>={t.related_gap} margin>={t.related_margin} confirm>={t.confirm} "
            f"margin>={t.confirm_margin} suggest>={t.suggest}  "
            f"dev: {result.correct_answers} right / {result.false_answers} wrong answers, "
            f"{result.correct_confirms} right / {result.wrong_confirms} wrong confirms, "
            f"{result.resolved_without_answer} resolved without answer, of {result.questions}"
        )
    if not args.dry_run:
        write_thresholds(results, files)
        print(f"written {THRESHOLDS_FILE}")


if __name__ == "__main__":
    main()
