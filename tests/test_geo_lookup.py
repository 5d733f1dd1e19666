"""Postcode/outcode/place lookup: normalisation, resolving, distances and boxes."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle

from search_index.geo import (
    MILES_TO_KM,
    PlaceNotFound,
    bounding_box,
    distance_km,
    normalise_outcode,
    normalise_postcode,
    place_name_key,
    resolve_place,
)
from search_index.geo_models import Outcode, Place, Postcode
from signpost.extensions import db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pe30 1ex", "PE30 1EX"),
        ("  PE301EX ", "PE30 1EX"),
        ("pe30   1ex", "PE30 1EX"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("W1A 0AX", "W1A 0AX"),
        ("TQ1\t1AA", "TQ1 1AA"),
    ],
)
def test_normalise_postcode_accepts_any_case_and_spacing(text: str, expected: str) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["", "PE30", "PE30 1E", "PE30 1EXX", "12345", "hello", "1PE 1EX", "PE30 EX1"]
)
def test_normalise_postcode_rejects_what_is_not_postcode_shaped(text: str) -> None:
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pe30", "PE30"),
        (" sw1a ", "SW1A"),
        ("m1", "M1"),
        ("TQ1", "TQ1"),
        ("PE30 1EX", None),
        ("30PE", None),
        ("", None),
        ("Lynn", None),
        ("PE300", None),
    ],
)
def test_normalise_outcode(text: str, expected: str | None) -> None:
    assert normalise_outcode(text) == expected


def test_place_name_key_forgives_case_spacing_punctuation_and_saint() -> None:
    assert (
        place_name_key("King's Lynn")
        == place_name_key("kings  lynn")
        == place_name_key("KINGS-LYNN")
    )
    assert place_name_key("St. Ives") == place_name_key("Saint Ives") == place_name_key("st ives")
    assert place_name_key("Àird Tobha") == place_name_key("aird tobha")
    assert place_name_key("Stoke-on-Trent") == "stokeontrent"
    assert place_name_key("Norwich") != place_name_key("Northwich")


def test_distance_km_matches_great_circle() -> None:
    kings_lynn, norwich = (52.7517, 0.3954), (52.6289, 1.2933)
    expected = great_circle(kings_lynn, norwich).km
    assert distance_km(*kings_lynn, *norwich) == pytest.approx(expected, rel=1e-6)
    assert 61 < expected < 63
    assert distance_km(*norwich, *norwich) == 0
    assert distance_km(0, 0, 0, 1) / MILES_TO_KM == pytest.approx(
        69.09, rel=1e-3
    )  # a degree in miles


def test_bounding_box_contains_every_point_within_the_radius() -> None:
    lat, lon, radius = 52.75, 0.40, 8.0
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius)
    # Points just inside the radius due north, south, east and west are inside the box...
    step = radius * 0.999
    for bearing in (0, 90, 180, 270):
        dest = great_circle(kilometers=step).destination((lat, lon), bearing)
        assert min_lat <= dest.latitude <= max_lat
        assert min_lon <= dest.longitude <= max_lon
    # ...and the box is not much bigger than it needs to be.
    north = great_circle(kilometers=radius * 1.01).destination((lat, lon), 0)
    east = great_circle(kilometers=radius * 1.01).destination((lat, lon), 90)
    assert north.latitude > max_lat
    assert east.longitude > max_lon


@pytest.fixture
def geo_facts(app) -> None:  # noqa: ANN001
    db.session.add_all(
        [
            Postcode(
                postcode="PE30 1EX",
                outcode="PE30",
                latitude=52.7567,
                longitude=0.3972,
                district_code="E07000146",
            ),
            Postcode(postcode="TQ1 1AA", outcode="TQ1", latitude=50.4644, longitude=-3.5262),
            Outcode(
                outcode="PE30",
                latitude=52.7597,
                longitude=0.4166,
                town="King's Lynn",
                postcode_count=1,
            ),
            Outcode(
                outcode="TQ1", latitude=50.47, longitude=-3.52, town="Torquay", postcode_count=1
            ),
            Outcode(
                outcode="PE31", latitude=52.85, longitude=0.55, town="King's Lynn", postcode_count=0
            ),
            Place(
                name="King's Lynn",
                name_key=place_name_key("King's Lynn"),
                kind="town",
                latitude=52.752,
                longitude=0.3954,
                rank=400_000_000,
                county="King's Lynn and West Norfolk",
            ),
            Place(
                name="Newport",
                name_key="newport",
                kind="village",
                latitude=52.9,
                longitude=0.5,
                rank=300_000_500,
            ),
            Place(
                name="Newport",
                name_key="newport",
                kind="city",
                latitude=51.5877,
                longitude=-2.9984,
                rank=500_000_100,
            ),
            Place(
                name="Newport",
                name_key="newport",
                kind="town",
                latitude=50.7,
                longitude=-1.29,
                rank=400_900_000,
            ),
            Place(
                name="St Ives",
                name_key=place_name_key("St Ives"),
                kind="town",
                latitude=50.2,
                longitude=-5.48,
                rank=400_010_000,
            ),
            Place(
                name="St Ives",
                name_key=place_name_key("St Ives"),
                kind="town",
                latitude=52.32,
                longitude=-0.07,
                rank=400_020_000,
            ),
        ]
    )
    db.session.commit()


@pytest.mark.usefixtures("geo_facts")
@pytest.mark.parametrize("text", ["PE30 1EX", "pe301ex", " pe30  1ex ", "PE30 1EX, King's Lynn"])
def test_resolve_full_postcode_exactly(text: str) -> None:
    place = resolve_place(text)
    assert (place.label, place.kind, place.outcode) == ("PE30 1EX", "postcode", "PE30")
    assert (place.latitude, place.longitude) == (52.7567, 0.3972)
    assert place.approximate is False and place.note is None


@pytest.mark.usefixtures("geo_facts")
def test_unknown_postcode_in_a_known_outcode_falls_back_to_the_outcode_centre_and_says_so() -> None:
    place = resolve_place("pe30 9zz")
    assert (place.label, place.kind, place.outcode, place.approximate) == (
        "PE30",
        "outcode",
        "PE30",
        True,
    )
    assert (place.latitude, place.longitude) == (52.7597, 0.4166)
    assert (
        place.note
        == "We could not find the postcode PE30 9ZZ, so we used the middle of the PE30 area."
    )


@pytest.mark.usefixtures("geo_facts")
def test_unknown_postcode_in_an_unknown_outcode_is_not_found_with_a_plain_message() -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place("zz99 9zz")
    assert (
        str(caught.value)
        == "We could not find the postcode ZZ99 9ZZ. Check it, or try a town name."
    )


@pytest.mark.usefixtures("geo_facts")
def test_resolve_outcode_and_unknown_outcode() -> None:
    place = resolve_place(" pe31 ")
    assert (place.label, place.kind, place.outcode) == ("PE31", "outcode", "PE31")
    assert resolve_place("PE31, Norfolk") == place
    assert (place.latitude, place.longitude) == (52.85, 0.55)
    with pytest.raises(PlaceNotFound, match="We could not find the postcode area ZZ9. Check it"):
        resolve_place("zz9")


@pytest.mark.usefixtures("geo_facts")
@pytest.mark.parametrize("text", ["King's Lynn", "kings lynn", "KINGS-LYNN", "Kings Lynn, Norfolk"])
def test_resolve_town_forgives_case_spacing_and_punctuation(text: str) -> None:
    place = resolve_place(text)
    assert (place.label, place.kind) == ("King's Lynn", "place")
    assert (place.latitude, place.longitude) == (52.752, 0.3954)
    assert place.outcode == "PE30"  # the nearest outcode centre


@pytest.mark.usefixtures("geo_facts")
def test_shared_names_prefer_the_higher_ranked_place() -> None:
    assert resolve_place("newport").latitude == 51.5877  # the city, not the town or village
    assert resolve_place("Saint Ives").latitude == 52.32  # the better-ranked of two towns


@pytest.mark.usefixtures("geo_facts")
def test_place_far_from_any_outcode_has_no_outcode() -> None:
    place = resolve_place("Newport")
    assert place.outcode is None  # no outcode centre loaded within 40 km of Newport (Wales)


@pytest.mark.usefixtures("geo_facts")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Xyzzy",
            "We could not find a place called 'Xyzzy'. Check the spelling, or try a postcode.",
        ),
        ("   ", "Enter a postcode, or the name of a town or village."),
        ("!!!", "We could not find a place called '!!!'. Check the spelling, or try a postcode."),
    ],
)
def test_unrecognised_text_says_so_plainly(text: str, message: str) -> None:
    with pytest.raises(PlaceNotFound) as caught:
        resolve_place(text)
    assert str(caught.value) == message
    assert isinstance(caught.value, LookupError)


def test_where_command_prints_the_point_or_the_message(runner, geo_facts) -> None:  # noqa: ANN001
    result = runner.invoke(args=["where", "pe30", "1ex"])
    assert result.exit_code == 0
    assert "PE30 1EX (postcode): 52.75670, 0.39720, outcode PE30" in result.output
    result = runner.invoke(args=["where", "Xyzzy"])
    assert result.exit_code == 1
    assert "We could not find a place called 'Xyzzy'" in result.output
