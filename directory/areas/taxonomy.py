"""The category taxonomy: seeding from ``data/categories.toml``, lookups and subtrees."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.models import Category
from directory.shipped_data import CategorySeed, load_categories


def seed_categories(session: Session, seeds: Sequence[CategorySeed] | None = None) -> int:
    """Insert or update the shipped taxonomy by slug; returns how many rows changed."""
    seeds = list(seeds) if seeds is not None else load_categories()
    existing = {c.slug: c for c in session.scalars(select(Category))}
    changed = 0
    for order, seed in enumerate(seeds):
        parent = existing.get(seed.parent) if seed.parent else None
        path = f"{parent.path if parent else '/'}{seed.slug}/"
        row = existing.get(seed.slug)
        if row is None:
            row = Category(slug=seed.slug)
            session.add(row)
            existing[seed.slug] = row
        values = {
            "parent_id": parent.id if parent else None,
            "path": path,
            "name_id": seed.name_id,
            "name_en": seed.name_en,
            "synonyms": list(seed.synonyms),
            "reach": seed.reach,
            "sort_order": order,
        }
        if any(getattr(row, k, None) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
        session.flush()
    return changed


def all_categories(session: Session) -> list[Category]:
    """Every category, parents before children in taxonomy order."""
    return list(session.scalars(select(Category).order_by(Category.sort_order, Category.id)))


def get_category(session: Session, slug: str) -> Category:
    """A category by slug, or NotFound."""
    row = session.scalar(select(Category).where(Category.slug == slug))
    if row is None:
        raise NotFound(detail=f"unknown category '{slug}'")
    return row


def find_category(session: Session, text: str) -> Category | None:
    """A category by slug or by its Indonesian/English name, case-insensitively."""
    value = text.strip()
    if not value:
        return None
    lowered = value.lower()
    return session.scalar(
        select(Category).where(
            or_(
                Category.slug == lowered,
                Category.name_id.ilike(value),
                Category.name_en.ilike(value),
            )
        )
    )


def subtree_ids(session: Session, categories: Iterable[Category]) -> set[int]:
    """Ids of the given categories and all their descendants (a parent includes children)."""
    ids: set[int] = set()
    for cat in categories:
        ids.update(session.scalars(select(Category.id).where(Category.path.startswith(cat.path))))
    return ids


@dataclass(frozen=True, slots=True)
class CategoryNode:
    """A category with its children, for the tree endpoint."""

    category: Category
    children: list[CategoryNode]


def category_tree(session: Session) -> list[CategoryNode]:
    """The taxonomy as a forest of top-level groups."""
    rows = all_categories(session)
    nodes = {c.id: CategoryNode(category=c, children=[]) for c in rows}
    roots: list[CategoryNode] = []
    for c in rows:
        node = nodes[c.id]
        if c.parent_id is not None and c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots
