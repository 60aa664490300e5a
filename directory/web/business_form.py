"""The business form the submit page and the owner's edit page share.

Both pages post the same editable fields (``EDITABLE_FIELDS``) plus the per-day hours
picker; one Pydantic form model (``Annotated[BusinessForm, Form()]``) reads them and turns
them into the raw mapping the submission service validates.
"""

from __future__ import annotations

from pydantic import BaseModel

from directory.hours import hours_from_picker


class BusinessForm(BaseModel):
    """The posted business fields, as typed (validation happens in the service)."""

    name: str = ""
    category: str = ""
    lat: str = ""
    lon: str = ""
    address: str = ""
    phone: str = ""
    website: str = ""
    opening_hours: str = ""
    hours_open: list[str] = []  # the per-day picker, Monday to Sunday
    hours_close: list[str] = []
    price_level: str = ""
    description: str = ""

    def raw_fields(self) -> dict[str, str]:
        """The raw business fields: numbers trimmed, hours typed as text or else read from
        the picker."""
        return {
            "name": self.name,
            "category": self.category,
            "lat": self.lat.strip(),
            "lon": self.lon.strip(),
            "address": self.address,
            "phone": self.phone,
            "website": self.website,
            "opening_hours": self.opening_hours.strip()
            or hours_from_picker(self.hours_open, self.hours_close),
            "price_level": self.price_level.strip(),
            "description": self.description,
        }
