"""The app's lifespan part for appearance counts: a periodic flush, and a last one at exit.

The periodic flush runs the (blocking) database write in a worker thread so the event
loop, which serves the search API, never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from directory.insights.appearances import FLUSH_INTERVAL_S, AppearanceCounter


async def _flush_periodically(counter: AppearanceCounter, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        if counter.pending():
            await anyio.to_thread.run_sync(counter.flush)


@contextlib.asynccontextmanager
async def appearance_flushing(
    app: FastAPI, *, interval_s: float = FLUSH_INTERVAL_S
) -> AsyncIterator[None]:
    """Flush ``app.state.appearances`` every ``interval_s`` while serving, and at shutdown."""
    counter: AppearanceCounter = app.state.appearances
    task = asyncio.create_task(_flush_periodically(counter, interval_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        counter.flush()
