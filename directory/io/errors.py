"""What can go wrong with an import file: the whole file, or one of its records."""

from __future__ import annotations

from dataclasses import dataclass

from directory.errors import InvalidInput


class FormatError(InvalidInput):
    """The file as a whole cannot be read (unknown type, no header, not GeoJSON ...)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad value of one record: where it is, which field, and why."""

    line: int
    field: str
    message: str
    feature: int | None = None  # GeoJSON: the feature's position, as lines may be shared

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.feature is not None:
            where += f" (feature {self.feature})"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"
