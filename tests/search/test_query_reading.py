"""Issue 12's search examples: synonyms mean one thing, correct words are not "corrected",
intent words become filters, an area named in q becomes the area filter, and the answer
says how the query was read (``interpretation``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.search.catalog import get_catalog
from directory.search.known_words import is_common_word
from directory.search.query_reading import DbVocabulary, read_query, typo_allowance
from directory.search.schemas import SearchPage
from tests.factories import make_business

BSD = (-6.3016, 106.6527)
PAMULANG = (-6.3428, 106.7386)
FAR = (-6.2050, 106.7990)  # Palmerah, 19 km away


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/businesses", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    SearchPage.model_validate(body)
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


def _full(body: dict[str, Any]) -> list[str]:
    """The names that match the query fully (before ``partial_from``)."""
    cut = (body.get("interpretation") or {}).get("partial_from")
    return _names(body)[:cut]


@pytest.fixture
def town(session: Session) -> dict[str, int]:
    """Coffee next to photocopiers, tea, juice and shops whose names are near misses."""
    rows: list[tuple[str, tuple[float, float], str, dict[str, Any]]] = [
        ("Kopi Senja", BSD, "kedai-kopi", {"price_level": "1", "opening_hours": "24/7"}),
        ("Kopi Kenangan BSD", (BSD[0] + 0.003, BSD[1]), "kedai-kopi", {"price_level": "2"}),
        ("Kopi Kenangan Pamulang", PAMULANG, "kedai-kopi", {"price_level": "2"}),
        ("Es Kopi Susu Temu", (BSD[0] + 0.004, BSD[1]), "kopi-kekinian", {"price_level": "1"}),
        ("Warkop Pak Darto", (BSD[0] + 0.005, BSD[1]), "warkop", {"price_level": "1"}),
        ("Kafe Ruang Kerja", (BSD[0] + 0.006, BSD[1]), "kafe",
         {"description": "Wifi kencang, colokan banyak, kopi dan teh."}),
        ("Foto Kopi Maju", (BSD[0] + 0.001, BSD[1]), "fotokopi-percetakan", {}),
        ("Fotocopy Berkah", (BSD[0] + 0.001, BSD[1] + 0.001), "fotokopi-percetakan", {}),
        ("Teh Manis Senja", (BSD[0] + 0.002, BSD[1]), "teh-boba", {"description": "Teh dan kopi"}),
        ("Jus Buah Segar", (BSD[0] + 0.002, BSD[1] + 0.001), "jus-minuman", {}),
        ("Toko Cat Merah", FAR, "toko-bangunan", {"price_level": "1"}),
        ("Toko Besi Harapan", (BSD[0] - 0.002, BSD[1]), "toko-bangunan", {}),
        ("Futsal Harapan", (BSD[0] - 0.003, BSD[1]), "futsal", {}),
        ("Bubur Ayam Pagi", (BSD[0] - 0.001, BSD[1]), "soto-bubur",
         {"opening_hours": "Mo-Su 06:00-11:00"}),
        ("Sate Malam Cak Mat", (BSD[0] - 0.004, BSD[1]), "sate",
         {"opening_hours": "Mo-Su 17:00-23:00"}),
        ("Digital Printing Banner Jaya", (BSD[0] - 0.004, BSD[1] + 0.001),
         "fotokopi-percetakan", {}),
        ("Mini Soccer Arena", (BSD[0] - 0.005, BSD[1]), "futsal", {}),
        ("Barber Gentlemen", (BSD[0] + 0.007, BSD[1]), "barbershop", {}),
        ("Pizza Roma", (BSD[0] + 0.008, BSD[1]), "cepat-saji", {}),
        ("Pizza Napoli", (BSD[0] + 0.008, BSD[1] + 0.001), "cepat-saji", {}),
        ("Pizza Bakar", (BSD[0] + 0.008, BSD[1] + 0.002), "cepat-saji", {}),
        ("Pita Kabob", (BSD[0] + 0.008, BSD[1] + 0.003), "restoran", {}),
        ("Bakso Mas Kumis", PAMULANG, "bakso-mie-ayam", {}),
    ]  # fmt: skip
    ids: dict[str, int] = {}
    for name, (lat, lon), cat, extra in rows:
        ids[name] = make_business(session, name=name, lat=lat, lon=lon, category=cat, **extra).id
    return ids


COFFEE = {"Kopi Senja", "Kopi Kenangan BSD", "Kopi Kenangan Pamulang", "Es Kopi Susu Temu",
          "Warkop Pak Darto"}  # fmt: skip
NOT_COFFEE = {"Foto Kopi Maju", "Fotocopy Berkah", "Teh Manis Senja", "Jus Buah Segar"}


@pytest.mark.parametrize("q", ["kopi", "ngopi", "coffee"])
def test_coffee_is_not_photocopy_tea_or_juice(client: TestClient, town: dict[str, int], q: str):
    names = _names(_search(client, q=q, lat=BSD[0], lon=BSD[1]))
    assert set(names) >= COFFEE, names
    assert not {"Fotocopy Berkah", "Teh Manis Senja", "Jus Buah Segar"} & set(names)
    # A name holding "foto kopi" means photocopying: it may trail, never lead.
    top = names[: len(COFFEE)]
    assert not NOT_COFFEE & set(top), top


def test_foto_kopi_is_photocopying(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="foto kopi")
    assert {"Foto Kopi Maju", "Fotocopy Berkah"} <= set(_names(body))
    assert not COFFEE & set(_names(body))
    assert body["interpretation"]["category"]["slug"] == "fotokopi-percetakan"


def test_kopi_murah_is_cheap_coffee_not_pal_merah(client: TestClient, town: dict[str, int]):
    body = _search(client, q="kopi murah", lat=BSD[0], lon=BSD[1])
    names = set(_full(body))
    assert names == {"Kopi Senja", "Es Kopi Susu Temu", "Warkop Pak Darto"}
    reading = body["interpretation"]
    assert reading["corrections"] == []
    assert reading["filters"]["price"] == [1]
    assert reading["text"] == []


def test_sarapan_is_breakfast_not_harapan(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="sarapan", lat=BSD[0], lon=BSD[1])
    assert _full(body) == ["Bubur Ayam Pagi"]
    assert not {"Toko Besi Harapan", "Futsal Harapan"} & set(_names(body))
    assert body["interpretation"]["filters"]["open_at"] == "07:00"
    assert body["interpretation"]["corrections"] == []


def test_dinner_is_food_open_at_dinner_time_not_banner(client: TestClient, town: dict[str, int]):
    body = _search(client, q="dinner", lat=BSD[0], lon=BSD[1])
    assert _full(body) == ["Sate Malam Cak Mat"]
    assert "Digital Printing Banner Jaya" not in _names(body)
    assert body["interpretation"]["filters"]["open_at"] == "19:00"
    assert body["interpretation"]["corrections"] == []


def test_halal_is_not_corrected(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="halal", lat=BSD[0], lon=BSD[1])
    assert body["interpretation"]["corrections"] == []
    assert "Futsal Harapan" not in _names(body)
    assert "Mini Soccer Arena" not in _names(body)


def test_dekat_sini_asks_for_the_point(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="dekat sini")
    assert body["items"] == []
    assert body["interpretation"]["needs_location"] is True
    assert body["interpretation"]["message"]
    assert body["interpretation"]["corrections"] == []


def test_dekat_sini_with_a_point_is_nearest_first(client: TestClient, town: dict[str, int]):
    body = _search(client, q="kopi dekat sini", lat=BSD[0], lon=BSD[1])
    assert body["sort"] == "distance"
    assert body["interpretation"]["filters"]["nearest_first"] is True
    distances = [item["distance_m"] for item in body["items"]]
    assert distances == sorted(distances)
    assert _names(body)[0] == "Kopi Senja"
    assert "Mini Soccer Arena" not in _names(body)


def test_kafe_buat_kerja_is_not_juice(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="kafe buat kerja", lat=BSD[0], lon=BSD[1])
    assert body["interpretation"]["corrections"] == []
    assert "Jus Buah Segar" not in _names(body)
    assert _names(body)[0] == "Kafe Ruang Kerja"


def test_haircut_finds_barbers(client: TestClient, town: dict[str, int]) -> None:
    assert _names(_search(client, q="haircut")) == ["Barber Gentlemen"]


def test_area_named_at_the_end(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="kopi kenangan bsd", lat=PAMULANG[0], lon=PAMULANG[1])
    assert _full(body) == ["Kopi Kenangan BSD"]
    reading = body["interpretation"]
    assert reading["area"]["slug"] == "bsd-city"
    assert reading["area"]["how"] == "alias"
    assert reading["area"]["phrase"] == "bsd"
    assert reading["text"] == ["kenangan"]
    assert body["area"]["slug"] == "bsd-city"


def test_area_anywhere_with_or_without_di(client: TestClient, town: dict[str, int]) -> None:
    for q in ("kopi di bsd", "bsd kopi", "kopi bsd"):
        body = _search(client, q=q)
        assert body["interpretation"]["area"]["slug"] == "bsd-city", q
        assert "Kopi Kenangan Pamulang" not in _full(body), q


def test_area_with_nothing_in_it_falls_back_and_says_so(client: TestClient, town: dict[str, int]):
    body = _search(client, q="bakso mas kumis bsd")
    assert _names(body) == ["Bakso Mas Kumis"]
    assert body["interpretation"]["area_relaxed"] is True


def test_literal_way_back_reads_area_as_text(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="kopi kenangan bsd", interpret="false")
    assert body["interpretation"]["area"] is None
    assert _names(body) == ["Kopi Kenangan BSD"]  # "bsd" matched in the name


def test_piza_means_pizza_not_pita(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="piza", lat=BSD[0], lon=BSD[1])
    assert set(_names(body)) == {"Pizza Roma", "Pizza Napoli", "Pizza Bakar"}
    assert body["interpretation"]["corrections"] == [{"word": "piza", "to": "pizza"}]


def test_category_values_accept_synonyms_and_names(client: TestClient, town: dict[str, int]):
    kopi = set(_names(_search(client, category="kopi")))
    assert kopi == COFFEE
    assert _names(_search(client, category="bakso")) == ["Bakso Mas Kumis"]
    assert set(_names(_search(client, category="Kedai Kopi"))) == {
        "Kopi Senja", "Kopi Kenangan BSD", "Kopi Kenangan Pamulang"
    }  # fmt: skip


def test_unknown_category_is_422_with_suggestions(client: TestClient, town: dict[str, int]):
    response = client.get("/api/v1/businesses", params={"category": "bengkell"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "category"
    assert any(s["slug"].startswith("bengkel") for s in body["suggestions"])


def test_24_jam_is_open_around_the_clock(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="kopi 24 jam")
    assert _full(body) == ["Kopi Senja"]
    assert body["interpretation"]["filters"]["open_24h"] is True


def test_autocomplete_ranks_names_that_start_with_the_text_first(
    client: TestClient, town: dict[str, int]
) -> None:
    body = client.get("/api/v1/autocomplete", params={"q": "kop"}).json()
    kinds = [(s["kind"], s["name"]) for s in body["suggestions"]]
    # Categories named "Kopi …" start with the text; businesses come after them unless
    # their own name starts with it too; nothing that merely contains it comes first.
    assert kinds[0][0] == "category"
    assert kinds[0][1].lower().startswith("kop")
    pizza = client.get("/api/v1/autocomplete", params={"q": "pizza"}).json()
    assert {s["name"] for s in pizza["suggestions"] if s["kind"] == "business"} == {
        "Pizza Roma", "Pizza Napoli", "Pizza Bakar"
    }  # fmt: skip


def test_autocomplete_prefix_is_not_a_typo(client: TestClient, town: dict[str, int]) -> None:
    body = client.get("/api/v1/autocomplete", params={"q": "kop"}).json()
    assert all(not b["name"].startswith("Kos") for b in body["businesses"])
    assert {b["name"] for b in body["businesses"]} <= COFFEE | {"Foto Kopi Maju"}
    bsd = client.get("/api/v1/autocomplete", params={"q": "bsd"}).json()
    assert all(c["slug"] != "sekolah" for c in bsd["categories"])
    assert bsd["areas"][0]["slug"] == "bsd-city"


# ----------------------------------------------------------------- typo policy (unit)


@pytest.mark.parametrize(
    ("typed", "candidate", "allowed"),
    [("sini", "mini", 0), ("buat", "buah", 0), ("piza", "pizza", 1), ("murah", "merah", 1),
     ("bengkle", "bengkel", 1), ("pharmacyy", "pharmacy", 2), ("restaurnt", "restaurant", 2)],
)  # fmt: skip
def test_typo_allowance(typed: str, candidate: str, allowed: int) -> None:
    assert typo_allowance(typed, candidate) == allowed


@pytest.mark.parametrize("word", ["murah", "sarapan", "dinner", "halal", "buat", "kerja"])
def test_everyday_words_are_known(word: str) -> None:
    assert is_common_word(word)


@pytest.mark.parametrize("word", ["piza", "chineese", "bengkle", "coffe"])
def test_slips_are_not_known(word: str) -> None:
    assert not is_common_word(word)


def test_known_words_are_never_replaced(session: Session, town: dict[str, int]) -> None:
    catalog = get_catalog(session)
    for q in ("kopi murah", "sarapan", "dinner", "halal", "dekat sini", "kafe buat kerja"):
        reading = read_query(DbVocabulary(session), catalog, q)
        assert reading.corrections == [], q
        for word in reading.words:
            assert all(t == word.token or t.startswith(word.token) for t in word.terms), q


def test_unknown_words_are_corrected_closest_then_commonest(
    session: Session, town: dict[str, int]
) -> None:
    catalog = get_catalog(session)
    reading = read_query(DbVocabulary(session), catalog, "bengkle motor")
    assert ("bengkle", "bengkel") in reading.corrections
    assert reading.categories
    assert reading.categories[0].phrase == "bengkel motor"
    (piza,) = read_query(DbVocabulary(session), catalog, "piza", prefix_last=False).words
    assert set(piza.terms) == {"piza", "pizza"}
    assert piza.terms["piza"] > piza.terms["pizza"]  # exact beats corrected


# Name vs category evidence, corroboration, and short first pages filled with what the
# query means more loosely (issue 12, relevance goals on real data).


def test_a_business_of_the_category_beats_one_that_only_names_it(
    client: TestClient, session: Session
) -> None:
    """For "bank" the bank branch is what was meant, though the "ATM Bank …" is nearer."""
    make_business(session, name="ATM Bank Arta", lat=BSD[0], lon=BSD[1], category="atm")
    make_business(session, name="Bank Arta Cabang Serpong", lat=BSD[0] + 0.003, lon=BSD[1],
                  category="bank")  # fmt: skip
    names = _names(_search(client, q="bank", lat=BSD[0], lon=BSD[1]))
    assert names == ["Bank Arta Cabang Serpong", "ATM Bank Arta"]


def test_name_and_description_agreeing_come_first(client: TestClient, session: Session) -> None:
    """A restaurant whose name and menu both say "biryani" before one whose name only does,
    even a little farther away; a menu alone still matches, after both."""
    make_business(session, name="Biryani Corner", lat=BSD[0], lon=BSD[1], category="restoran",
                  description="Cuisines: Chinese, North Indian")  # fmt: skip
    make_business(session, name="Biryani House", lat=BSD[0] + 0.0005, lon=BSD[1],
                  category="restoran", description="Cuisines: Biryani, Mughlai")  # fmt: skip
    make_business(session, name="Rumi's Kitchen", lat=BSD[0] + 0.001, lon=BSD[1],
                  category="restoran", description="Cuisines: Biryani, Lucknowi")  # fmt: skip
    names = _names(_search(client, q="biryani", lat=BSD[0], lon=BSD[1]))
    assert names == ["Biryani House", "Biryani Corner", "Rumi's Kitchen"]


def test_short_page_is_filled_from_outside_the_area_named_in_q(
    client: TestClient, town: dict[str, int]
) -> None:
    body = _search(client, q="kopi kenangan bsd", lat=BSD[0], lon=BSD[1], limit=10)
    reading = body["interpretation"]
    assert reading["partial_from"] == 1
    names = _names(body)
    assert names[:1] == ["Kopi Kenangan BSD"]
    # Then the namesake just outside BSD, then other coffee places — never photocopiers.
    assert names[1] == "Kopi Kenangan Pamulang"
    assert set(names[2:]) <= COFFEE
    assert not NOT_COFFEE & set(names)
    assert body["next_cursor"] is None


def test_an_area_parameter_is_never_filled_from_outside(
    client: TestClient, town: dict[str, int]
) -> None:
    """The page is filled with other coffee places in BSD, never from Pamulang."""
    body = _search(client, q="kopi kenangan", area="bsd-city", lat=BSD[0], lon=BSD[1])
    assert _full(body) == ["Kopi Kenangan BSD"]
    assert body["interpretation"]["partial_from"] == 1
    assert set(_names(body)[1:]) == COFFEE - {"Kopi Kenangan BSD", "Kopi Kenangan Pamulang"}


def test_filters_read_from_words_come_first_then_the_rest(
    client: TestClient, town: dict[str, int]
) -> None:
    """For "kopi murah": the cheap coffee places, then — marked — the other ones."""
    body = _search(client, q="kopi murah", lat=BSD[0], lon=BSD[1], limit=10)
    cut = body["interpretation"]["partial_from"]
    names = _names(body)
    assert set(names[:cut]) == {"Kopi Senja", "Es Kopi Susu Temu", "Warkop Pak Darto"}
    assert set(names[cut:]) == {"Kopi Kenangan BSD", "Kopi Kenangan Pamulang"}


def test_a_full_page_is_not_filled(client: TestClient, town: dict[str, int]) -> None:
    body = _search(client, q="kopi", lat=BSD[0], lon=BSD[1], limit=3)
    assert body["interpretation"]["partial_from"] is None
    assert body["next_cursor"] is not None


def test_filling_keeps_the_kind_of_place(client: TestClient, session: Session) -> None:
    """One station: the page is not filled with boarding houses "dekat stasiun" (another
    kind of place), but a restaurant listing "Korean" fills a Korean search's page."""
    make_business(session, name="Stasiun Sudimara", lat=BSD[0] + 0.05, lon=BSD[1],
                  category="stasiun")  # fmt: skip
    make_business(session, name="Kos Melati", lat=BSD[0], lon=BSD[1], category="kos-guest-house",
                  description="Kamar AC, dekat kampus dan stasiun.")  # fmt: skip
    body = _search(client, q="stasiun", lat=BSD[0], lon=BSD[1])
    assert _names(body) == ["Stasiun Sudimara"]

    make_business(session, name="Gung The Palace", lat=BSD[0] + 0.02, lon=BSD[1],
                  category="masakan-korea")  # fmt: skip
    make_business(session, name="Bamboo Boat", lat=BSD[0], lon=BSD[1], category="restoran",
                  description="Cuisines: Japanese, Korean, Vietnamese")  # fmt: skip
    make_business(session, name="Ruang Belajar", lat=BSD[0], lon=BSD[1], category="kursus",
                  description="Kursus bahasa Korean dan Jepang")  # fmt: skip
    body = _search(client, q="korean", lat=BSD[0], lon=BSD[1])
    assert _names(body) == ["Gung The Palace", "Bamboo Boat"]
    assert body["interpretation"]["partial_from"] == 1


