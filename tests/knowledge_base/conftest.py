"""Shared fixtures: the small fixture FAQ (not the shipped one) and matchers over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.decision import Thresholds
from knowledge_base.loader import KnowledgeBase, load_knowledge_base
from knowledge_base.matcher import Matcher

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FAQ = FIXTURES / "faq"
FIXTURE_EVAL = FIXTURES / "eval_pt.yaml"
# Fixed bands so the tests do not depend on the shipped, calibrated thresholds.yaml.
BANDS = Thresholds(answer=70.0, margin=10.0, suggest=40.0)


@pytest.fixture(scope="session")
def fixture_kb() -> KnowledgeBase:
    return load_knowledge_base(FIXTURE_FAQ)


@pytest.fixture(scope="session")
def matcher(fixture_kb: KnowledgeBase) -> Matcher:
    return Matcher(fixture_kb, "pt-BR", thresholds=BANDS)


@pytest.fixture(scope="session")
def english_matcher(fixture_kb: KnowledgeBase) -> Matcher:
    return Matcher(fixture_kb, "en", thresholds=BANDS)
