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

DEFAULT_SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@recommender_app.command("refresh")
def refresh() -> None:
    """Fit the interaction model (co-visits, next places, trends) from all interactions."""
    from directory.recommendations.model_store import refresh_model

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, progress_bar("interactions") as sink:
            report = refresh_model(session, timezone=settings.timezone, progress=sink)
    finally:
        engine.dispose()
    err_console.print(
        f"model {report.model_id}: {report.n_events:,} interactions in {report.seconds:.1f} s",
        highlight=False,
    )


@eval_app.command("nextpoi")
def nextpoi(
    data_dir: Annotated[
        Path, typer.Option(help="Folder holding foursquare_nyc_stan/ (../shared/data).")
    ] = DEFAULT_SHARED,
    users: Annotated[int | None, typer.Option(help="Evaluate only the first N users.")] = None,
    workdir: Annotated[
        Path | None, typer.Option(help="Keep the evaluation database in this folder.")
    ] = None,
) -> None:
    """Next-visit accuracy on Foursquare NYC through import → interactions → recommend."""
    from directory.recommendations.evaluation import KS, published_lines, run_nextpoi

    def say(text: str) -> None:
        typer.echo(text)

    results = run_nextpoi(data_dir, limit_users=users, workdir=workdir, say=say)
    if results is None:
        return
    typer.echo("\n| ranker | " + " | ".join(f"Acc@{k}" for k in KS) + " | MRR@20 |")
    typer.echo("|---|" + "---|" * (len(KS) + 1))
    for name, metrics in results.items():
        typer.echo(metrics.row(name))
    lines = published_lines(data_dir)
    if lines:
        typer.echo(
            "\nPublished NYC numbers, from OTHER protocols (GETNext's chronological split with "
            "24-hour trajectories, or each paper's own) — context only, not comparable:"
        )
        for line in lines:
            typer.echo("  " + line)