def test_a_relaxed_query_keeps_the_kind_of_place(client: TestClient, session: Session) -> None:
    """No warkop is called "Pak Kumis": other warkops answer "warkop pak kumis", not the
    nearer food stall of that name; page 2 stays with warkops too."""
    make_business(session, name="Warung Pak Kumis", lat=BSD[0], lon=BSD[1],
                  category="warung-makan")  # fmt: skip
    make_business(session, name="Warkop Pak Slamet", lat=BSD[0] + 0.01, lon=BSD[1],
                  category="warkop")  # fmt: skip
    make_business(session, name="Warkop Pak Darto", lat=BSD[0] + 0.02, lon=BSD[1],
                  category="warkop")  # fmt: skip
    make_business(session, name="Warkop Bu Sri", lat=BSD[0] + 0.03, lon=BSD[1],
                  category="warkop")  # fmt: skip
    body = _search(client, q="warkop pak kumis", lat=BSD[0], lon=BSD[1])
    assert body["relaxed"] is True
    assert _names(body) == ["Warkop Pak Slamet", "Warkop Pak Darto", "Warkop Bu Sri"]

    first = _search(client, q="warkop pak kumis", lat=BSD[0], lon=BSD[1], limit=1)
    assert _names(first) == ["Warkop Pak Slamet"]
    second = _search(client, q="warkop pak kumis", lat=BSD[0], lon=BSD[1], limit=1,
                     cursor=first["next_cursor"])  # fmt: skip
    assert _names(second) == ["Warkop Pak Darto"]

    # With no place of the kind named matching any word, the namesake is still found.
    body = _search(client, q="laundry pak kumis", lat=BSD[0], lon=BSD[1])
    assert _names(body)[0] == "Warung Pak Kumis"


