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
    families: Sequence[str] | None = None,
    max_per_family: int | None = None,
) -> list[int]:
    """Positions of the first ``limit`` places, best first, with a diverse top ``window``.

    With ``families`` and ``max_per_family``, a family (top-level group) is also held to
    that many places in the window, so a general list mixes food, coffee, shopping...
    """
    order = [int(i) for i in np.lexsort((ids, -scores))]
    if not enabled or window <= 0:
        return order[:limit]
    top: list[int] = []
    taken: set[int] = set()
    per_category: dict[str, int] = {}
    per_family: dict[str, int] = {}
    family_cap = max_per_family if families is not None and max_per_family else None
    for i in order:
        if len(top) == window:
            break
        category = categories[i]
        family = families[i] if families is not None else ""
        if per_category.get(category, 0) < max_per_category and (
            family_cap is None or not family or per_family.get(family, 0) < family_cap
        ):
            top.append(i)
            taken.add(i)
            per_category[category] = per_category.get(category, 0) + 1
            per_family[family] = per_family.get(family, 0) + 1
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
