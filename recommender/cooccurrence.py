"""Item-to-item relations learned from interactions: co-visitation and transitions.

Both are kept as the ``k`` strongest neighbours of each place in compressed sparse rows,
built with numpy sorting and counting only (no scipy), so a million interactions fit in
seconds.

* Co-visitation: cosine similarity of the sets of people who interacted with two places,
  ``both / sqrt(people_a × people_b)``. Each person's most-engaged places (at most
  ``max_items_per_user``) are paired, which bounds the work for very active accounts.
* Transitions: how often a visit to ``a`` is followed by the same person's next visit to
  ``b`` within ``max_gap_s``, as the probability ``P(b | a)`` over all of ``a``'s outgoing
  transitions; returning to the same place is not a transition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.events import FloatArray, IntArray

PAIR_CHUNK = 20_000_000
"""Most person-place pairs expanded at once while counting co-visits (bounds memory)."""


@dataclass(frozen=True, slots=True, eq=False)
class SparseRows:
    """Rows of (column, value) entries, strongest first; rows and columns are item indices."""

    indptr: IntArray
    indices: IntArray
    values: FloatArray

    @classmethod
    def empty(cls, n_rows: int) -> SparseRows:
        """No entries at all."""
        return cls(
            np.zeros(n_rows + 1, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
        )

    def gather(self, rows: IntArray, row_weights: FloatArray) -> tuple[IntArray, FloatArray]:
        """All entries of ``rows`` as (column, value × row weight), row after row."""
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        first = np.cumsum(lengths) - lengths
        positions = np.repeat(starts - first, lengths) + np.arange(total)
        return self.indices[positions], self.values[positions] * np.repeat(row_weights, lengths)


def top_k_rows(
    rows: IntArray, cols: IntArray, values: FloatArray, *, n_rows: int, k: int
) -> SparseRows:
    """Keep each row's ``k`` largest entries (ties by column), strongest first."""
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    counts = np.bincount(rows, minlength=n_rows)
    starts = np.cumsum(counts) - counts
    rank_in_row = np.arange(rows.shape[0]) - np.repeat(starts, counts)
    keep = rank_in_row < k
    indptr = np.concatenate([[0], np.cumsum(np.minimum(counts, k))]).astype(np.int64)
    return SparseRows(indptr, cols[keep].astype(np.int64), values[keep].astype(np.float64))


def _count_pairs(keys: IntArray, counts: IntArray, new_keys: IntArray) -> tuple[IntArray, IntArray]:
    """Merge a batch of pair keys into running (unique key, count) arrays."""
    batch, batch_counts = np.unique(new_keys, return_counts=True)
    if keys.shape[0] == 0:
        return batch, batch_counts.astype(np.int64)
    merged, inverse = np.unique(np.concatenate([keys, batch]), return_inverse=True)
    total = np.bincount(inverse, weights=np.concatenate([counts, batch_counts]))
    return merged, total.astype(np.int64)


def _user_item_sets(
    users: IntArray, items: IntArray, weights: FloatArray, *, n_items: int, max_items_per_user: int
) -> tuple[IntArray, IntArray]:
    """Distinct (user, item) pairs, each user's most-engaged items only, grouped by user."""
    keys, inverse = np.unique(users * n_items + items, return_inverse=True)
    engagement = np.bincount(inverse.reshape(-1), weights=weights)
    pair_users, pair_items = keys // n_items, keys % n_items
    order = np.lexsort((pair_items, -engagement, pair_users))
    pair_users, pair_items = pair_users[order], pair_items[order]
    sizes = np.bincount(pair_users)
    starts = np.cumsum(sizes) - sizes
    keep = np.arange(pair_users.shape[0]) - np.repeat(starts, sizes) < max_items_per_user
    return pair_users[keep], pair_items[keep]


