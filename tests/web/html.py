"""A tiny HTML reader for page tests (stdlib only): elements by id, attributes, script blocks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Text content with whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element | str) -> None:
            if isinstance(node, str):
                parts.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def iter(self) -> list[Element]:
        out: list[Element] = [self]
        for child in self.children:
            if isinstance(child, Element):
                out.extend(child.iter())
        return out

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements with this tag (any when None) whose attributes contain ``attrs``
        (``class_`` matches one class among several)."""
        found = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            ok = True
            for key, value in attrs.items():
                if key == "class_":
                    ok = value in el.attrs.get("class", "").split()
                else:
                    ok = el.attrs.get(key.replace("_", "-")) == value
                if not ok:
                    break
            if ok:
                found.append(el)
        return found

    def by_id(self, ident: str) -> Element:
        matches = [el for el in self.iter() if el.attrs.get("id") == ident]
        assert len(matches) == 1, f"expected one #{ident}, found {len(matches)}"
        return matches[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def script_json(doc: Element, ident: str) -> Any:
    """The parsed JSON of ``<script id=ident>``."""
    raw = "".join(c for c in doc.by_id(ident).children if isinstance(c, str))
    return json.loads(raw)
