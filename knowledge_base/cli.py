"""``chamado kb ...``: lint the FAQ, ask the matcher a question, evaluate it against a labelled set.

Errors print one line and exit non-zero; no traceback reaches the user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from knowledge_base.bm25 import Bm25Matcher
from knowledge_base.decision import RANK_DEPTH
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.evaluate import EvalReport, evaluate, load_eval_set
from knowledge_base.lint import drafts, lint
from knowledge_base.loader import load_knowledge_base
from knowledge_base.matcher import Matcher

kb_app = typer.Typer(
    help="FAQ knowledge base: lint the YAML, ask the matcher, evaluate it.",
    no_args_is_help=True,
    add_completion=False,
)

PathOption = Annotated[
    Path | None, typer.Option("--path", help="FAQ directory (default: the shipped knowledge base).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _console() -> Console:
    return Console(soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    return typer.Exit(code=2)


@kb_app.command("lint")
def lint_command(path: PathOption = None) -> None:
    """Check the FAQ files; exit 1 if anything is wrong."""
    errors = lint(path)
    console = _console()
    if errors:
        table = Table(title=f"{len(errors)} FAQ problem(s)")
        for column in ("file", "entry", "problem"):
            table.add_column(column, overflow="fold")
        for error in errors:
            table.add_row(error.file, error.entry_id or "-", error.message)
        console.print(table)
        raise typer.Exit(code=1)
    try:
        kb = load_knowledge_base(path)
        pending = drafts(path)
    except KnowledgeBaseError as exc:
        raise _fail(str(exc)) from exc
    for file, entry in pending:
        console.print(f"draft (not served): {entry.id} ({file})", highlight=False)
    console.print(f"OK: {len(kb.entries)} entries", highlight=False)


@kb_app.command("ask")
def ask_command(
    text: Annotated[str, typer.Argument(help="The client's message.")],
    json_output: JsonOption = False,
    locale: Annotated[str, typer.Option("--locale", help="pt-BR or en.")] = "pt-BR",
    path: PathOption = None,
) -> None:
    """Show what the matcher would do with a message."""
    try:
        matcher = Matcher(load_knowledge_base(path), locale)
    except KnowledgeBaseError as exc:
        raise _fail(str(exc)) from exc
    ranking = matcher.ranking(text, limit=RANK_DEPTH)
    result = matcher.thresholds.decide(ranking)  # what ask() does, keeping the ranking to explain it
    matches = [
        {"id": m.entry_id, "question": m.question, "score": m.score, "answer": m.answer}
        for m in result.matches
    ]
    see_also = [{"id": m.entry_id, "question": m.question, "score": m.score} for m in result.see_also]
    if json_output:
        payload: dict[str, Any] = {"decision": result.decision.value, "matches": matches}
        if see_also:
            payload["see_also"] = see_also
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    console = _console()
    console.print(f"decision: [bold]{result.decision.value}[/bold]")
    if matches:
        table = Table()
        for column in ("id", "score", "question"):
            table.add_column(column, overflow="fold")
        for match in result.matches:
            table.add_row(match.entry_id, f"{match.score:.1f}", match.question)
        console.print(table)
    if result.best is not None and len(result.matches) == 1:
        console.print(result.best.answer, highlight=False, markup=False)
    for match in result.see_also:
        console.print(f"see also: {match.entry_id} ({match.score:.1f}) {match.question}", highlight=False,
                      markup=False)
    if ranking.matches and not ranking.ours:
        best = ranking.matches[0]
        console.print(
            f"it reads like the FAQ's \"not ours\" examples ({ranking.not_ours:.1f}) more than like"
            f" {best.entry_id} ({best.score:.1f})",
            highlight=False,
            markup=False,
        )


@kb_app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="Labelled question file (eval/*.yaml).")],
    json_output: JsonOption = False,
    path: PathOption = None,
) -> None:
    """Score the matcher and the BM25 baseline on a labelled question set."""
    try:
        eval_set = load_eval_set(file)
        kb = load_knowledge_base(path)
    except KnowledgeBaseError as exc:
        raise _fail(str(exc)) from exc
    reports = {
        "matcher": evaluate(Matcher(kb, eval_set.locale), eval_set.questions),
        "bm25": evaluate(Bm25Matcher(kb, eval_set.locale), eval_set.questions),
    }
    if json_output:
        payload: dict[str, Any] = {k: r.as_dict() for k, r in reports.items()}
        payload["questions"] = len(eval_set.questions)
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    _console().print(_eval_table(file, eval_set.locale, reports))


def _eval_table(file: Path, locale: str, reports: dict[str, EvalReport]) -> Table:
    any_report = next(iter(reports.values()))
    table = Table(
        title=f"{file.name} ({locale}): {any_report.questions} questions, "
        f"{any_report.answerable} answerable"
    )
    table.add_column("metric")
    for name in reports:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Callable[[EvalReport], str]]] = [
        ("top-1", lambda r: f"{r.top1:.1%}"),
        ("false-answer rate", lambda r: f"{r.false_answer_rate:.1%}"),
        ("recall@3", lambda r: f"{r.recall_at_3:.1%}"),
        ("answered right", lambda r: f"{r.answered_right:.1%}"),
        ("confirmed right", lambda r: f"{r.confirmed_right:.1%}"),
        ("answered + confirmed right", lambda r: f"{r.answered_right + r.confirmed_right:.1%}"),
        ("suggest recall@3", lambda r: f"{r.suggest_recall_at_3:.1%}"),
        ("none precision", lambda r: f"{r.none_precision:.1%}"),
        ("answer / confirm / suggest / none",
         lambda r: "{answer} / {confirm} / {suggest} / {none}".format(**r.decisions)),
        ("N", lambda r: str(r.questions)),
    ]
    for label, render in rows:
        table.add_row(label, *(render(r) for r in reports.values()))
    return table


if __name__ == "__main__":
    kb_app()