def covisitation(
    users: IntArray,
    items: IntArray,
    weights: FloatArray,
    *,
    n_items: int,
    k: int,
    max_items_per_user: int,
) -> SparseRows:
    """Each item's ``k`` most co-visited items by cosine similarity of their visitors."""
    set_users, set_items = _user_item_sets(
        users, items, weights, n_items=n_items, max_items_per_user=max_items_per_user
    )
    if set_items.shape[0] == 0:
        return SparseRows.empty(n_items)
    people = np.bincount(set_items, minlength=n_items).astype(np.float64)
    sizes = np.bincount(set_users)
    starts = np.cumsum(sizes) - sizes
    per_entry_size = np.repeat(sizes, sizes)
    per_entry_start = np.repeat(starts, sizes)
    keys = np.zeros(0, dtype=np.int64)
    counts = np.zeros(0, dtype=np.int64)
    pair_budget = np.cumsum(per_entry_size)
    begin = 0
    while begin < set_items.shape[0]:
        end = int(
            np.searchsorted(pair_budget, pair_budget[begin] - per_entry_size[begin] + PAIR_CHUNK)
        )
        end = max(end, begin + 1)
        reps = per_entry_size[begin:end]
        left = np.repeat(np.arange(begin, end), reps)
        first = np.cumsum(reps) - reps
        right = np.repeat(per_entry_start[begin:end] - first, reps) + np.arange(int(reps.sum()))
        distinct = left != right
        batch = set_items[left[distinct]] * n_items + set_items[right[distinct]]
        keys, counts = _count_pairs(keys, counts, batch)
        begin = end
    a, b = keys // n_items, keys % n_items
    cosine = counts / np.sqrt(people[a] * people[b])
    return top_k_rows(a, b, cosine, n_rows=n_items, k=k)


def transitions(
    users: IntArray,
    items: IntArray,
    epoch_s: FloatArray,
    *,
    n_items: int,
    k: int,
    max_gap_s: float,
    per_user_cap: float | None = None,
) -> tuple[SparseRows, FloatArray, FloatArray]:
    """Next-visit probabilities ``P(b | a)`` (top ``k`` per ``a``), their typical gaps in hours
    (geometric mean, aligned with the entries), and each item's count of outgoing moves.

    The input must be visits only, sorted by user and then time. With ``per_user_cap``,
    one user's moves from ``a`` to ``b`` count at most that many times (later ones are
    dropped), so no single account can make itself everyone's usual next stop.
    """
    same_user = users[1:] == users[:-1]
    gap_s = epoch_s[1:] - epoch_s[:-1]
    moved = same_user & (gap_s <= max_gap_s) & (items[1:] != items[:-1])
    if per_user_cap is not None and moved.any():
        at = np.flatnonzero(moved)
        key_u, key_a, key_b = users[:-1][at], items[:-1][at], items[1:][at]
        order = np.lexsort((at, key_b, key_a, key_u))
        su, sa, sb = key_u[order], key_a[order], key_b[order]
        start = np.ones(order.shape[0], dtype=bool)
        start[1:] = (su[1:] != su[:-1]) | (sa[1:] != sa[:-1]) | (sb[1:] != sb[:-1])
        group_start = np.maximum.accumulate(np.where(start, np.arange(order.shape[0]), 0))
        position = np.arange(order.shape[0]) - group_start
        drop = at[order[position >= per_user_cap]]
        moved[drop] = False
    a, b, gap = items[:-1][moved], items[1:][moved], gap_s[moved]
    outgoing = np.bincount(a, minlength=n_items).astype(np.float64)
    if a.shape[0] == 0:
        return SparseRows.empty(n_items), np.zeros(0), outgoing
    keys, inverse = np.unique(a * n_items + b, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse).astype(np.float64)
    log_gap = np.bincount(inverse, weights=np.log(np.maximum(gap, 60.0) / 3600.0)) / counts
    src, dst = keys // n_items, keys % n_items
    probability = counts / outgoing[src]
    order = np.lexsort((dst, -probability, src))
    counts_in_row = np.bincount(src, minlength=n_items)
    starts = np.cumsum(counts_in_row) - counts_in_row
    keep_sorted = np.arange(src.shape[0]) - np.repeat(starts, counts_in_row) < k
    kept = order[keep_sorted]
    indptr = np.concatenate([[0], np.cumsum(np.minimum(counts_in_row, k))]).astype(np.int64)
    rows = SparseRows(indptr, dst[kept].astype(np.int64), probability[kept])
    return rows, np.exp(log_gap[kept]), outgoing
