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
async def appearance_flushing(app: FastAPI) -> AsyncIterator[None]:
    """Flush ``app.state.appearances`` periodically while serving, and at shutdown.

    The period is ``FLUSH_INTERVAL_S`` unless ``app.state.appearance_flush_interval_s``
    says otherwise (tests that must see what only the shutdown writes).
    """
    counter: AppearanceCounter = app.state.appearances
    interval_s: float = getattr(app.state, "appearance_flush_interval_s", FLUSH_INTERVAL_S)
    task = asyncio.create_task(_flush_periodically(counter, interval_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        counter.flush()
