"""The shipped FAQ and its labelled dev set meet the level-0 targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.decision import Decision
from knowledge_base.evaluate import evaluate, load_eval_set
from knowledge_base.lint import lint
from knowledge_base.loader import DEFAULT_FAQ_DIR, load_knowledge_base
from knowledge_base.matcher import Matcher

DEV_SET = Path(DEFAULT_FAQ_DIR).parent / "eval" / "dev.yaml"

pytestmark = pytest.mark.skipif(
    not any(DEFAULT_FAQ_DIR.glob("*.yaml")), reason="the shipped FAQ is empty"
)


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher(load_knowledge_base(), "pt-BR")


def test_shipped_faq_lints_clean() -> None:
    errors = lint()
    assert errors == [], "\n".join(map(str, errors))


def test_opening_a_ticket_is_answered_from_the_ticket_entry(shipped: Matcher) -> None:
    result = shipped.ask("como abro um chamado")
    assert result.decision is Decision.ANSWER
    assert result.matches[0].entry_id == "abrir-chamado"


def test_the_weather_is_not_our_business(shipped: Matcher) -> None:
    assert shipped.ask("qual a previsão do tempo amanhã").decision is Decision.NONE


@pytest.mark.skipif(not DEV_SET.is_file(), reason="no dev set")
def test_dev_set_top1_at_least_90_percent_and_false_answers_at_most_3_percent(shipped: Matcher) -> None:
    report = evaluate(shipped, load_eval_set(DEV_SET).questions)
    assert report.top1 >= 0.90, report.as_dict()
    assert report.false_answer_rate <= 0.03, report.as_dict()
