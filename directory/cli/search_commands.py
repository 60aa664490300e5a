"""``dekat eval search``: judged relevance of search (``docs/relevance.md``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from directory.cli.console import progress_bar
from directory.cli.recommender_commands import eval_app

_HERE = Path(__file__).resolve()
_CANDIDATES = (
    _HERE.parents[2].parent / "shared" / "data",
    _HERE.parents[3].parent / "shared" / "data",
)
DEFAULT_SHARED = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
"""``../shared/data`` next to the checkout (or next to the folder holding worktrees)."""

GOAL_NDCG = 0.90
GOAL_ZERO = 0.02


@eval_app.command("search")
def search_eval(
    data_dir: Annotated[
        Path, typer.Option(help="Folder holding zomato_restaurants/ (../shared/data).")
    ] = DEFAULT_SHARED,
    dataset: Annotated[
        list[str] | None, typer.Option(help="Only these data sets: demo, zomato (repeatable).")
    ] = None,
    show_worst: Annotated[int, typer.Option(help="List this many worst queries per set.")] = 0,
) -> None:
    """nDCG@10, precision@5, zero-result rate and wrong-sense results of search, on the
    demo data and on real restaurants (skipped when the shared data are missing)."""
    from directory.evaluation.search import evaluate_all
    from directory.search.judging import summarise

    chosen = tuple(dataset or ("demo", "zomato"))
    unknown = sorted(set(chosen) - {"demo", "zomato"})
    if unknown:
        raise typer.BadParameter(f"unknown data set {unknown[0]!r} (demo, zomato)")
    with progress_bar("judged queries") as sink:
        seen = [0]

        def progress(name: str, total: int) -> Callable[[int], None]:
            seen[0] += total
            sink(0, seen[0])
            del name
            return lambda n: sink(n)

        results = evaluate_all(data_dir, say=typer.echo, progress=progress, datasets=chosen)
    typer.echo(
        "\n| data set | part | queries | answerable | nDCG@10 | P@5 | zero results "
        "| wrong-sense top 5 |"
    )
    typer.echo("|---|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        for part, subset in (
            ("dev", [r for r in rows if not r.query.heldout]),
            ("held-out", [r for r in rows if r.query.heldout]),
            ("all", rows),
        ):
            s = summarise(subset)
            typer.echo(
                f"| {name} | {part} | {s.queries} | {s.answerable} | {s.ndcg:.3f} | "
                f"{s.precision:.3f} | {s.zero} ({s.zero_rate:.1%}) | {s.wrong_sense} |"
            )
        if show_worst:
            s = summarise(r for r in rows if not r.query.heldout)
            typer.echo(f"\nworst dev queries of {name}:")
            for score, q in s.worst[:show_worst]:
                typer.echo(f"  {score:.3f}  {q}")
            for r in rows:
                if r.wrong_sense and not r.query.heldout:
                    typer.echo(f"  wrong sense: {r.query.q} grades={r.grades}")
    typer.echo(
        f"\ngoals: nDCG@10 ≥ {GOAL_NDCG:.2f}, wrong-sense top 5 = 0, "
        f"zero results ≤ {GOAL_ZERO:.0%} of answerable queries"
    )
