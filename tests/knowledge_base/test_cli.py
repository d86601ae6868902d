"""The ``kb`` command line: lint, ask, eval."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from knowledge_base.cli import kb_app

from .conftest import FIXTURE_EVAL, FIXTURE_FAQ

runner = CliRunner()
FAQ = ["--path", str(FIXTURE_FAQ)]


def test_ask_json_prints_decision_and_matches_with_the_documented_keys() -> None:
    result = runner.invoke(kb_app, ["ask", "quero abrir um chamado", "--json", *FAQ])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"decision", "matches"}
    assert payload["decision"] in {"answer", "suggest", "none"}
    assert payload["matches"][0]["id"] == "abrir-chamado"
    assert set(payload["matches"][0]) == {"id", "question", "score", "answer"}


def test_ask_json_for_an_off_topic_message_has_no_match() -> None:
    result = runner.invoke(kb_app, ["ask", "qual a previsão do tempo amanhã", "--json", *FAQ])
    assert json.loads(result.stdout) == {"decision": "none", "matches": []}


def test_ask_in_english_answers_in_english() -> None:
    result = runner.invoke(kb_app, ["ask", "I forgot my password", "--json", "--locale", "en", *FAQ])
    assert json.loads(result.stdout)["matches"][0]["question"] == "I forgot my password, what do I do?"


def test_ask_prints_the_decision_for_humans() -> None:
    result = runner.invoke(kb_app, ["ask", "quero abrir um chamado", *FAQ])
    assert result.exit_code == 0
    assert "decision:" in result.stdout and "abrir-chamado" in result.stdout


def test_ask_says_when_the_not_ours_examples_win() -> None:
    result = runner.invoke(kb_app, ["ask", "esqueci a senha do gmail", *FAQ])
    assert result.exit_code == 0
    assert "decision: none" in result.stdout
    assert 'reads like the FAQ\'s "not ours" examples' in result.stdout and "esqueci-senha" in result.stdout
    json_result = runner.invoke(kb_app, ["ask", "esqueci a senha do gmail", "--json", *FAQ])
    assert json.loads(json_result.stdout) == {"decision": "none", "matches": []}


def test_eval_prints_matcher_and_bm25_side_by_side() -> None:
    result = runner.invoke(kb_app, ["eval", str(FIXTURE_EVAL), *FAQ])
    assert result.exit_code == 0, result.output
    for text in ("matcher", "bm25", "top-1", "false-answer rate", "recall@3", "5 questions"):
        assert text in result.stdout


def test_eval_json_has_both_reports_and_the_question_count() -> None:
    result = runner.invoke(kb_app, ["eval", str(FIXTURE_EVAL), "--json", *FAQ])
    payload = json.loads(result.stdout)
    assert set(payload) == {"matcher", "bm25", "questions"}
    assert payload["questions"] == 5
    assert {"top1", "false_answer_rate", "recall_at_3"} <= set(payload["matcher"])
    assert payload["matcher"]["top1"] == 1.0


def test_eval_of_a_missing_file_prints_one_line_and_fails(tmp_path: Path) -> None:
    result = runner.invoke(kb_app, ["eval", str(tmp_path / "nada.yaml"), *FAQ])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_lint_reports_ok_with_the_entry_count() -> None:
    result = runner.invoke(kb_app, ["lint", *FAQ])
    assert result.exit_code == 0
    assert "OK: 6 entries" in result.stdout
    assert "draft (not served): backup-banco" in result.stdout


def test_lint_exits_1_and_names_the_entry_on_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "entries:\n  - id: magra\n    pt-BR: {question: 'P?', phrasings: [a b], answer: R.}\n", encoding="utf-8"
    )
    result = runner.invoke(kb_app, ["lint", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "magra" in result.stdout and "missing locale en" in result.stdout


def test_module_runs_as_a_script() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "knowledge_base.cli", "ask", "como emitir nf-e", "--json", *FAQ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout)["matches"][0]["id"] == "emitir-nfe"