def test_words_typed_together_and_found_together_come_first(
    client: TestClient, session: Session
) -> None:
    """For "ice cream" the dessert shop whose menu says "Ice Cream" before the nearer one
    selling Indian sweets, both filed under desserts; for "healthy food" the menu saying
    "Healthy Food" before the nearer one holding "healthy" and "food" apart."""
    make_business(session, name="Mithai Corner", lat=BSD[0], lon=BSD[1], category="es-dessert",
                  description="Cuisines: Mithai, Street Food")  # fmt: skip
    make_business(session, name="Scoops", lat=BSD[0] + 0.00225, lon=BSD[1],
                  category="es-dessert", description="Cuisines: Ice Cream, Desserts")  # fmt: skip
    assert _names(_search(client, q="ice cream", lat=BSD[0], lon=BSD[1]))[:2] == [
        "Scoops", "Mithai Corner"
    ]  # fmt: skip

    make_business(session, name="Dapur Nusantara", lat=BSD[0], lon=BSD[1] + 0.01,
                  category="restoran",
                  description="Cuisines: Healthy Snacks, Fast Food")  # fmt: skip
    make_business(session, name="Rasa Hijau", lat=BSD[0] + 0.0009, lon=BSD[1] + 0.01,
                  category="restoran", description="Cuisines: Healthy Food, Salad")  # fmt: skip
    body = _search(client, q="healthy food", lat=BSD[0], lon=BSD[1] + 0.01)
    assert _names(body)[:2] == ["Rasa Hijau", "Dapur Nusantara"]
