"""The business form model shared by the submit page and the owner's edit page."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from directory.submissions.fields import EDITABLE_FIELDS
from directory.web.business_form import BusinessForm


def test_raw_fields_are_the_editable_fields_in_form_order() -> None:
    assert tuple(BusinessForm().raw_fields()) == EDITABLE_FIELDS


def test_numbers_are_trimmed_and_typed_hours_win_over_the_picker() -> None:
    form = BusinessForm(
        name=" Warung Bu Ani ",
        lat=" -6.3 ",
        lon="106.7 ",
        price_level=" 2",
        opening_hours=" Mo-Fr 08:00-17:00 ",
        hours_open=["09:00"],
        hours_close=["10:00"],
    )
    raw = form.raw_fields()
    assert raw["name"] == " Warung Bu Ani "  # text fields are cleaned by the validator
    assert (raw["lat"], raw["lon"], raw["price_level"]) == ("-6.3", "106.7", "2")
    assert raw["opening_hours"] == "Mo-Fr 08:00-17:00"


def test_the_picker_fills_the_hours_when_none_are_typed() -> None:
    form = BusinessForm(hours_open=["08:00", "", ""], hours_close=["16:00", "", ""])
    assert form.raw_fields()["opening_hours"] == "Mo-Su off; Mo 08:00-16:00"


def test_a_posted_form_fills_the_model_next_to_other_form_fields() -> None:
    """As the routes use it: the model reads its fields, csrf_token stays a parameter."""
    app = FastAPI()

    @app.post("/f")
    def post(
        form: Annotated[BusinessForm, Form()], csrf_token: Annotated[str, Form()] = ""
    ) -> dict[str, object]:
        return {"csrf": csrf_token, **form.raw_fields()}

    data = {
        "csrf_token": "t",
        "name": "Toko",
        "lat": "-6.3",
        "hours_open": ["08:00", ""],
        "hours_close": ["12:00", ""],
    }
    got = TestClient(app).post("/f", data=data).json()
    assert got["csrf"] == "t"
    assert got["name"] == "Toko"
    assert got["lat"] == "-6.3"
    assert got["category"] == ""
    assert got["opening_hours"] == "Mo-Su off; Mo 08:00-12:00"
