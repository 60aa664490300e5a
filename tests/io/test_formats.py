"""Reading and writing import files: CSV, GeoJSON (streamed) and JSON Lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.io import geojson_stream
from directory.io.errors import FormatError, RowError
from directory.io.formats import (
    FileFormat,
    RecordReader,
    RecordWriter,
    escape_formula,
    estimate_records,
    format_for,
    format_number,
    is_formula,
    unescape_formula,
)
from directory.io.geojson_stream import GeoJSONError, iter_features

COLUMNS = ("external_id", "name", "lat", "lon", "description")

# Text as it can be stored: no lone surrogates (never valid UTF-8).
stored_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)


def read_all(
    path: Path, *, required: tuple[str, ...] = (), point: bool = False
) -> list[tuple[int, dict[str, str], list[str]]]:
    with RecordReader(path, columns=COLUMNS, required=required, point=point) as reader:
        return [(r.line, r.values, [f"{e.field}: {e.message}" for e in r.errors]) for r in reader]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.csv", FileFormat.CSV),
        ("a.CSV", FileFormat.CSV),
        ("a.geojson", FileFormat.GEOJSON),
        ("a.json", FileFormat.GEOJSON),
        ("a.jsonl", FileFormat.JSONL),
        ("a.ndjson", FileFormat.JSONL),
    ],
)
def test_format_follows_the_extension(name: str, fmt: FileFormat) -> None:
    assert format_for(Path(name)) is fmt


def test_unknown_extension_is_a_file_error() -> None:
    with pytest.raises(FormatError, match=r"unknown file type '\.xlsx'"):
        format_for(Path("businesses.xlsx"))


# ------------------------------------------------------------------ formula escaping


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+62812", "+62812"),  # an E.164 phone is data, not a formula
        ("+6281234567890", "+6281234567890"),
        ("-6.3016", "-6.3016"),
        ("'+62812", "'+62812"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-1+2", "'-1+2"),
        ("+62812=1", "'+62812=1"),
        ("-minus", "'-minus"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'plain", "'plain"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_formula_cells_get_one_apostrophe(text: str, escaped: str) -> None:
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text


@given(stored_text)
def test_unescape_inverts_escape(text: str) -> None:
    assert unescape_formula(escape_formula(text)) == text


@given(stored_text)
def test_escaped_text_never_starts_a_formula(text: str) -> None:
    escaped = escape_formula(text)
    assert not is_formula(escaped)
    if escaped[:1] in set("+-"):  # only a plain signed number may start with a sign
        assert escaped[1:].replace(" ", "").replace(".", "").isdigit()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (106.6527, "106.6527"),
        (-6.30160004, "-6.3016"),
        (-6.3, "-6.3"),
        (4.5, "4.5"),
        (4.0, "4"),
        (12, "12"),
        (0.0, "0"),
        (-0.0, "0"),
        (-0.00000001, "0"),
        (1e-7, "0.0000001"),
    ],
)
def test_numbers_are_written_canonically(value: float, text: str) -> None:
    assert format_number(value) == text


@given(st.floats(min_value=-180, max_value=180, allow_nan=False))
def test_canonical_numbers_are_stable(value: float) -> None:
    text = format_number(value)
    assert format_number(float(text)) == text


# ------------------------------------------------------------------ CSV


def test_csv_records_know_their_start_line(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        'name,lat,lon,description\nKopi A,-6.3,106.6,"two\nlines"\n\nKopi B,-6.31,106.61,\n',
        encoding="utf-8",
    )
    records = read_all(path)
    assert [(line, v["name"]) for line, v, _ in records] == [(2, "Kopi A"), (5, "Kopi B")]
    assert records[0][1]["description"] == "two\nlines"


def test_csv_header_is_case_insensitive_and_may_start_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("\ufeffName , LAT,lon\nKopi,-6.3,106.6\n".encode())
    [(_, values, errors)] = read_all(path, required=("name", "lat", "lon"))
    assert values == {"name": "Kopi", "lat": "-6.3", "lon": "106.6"}
    assert errors == []


def test_csv_without_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name,lat\nKopi,-6.3\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 1: missing required column\\(s\\): lon"):
        read_all(path, required=("name", "lat", "lon"))


def test_csv_unknown_columns_are_listed_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name,lat,lon,colour\nKopi,-6.3,106.6,red\n", encoding="utf-8")
    with RecordReader(path, columns=COLUMNS) as reader:
        assert reader.ignored_columns == ("colour",)
        assert [r.values for r in reader] == [{"name": "Kopi", "lat": "-6.3", "lon": "106.6"}]


def test_csv_repeated_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name,lat,lon,name\n", encoding="utf-8")
    with pytest.raises(FormatError, match="repeated column"):
        read_all(path)


def test_csv_row_with_wrong_cell_count_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name,lat,lon\nKopi,-6.3,106.6,extra\n", encoding="utf-8")
    [(line, _, errors)] = read_all(path)
    assert line == 2
    assert errors == ["row: has 4 cells but the header has 3 columns"]


def test_csv_invalid_utf8_is_reported_on_its_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"name,lat,lon,description\nKopi,-6.3,106.6,ok\nKopi \xff,-6.3,106.6,ok\n")
    records = read_all(path)
    assert records[0][2] == []
    assert records[1][0] == 3
    assert records[1][2] == ["name: is not valid UTF-8 (byte 0xff)"]


def test_csv_nul_bytes_and_megabyte_fields_are_read(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    big = "x" * 1_000_000
    path.write_text(f"name,lat,lon,description\nKo\x00pi,-6.3,106.6,{big}\n", encoding="utf-8")
    [(_, values, errors)] = read_all(path)
    assert values["name"] == "Ko\x00pi"
    assert len(values["description"]) == 1_000_000
    assert errors == []


def test_csv_broken_quoting_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text('name,lat,lon\nKopi,-6.3,106.6\n"Kopi"x,1,2\n', encoding="utf-8")
    with pytest.raises(FormatError, match="line 3"):
        read_all(path)


def test_csv_strips_the_formula_escape_on_read(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("name,lat,lon\n'=cmd,-6.3,106.6\n'plain,-6.3,106.6\n", encoding="utf-8")
    assert [v["name"] for _, v, _ in read_all(path)] == ["=cmd", "'plain"]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FormatError, match="empty"):
        read_all(path)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot read"):
        read_all(tmp_path / "missing.csv")


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_values_become_text_and_bad_lines_are_row_errors(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(
        '{"name": "Kopi", "lat": -6.3, "lon": 106.6, "external_id": 7}\n'
        "\n"
        "[1, 2]\n"
        "{not json\n"
        '{"name": {"x": 1}, "lat": true, "lon": null}\n',
        encoding="utf-8",
    )
    records = read_all(path)
    assert records[0] == (
        1,
        {"name": "Kopi", "lat": "-6.3", "lon": "106.6", "external_id": "7"},
        [],
    )
    assert records[1][0] == 3
    assert records[1][2] == ["row: is not a JSON object"]
    assert records[2][0] == 4
    assert records[2][2][0].startswith("row: is not valid JSON")
    assert records[3][2] == ["name: must be text or a number", "lat: must be text or a number"]


def test_jsonl_invalid_utf8_is_a_field_error(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b'{"name": "Kopi \xc3", "lat": 1, "lon": 2}\n')
    [(line, _, errors)] = read_all(path)
    assert line == 1
    assert errors == ["name: is not valid UTF-8 (byte 0xc3)"]


# ------------------------------------------------------------------ GeoJSON


def _collection(features: list[object], **extra: object) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}, indent=1)


def _point(lon: float, lat: float, **props: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def test_geojson_points_supply_lat_and_lon(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    text = _collection(
        [
            _point(106.6527, -6.3016, name="Kopi"),
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}},
            {"type": "Nope"},
        ]
    )
    path.write_text(text, encoding="utf-8")
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  {"]
    records = read_all(path, point=True)
    assert records[0][1] == {"name": "Kopi", "lat": "-6.3016", "lon": "106.6527"}
    assert records[1][2] == ["geometry: must be a Point, not Polygon"]
    assert records[2][2] == ["feature: is not a GeoJSON Feature object"]
    assert [line for line, _, _ in records] == starts


def test_geojson_type_must_be_feature_collection(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "Feature", "features": []}', encoding="utf-8")
    with pytest.raises(GeoJSONError, match="FeatureCollection"):
        read_all(path, point=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a GeoJSON object"),
        ('{"type": "FeatureCollection"}', 'no "features" array'),
        ('{"type": "FeatureCollection", "features": [{}', "not valid JSON|expected"),
        ('{"type": "FeatureCollection", "features": []} x', "unexpected text"),
        ('{"type": "FeatureCollection", "features": {}}', "features array"),
    ],
)
def test_broken_geojson_is_a_file_error(text: str, message: str) -> None:
    with pytest.raises(GeoJSONError, match=message):
        list(iter_features(io.StringIO(text)))


@settings(max_examples=60, deadline=None)
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": st.dictionaries(
                    st.text(max_size=5),
                    st.one_of(st.integers(), st.floats(allow_nan=False), stored_text, st.none()),
                    max_size=4,
                ),
            }
        ),
        max_size=8,
    ),
    chunk=st.integers(min_value=1, max_value=64),
    indent=st.sampled_from([None, 0, 2]),
)
def test_streamed_features_equal_json_load(
    features: list[dict[str, object]], chunk: int, indent: int | None
) -> None:
    text = json.dumps(
        {"bbox": [1, 2, 3, 4], "features": features, "type": "FeatureCollection"}, indent=indent
    )
    original = geojson_stream.CHUNK_CHARS
    geojson_stream.CHUNK_CHARS = chunk  # type: ignore[misc]
    try:
        streamed = list(iter_features(io.StringIO(text)))
    finally:
        geojson_stream.CHUNK_CHARS = original  # type: ignore[misc]
    assert [f.data for f in streamed] == json.loads(text)["features"]
    assert [f.number for f in streamed] == list(range(1, len(features) + 1))


# ------------------------------------------------------------------ writing


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".jsonl"])
@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "external_id": st.one_of(st.none(), stored_text.filter(bool)),
                "name": stored_text.filter(bool),
                "lat": st.floats(min_value=-90, max_value=90).map(lambda x: round(x, 7)),
                "lon": st.floats(min_value=-180, max_value=180).map(lambda x: round(x, 7)),
                "description": st.one_of(st.none(), stored_text.filter(bool)),
            }
        ),
        max_size=5,
    )
)
def test_written_records_read_back_unchanged(
    tmp_path_factory: pytest.TempPathFactory, suffix: str, rows: list[dict[str, object]]
) -> None:
    path = tmp_path_factory.mktemp("w") / f"out{suffix}"
    writer = RecordWriter(path, columns=COLUMNS, point=True)
    for row in rows:
        writer.write(row)  # type: ignore[arg-type]
    assert writer.commit() == len(rows)
    records = read_all(path, point=True)
    assert [e for _, _, e in records] == [[]] * len(rows)
    for row, (_, values, _) in zip(rows, records, strict=True):
        expected = {k: v for k, v in row.items() if v is not None and k not in ("lat", "lon")}
        got = {k: v for k, v in values.items() if k not in ("lat", "lon")}
        # an empty CSV cell and a JSON null both read as "" (present and empty)
        got = {k: v for k, v in got.items() if v != ""}
        assert got == expected
        assert float(values["lat"]) == pytest.approx(row["lat"], abs=1e-7)
        assert float(values["lon"]) == pytest.approx(row["lon"], abs=1e-7)


def test_csv_writer_escapes_text_but_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    writer = RecordWriter(path, columns=COLUMNS)
    writer.write({"name": "-Kopi", "lat": -6.3, "lon": 106.65, "description": "=x"})
    writer.commit()
    assert path.read_bytes().split(b"\r\n")[1] == b",'-Kopi,-6.3,106.65,'=x"


def test_discarded_export_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    writer = RecordWriter(path, columns=COLUMNS)
    writer.write({"name": "Kopi"})
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_estimate_counts_records(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("name\na\nb\nc\n", encoding="utf-8")
    geo = tmp_path / "a.geojson"
    geo.write_text(_collection([_point(1, 2), _point(3, 4)]), encoding="utf-8")
    assert estimate_records(csv_path) == 3
    assert estimate_records(geo) == 2


def test_row_error_reads_as_one_line() -> None:
    assert str(RowError(12, "lat", "must be between -90 and 90")) == (
        "line 12: lat: must be between -90 and 90"
    )
    assert str(RowError(3, "name", "is required", feature=2)) == (
        "line 3 (feature 2): name: is required"
    )
