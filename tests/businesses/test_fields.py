"""The one list of business fields: every other field list is read from it."""

from __future__ import annotations

import dataclasses

from directory.businesses.demo import BUSINESS_COLUMNS as DEMO_COLUMNS
from directory.businesses.input import (
    BUSINESS_COLUMNS,
    BUSINESS_FIELDS,
    EDITABLE_FIELDS,
    REQUIRED_COLUMNS,
    BusinessInput,
)
from directory.businesses.writes import FIELD_COLUMNS, IMPORT_FIELD_COLUMNS
from directory.models import Business
from directory.submissions.fields import EDITABLE_FIELDS as FORM_FIELDS


def test_import_columns_keep_their_published_order() -> None:
    """Import files, exports and the demo generator share one header, in this order."""
    assert BUSINESS_COLUMNS == (
        "external_id", "name", "category", "lat", "lon", "address", "phone", "website",
        "opening_hours", "price_level", "rating", "rating_count", "description",
    )  # fmt: skip
    assert DEMO_COLUMNS == BUSINESS_COLUMNS
    assert REQUIRED_COLUMNS == ("name", "lat", "lon")


def test_forms_show_the_editable_fields_in_import_order() -> None:
    assert FORM_FIELDS == EDITABLE_FIELDS
    assert tuple(c for c in BUSINESS_COLUMNS if c in set(EDITABLE_FIELDS)) == EDITABLE_FIELDS
    assert not {"external_id", "rating", "rating_count"} & set(EDITABLE_FIELDS)
    assert tuple(FIELD_COLUMNS) == EDITABLE_FIELDS
    assert tuple(IMPORT_FIELD_COLUMNS) == BUSINESS_COLUMNS


def test_every_field_names_real_attributes_and_columns() -> None:
    attrs = {f.name for f in dataclasses.fields(BusinessInput)}
    columns = set(Business.__table__.columns.keys())
    for field in BUSINESS_FIELDS:
        assert set(field.attrs) <= attrs, field.name
        assert set(field.columns) <= columns, field.name


def test_a_moved_point_is_written_whole() -> None:
    """Editing lat or lon writes both coordinates and the area they fall in."""
    assert set(FIELD_COLUMNS["lat"]) == set(FIELD_COLUMNS["lon"]) == {"lat", "lon", "area_id"}
