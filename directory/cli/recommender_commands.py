"""``dekat recommender refresh`` and ``dekat eval nextpoi``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from directory.cli.console import err_console, progress_bar
from directory.cli.main import app
from directory.db import make_engine, make_session_factory
from directory.settings import get_settings

recommender_app = typer.Typer(help="The recommender's learned state.", no_args_is_help=True)
eval_app = typer.Typer(help="Offline evaluations.", no_args_is_help=True)
app.add_typer(recommender_app, name="recommender")
app.add_typer(eval_app, name="eval")

_REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = next(
    (
        folder / "shared" / "data"
        for folder in (_REPO.parent, _REPO.parent.parent)
        if (folder / "shared" / "data").is_dir()
    ),
    _REPO.parent / "shared" / "data",
)
"""``../shared/data`` next to the checkout (or next to its parent, for a git worktree)."""


@recommender_app.command("refresh")
def refresh() -> None:
    """Fit the interaction model and the ranker's blend of signals from all interactions.

    The blend is learned on each reader's earlier next visits and checked on their latest
    ones; it is activated only when at least as good as the simple baselines (the
    reader's most-visited places, the most popular places) at every k. Boosted trees that
    re-order the blend's best places are fitted the same way and activated only when they
    also beat the blend; the command says which happened and why.
    """
    from directory.recommendations.model_store import refresh_model

    settings = get_settings()
    engine = make_engine(settings.database_url)
    notes: list[str] = []
    try:
        with make_session_factory(engine)() as session, progress_bar("interactions") as sink:
            report = refresh_model(
                session, timezone=settings.timezone, progress=sink, say=notes.append
            )
    finally:
        engine.dispose()
    for note in notes:
        err_console.print(note, highlight=False)
    err_console.print(
        f"model {report.model_id}: {report.n_events:,} interactions in {report.seconds:.1f} s; "
        f"ranker: {report.blend_source}"
        + (f" blend re-ordered by {report.trees} trees" if report.trees else " blend"),
        highlight=False,
    )


@eval_app.command("nextpoi")
def nextpoi(
    data_dir: Annotated[
        Path, typer.Option(help="Folder holding the shared data sets (../shared/data).")
    ] = DEFAULT_SHARED,
    dataset: Annotated[
        list[str] | None,
        typer.Option(help="Only these data sets: stan, dchl, getnext-val, getnext-test."),
    ] = None,
    users: Annotated[int | None, typer.Option(help="Evaluate only the first N queries.")] = None,
    workdir: Annotated[
        Path | None, typer.Option(help="Keep the evaluation database in this folder.")
    ] = None,
) -> None:
    """Next-visit accuracy on every next-visit data set, through import → refresh → recommend.

    Prints, per data set, Acc@1/5/10/20 and MRR@20 of the recommender and of the
    baselines (most popular, nearest, the user's most-visited).
    """
    from directory.evaluation.recommendations import DATASETS, KS, published_lines, run_nextpoi

    chosen = dataset or list(DATASETS)
    unknown = [d for d in chosen if d not in DATASETS]
    if unknown:
        err_console.print(
            f"unknown data set {unknown[0]!r}; choose from {', '.join(DATASETS)}", highlight=False
        )
        raise typer.Exit(2)
    if not data_dir.is_dir():
        typer.echo(f"shared data not found at {data_dir}; nothing to evaluate (skipped).")
        return

    def say(text: str) -> None:
        typer.echo(text)

    results = run_nextpoi(data_dir, datasets=chosen, limit_users=users, workdir=workdir, say=say)
    if results is None:
        typer.echo(f"no next-visit data set found under {data_dir}; nothing evaluated.")
        return
    for name, by_ranker in results.items():
        typer.echo(f"\n### {name}\n")
        typer.echo("| ranker | " + " | ".join(f"Acc@{k}" for k in KS) + " | MRR@20 |")
        typer.echo("|---|" + "---|" * (len(KS) + 1))
        for ranker, metrics in by_ranker.items():
            typer.echo(metrics.row(ranker))
    lines = published_lines(data_dir)
    if lines:
        typer.echo(
            "\nPublished NYC numbers, from OTHER protocols (GETNext's chronological split with "
            "24-hour trajectories, or each paper's own) — context only, not comparable:"
        )
        for line in lines:
            typer.echo("  " + line)
