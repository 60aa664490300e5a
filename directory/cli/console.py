"""Terminal output for the CLI: progress bars on a TTY, silence otherwise, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn, Protocol

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

err_console = Console(stderr=True)


class ProgressSink(Protocol):
    """What long-running services report progress to (total unknown → None)."""

    def __call__(self, advance: int, total: int | None = None) -> None: ...


def _silent(advance: int, total: int | None = None) -> None:
    del advance, total


def is_tty() -> bool:
    """Progress bars only where a person is watching."""
    return sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressSink]:
    """A rich progress bar on a terminal; a no-op sink when not a TTY."""
    if not is_tty():
        yield _silent
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
    with progress:
        task = progress.add_task(description, total=total)

        def sink(advance: int, total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            progress.advance(task, advance)

        yield sink


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one line to stderr and exit non-zero."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
