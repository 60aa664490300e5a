"""Resolving the ``category`` column of an import: a slug or a name, in either language.

Looked up in memory (a million rows must not cost a million queries): the taxonomy is
loaded once into a dictionary keyed by slug and by casefolded Indonesian and English
names. ``Kafe & Kopi``, ``cafe & coffee`` and ``kafe-kopi`` all find the same category.
Text that is none of those is tried once more as ``slugify(text)`` (``Kafe Kopi`` →
``kafe-kopi``).

With ``--create-categories`` an unknown category is created: named as written, with a
slug made from the name, under the top-level group ``lainnya`` ("Other") when the
taxonomy has one, else at the top level.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.errors import InvalidInput
from directory.models import Category
from directory.slugs import FALLBACK, slugify, unique_slug
from directory.textnorm import TextInputError, clean_user_text

OTHER_GROUP = "lainnya"
DEFAULT_CATEGORY = "lainnya"
SLUG_MAX_LEN = 80
NAME_MAX_LEN = 120


def _key(text: str) -> str:
    return text.strip().casefold()


class CategoryLookup:
    """Every category of the database, findable by slug or name; creates on request."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.keys: dict[str, int] = {}
        self._slugs: dict[str, int] = {}
        rows = session.execute(
            select(Category.id, Category.slug, Category.name_id, Category.name_en).order_by(
                Category.sort_order, Category.id
            )
        ).all()
        # Where keys collide, a slug beats an Indonesian name, which beats an English one.
        self.keys.update((_key(name_en), cid) for cid, _, _, name_en in rows)
        self.keys.update((_key(name_id), cid) for cid, _, name_id, _ in rows)
        self._slugs.update((slug, cid) for cid, slug, _, _ in rows)
        self.keys.update(self._slugs)
        self.created: list[str] = []

    def resolve(self, text: str) -> int | None:
        """The id of the category ``text`` names, or None."""
        return resolve_category(self.keys, text)

    def default_id(self, slug: str | None) -> int | None:
        """The id for rows without a category: ``slug`` (which must exist), else
        ``lainnya`` when the taxonomy has it, else None (the column is then required)."""
        if slug is None:
            return self._slugs.get(DEFAULT_CATEGORY)
        cid = self._slugs.get(slug)
        if cid is None:
            raise InvalidInput(
                detail=f"--default-category: unknown category slug '{slug}' "
                "(slugs are listed in data/categories.toml; 'lainnya' is the shipped "
                "'Other' category)"
            )
        return cid

    def slug_of(self, category_id: int | None) -> str | None:
        """The slug of a category id known to this lookup (None for None)."""
        if category_id is None:
            return None
        return next((s for s, cid in self._slugs.items() if cid == category_id), None)

    def create(self, text: str) -> int:
        """Create the category named ``text`` (or find it, if created earlier); its id."""
        found = self.resolve(text)
        if found is not None:
            return found
        try:
            name = clean_user_text(text, max_len=NAME_MAX_LEN, field="category")
        except TextInputError as exc:
            raise InvalidInput(detail=f"category: {exc}") from None
        parent_id = self._slugs.get(OTHER_GROUP)
        parent_path = "/"
        if parent_id is not None:
            parent_path = (
                self._session.scalar(select(Category.path).where(Category.id == parent_id)) or "/"
            )
        slug = unique_slug(
            slugify(name, max_len=SLUG_MAX_LEN), self._slugs.__contains__, max_len=SLUG_MAX_LEN
        )
        order = self._session.scalar(select(func.max(Category.sort_order))) or 0
        category = Category(
            slug=slug,
            parent_id=parent_id,
            path=f"{parent_path}{slug}/",
            name_id=name,
            name_en=name,
            synonyms=[],
            reach="local",
            sort_order=order + 1,
        )
        self._session.add(category)
        self._session.flush()
        self._slugs[slug] = category.id
        self.keys.setdefault(slug, category.id)
        self.keys.setdefault(_key(name), category.id)
        self.keys.setdefault(_key(text), category.id)
        self.created.append(slug)
        return category.id


def resolve_category(keys: dict[str, int], text: str) -> int | None:
    """Look ``text`` up in a :attr:`CategoryLookup.keys` dictionary (also in workers)."""
    key = _key(text)
    found = keys.get(key)
    if found is None:
        slug = slugify(text)
        if slug != FALLBACK or key == FALLBACK:
            found = keys.get(slug)
    return found
