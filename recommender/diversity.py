"""Diversity at the top of a list: no more than a few places of one category.

Greedy, in score order (ties by business id): a place enters the top ``window`` unless
its category already has ``max_per_category`` places there. When the candidates lack the
variety to fill the window that way, the best skipped places fill it, so the rule only
ever bends when nothing else could take the slot. Below the window, plain score order.
When the reader asked for a category the rule is off: they want that category.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.events import FloatArray, IntArray


def diversified_order(
    scores: FloatArray,
    ids: IntArray,
    categories: Sequence[str],
    *,
    window: int,
    max_per_category: int,
    enabled: bool,
    limit: int,
) -> list[int]:
    """Positions of the first ``limit`` places, best first, with a diverse top ``window``."""
    order = [int(i) for i in np.lexsort((ids, -scores))]
    if not enabled or window <= 0:
        return order[:limit]
    top: list[int] = []
    taken: set[int] = set()
    per_category: dict[str, int] = {}
    for i in order:
        if len(top) == window:
            break
        category = categories[i]
        if per_category.get(category, 0) < max_per_category:
            top.append(i)
            taken.add(i)
            per_category[category] = per_category.get(category, 0) + 1
    if len(top) < window:
        fill = [i for i in order if i not in taken][: window - len(top)]
        top.extend(fill)
        taken.update(fill)
    rest = (i for i in order if i not in taken)
    result = top[:limit]
    for i in rest:
        if len(result) >= limit:
            break
        result.append(i)
    return result
