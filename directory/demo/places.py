"""Where the demo area is: towns and villages, postcode districts and venues.

Two areas: West Norfolk around King's Lynn (borough of King's Lynn and West Norfolk) and Torbay
(Torquay, Paignton, Brixham). Town and outcode centroids are approximate public facts (WGS84,
to about 100 m). Venues are made up; their postcodes are shaped like real ones in the right
district, and their coordinates sit a few hundred metres from the town centre.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

KINGS_LYNN_LA = "E07000146"  # King's Lynn and West Norfolk (GSS code)
TORBAY_LA = "E06000027"
LOCAL_AUTHORITY_NAMES = {
    KINGS_LYNN_LA: "King's Lynn and West Norfolk",
    TORBAY_LA: "Torbay",
    "E07000010": "Fenland",
    "E07000143": "Breckland",
    "E07000045": "Teignbridge",
    "E07000044": "South Hams",
}


@dataclass(frozen=True)
class Town:
    key: str
    name: str
    county: str
    kind: str  # town, village or suburb (the Place.kind)
    latitude: float
    longitude: float
    outcode: str
    la_code: str

    @property
    def region(self) -> str:
        return "norfolk" if self.outcode.startswith("PE") else "torbay"


def _t(
    key: str, name: str, county: str, kind: str, lat: float, lon: float, outcode: str, la: str
) -> Town:
    return Town(key, name, county, kind, lat, lon, outcode, la)


_N, _D, _K, _T = "Norfolk", "Devon", KINGS_LYNN_LA, TORBAY_LA
TOWNS: dict[str, Town] = {
    t.key: t
    for t in (
        _t("kings-lynn", "King's Lynn", _N, "town", 52.7540, 0.3980, "PE30", _K),
        _t("gaywood", "Gaywood", _N, "suburb", 52.7610, 0.4250, "PE30", _K),
        _t("south-wootton", "South Wootton", _N, "village", 52.7770, 0.4300, "PE30", _K),
        _t("north-wootton", "North Wootton", _N, "village", 52.7920, 0.4230, "PE30", _K),
        _t("west-lynn", "West Lynn", _N, "suburb", 52.7500, 0.3830, "PE34", _K),
        _t("clenchwarton", "Clenchwarton", _N, "village", 52.7560, 0.3540, "PE34", _K),
        _t("terrington", "Terrington St Clement", _N, "village", 52.7530, 0.2970, "PE34", _K),
        _t("hunstanton", "Hunstanton", _N, "town", 52.9400, 0.4920, "PE36", _K),
        _t("heacham", "Heacham", _N, "village", 52.9060, 0.4930, "PE31", _K),
        _t("snettisham", "Snettisham", _N, "village", 52.8790, 0.5000, "PE31", _K),
        _t("dersingham", "Dersingham", _N, "village", 52.8440, 0.5140, "PE31", _K),
        _t("docking", "Docking", _N, "village", 52.9030, 0.6290, "PE31", _K),
        _t("burnham-market", "Burnham Market", _N, "village", 52.9440, 0.7240, "PE31", _K),
        _t("grimston", "Grimston", _N, "village", 52.7730, 0.5450, "PE32", _K),
        _t("castle-acre", "Castle Acre", _N, "village", 52.7030, 0.6880, "PE32", _K),
        _t("marham", "Marham", _N, "village", 52.6470, 0.5320, "PE33", _K),
        _t("watlington", "Watlington", _N, "village", 52.6740, 0.3890, "PE33", _K),
        _t("stoke-ferry", "Stoke Ferry", _N, "village", 52.5700, 0.5110, "PE33", _K),
        _t("downham-market", "Downham Market", _N, "town", 52.6020, 0.3840, "PE38", _K),
        _t("hilgay", "Hilgay", _N, "village", 52.5610, 0.3940, "PE38", _K),
        _t("emneth", "Emneth", _N, "village", 52.6410, 0.2070, "PE14", _K),
        _t("walsoken", "Walsoken", _N, "village", 52.6720, 0.1800, "PE14", _K),
        _t("wisbech", "Wisbech", "Cambridgeshire", "town", 52.6660, 0.1590, "PE13", "E07000010"),
        _t("swaffham", "Swaffham", _N, "town", 52.6480, 0.6870, "PE37", "E07000143"),
        _t("torquay", "Torquay", _D, "town", 50.4640, -3.5250, "TQ1", _T),
        _t("babbacombe", "Babbacombe", _D, "suburb", 50.4770, -3.5150, "TQ1", _T),
        _t("st-marychurch", "St Marychurch", _D, "suburb", 50.4800, -3.5270, "TQ1", _T),
        _t("ellacombe", "Ellacombe", _D, "suburb", 50.4700, -3.5300, "TQ1", _T),
        _t("wellswood", "Wellswood", _D, "suburb", 50.4660, -3.5080, "TQ1", _T),
        _t("torre", "Torre", _D, "suburb", 50.4700, -3.5400, "TQ2", _T),
        _t("chelston", "Chelston", _D, "suburb", 50.4600, -3.5490, "TQ2", _T),
        _t("shiphay", "Shiphay", _D, "suburb", 50.4770, -3.5610, "TQ2", _T),
        _t("watcombe", "Watcombe", _D, "suburb", 50.4900, -3.5300, "TQ2", _T),
        _t("paignton", "Paignton", _D, "town", 50.4350, -3.5640, "TQ4", _T),
        _t("preston", "Preston", _D, "suburb", 50.4470, -3.5600, "TQ3", _T),
        _t("marldon", "Marldon", _D, "village", 50.4550, -3.5920, "TQ3", _T),
        _t("goodrington", "Goodrington", _D, "suburb", 50.4220, -3.5670, "TQ4", _T),
        _t("collaton", "Collaton St Mary", _D, "village", 50.4310, -3.5960, "TQ4", _T),
        _t("brixham", "Brixham", _D, "town", 50.3950, -3.5150, "TQ5", _T),
        _t("churston", "Churston Ferrers", _D, "village", 50.3990, -3.5410, "TQ5", _T),
        _t("newton-abbot", "Newton Abbot", _D, "town", 50.5290, -3.6100, "TQ12", "E07000045"),
        _t("kingskerswell", "Kingskerswell", _D, "village", 50.4990, -3.5800, "TQ12", "E07000045"),
        _t("totnes", "Totnes", _D, "town", 50.4310, -3.6850, "TQ9", "E07000044"),
        _t("dartmouth", "Dartmouth", _D, "town", 50.3510, -3.5790, "TQ6", "E07000044"),
    )
}

# Postcode districts: (outcode, latitude, longitude, post town). The demo area and its neighbours.
OUTCODES: tuple[tuple[str, float, float, str], ...] = (
    ("PE30", 52.7620, 0.4180, "King's Lynn"),
    ("PE31", 52.9000, 0.5800, "King's Lynn"),
    ("PE32", 52.7400, 0.6200, "King's Lynn"),
    ("PE33", 52.6200, 0.4700, "King's Lynn"),
    ("PE34", 52.7450, 0.2900, "King's Lynn"),
    ("PE35", 52.8290, 0.5100, "Sandringham"),
    ("PE36", 52.9350, 0.4950, "Hunstanton"),
    ("PE37", 52.6500, 0.6900, "Swaffham"),
    ("PE38", 52.5900, 0.3900, "Downham Market"),
    ("PE13", 52.6700, 0.1500, "Wisbech"),
    ("PE14", 52.6300, 0.2300, "Wisbech"),
    ("TQ1", 50.4720, -3.5170, "Torquay"),
    ("TQ2", 50.4750, -3.5500, "Torquay"),
    ("TQ3", 50.4450, -3.5800, "Paignton"),
    ("TQ4", 50.4200, -3.5750, "Paignton"),
    ("TQ5", 50.3900, -3.5200, "Brixham"),
    ("TQ6", 50.3500, -3.5900, "Dartmouth"),
    ("TQ9", 50.4200, -3.7000, "Totnes"),
    ("TQ12", 50.5200, -3.6200, "Newton Abbot"),
)

# The districts a service covering "the whole area" of each region lists.
REGION_OUTCODES = {
    "norfolk": ("PE30", "PE31", "PE32", "PE33", "PE34", "PE35", "PE36", "PE38", "PE14"),
    "torbay": ("TQ1", "TQ2", "TQ3", "TQ4", "TQ5"),
}
REGION_LA = {"norfolk": KINGS_LYNN_LA, "torbay": TORBAY_LA}
REGION_NAMES = {"norfolk": "West Norfolk", "torbay": "Torbay"}
OUTCODE_TOWNS = {code: town for code, _lat, _lon, town in OUTCODES}
# How a service area reads on a service page.
OUTCODE_LABELS = {
    "PE30": "PE30 King's Lynn, Gaywood and the Woottons",
    "PE31": "PE31 Heacham, Snettisham, Dersingham",
    "PE32": "PE32 Grimston and Castle Acre",
    "PE33": "PE33 Watlington and Marham",
    "PE34": "PE34 Terrington and West Lynn",
    "PE35": "PE35 Sandringham",
    "PE36": "PE36 Hunstanton",
    "PE37": "PE37 Swaffham",
    "PE38": "PE38 Downham Market",
    "PE13": "PE13 Wisbech",
    "PE14": "PE14 Emneth and Walsoken",
    "TQ1": "TQ1 Torquay east and Babbacombe",
    "TQ2": "TQ2 Torquay west",
    "TQ3": "TQ3 Paignton north and Preston",
    "TQ4": "TQ4 Paignton south",
    "TQ5": "TQ5 Brixham",
}


@dataclass(frozen=True)
class Venue:
    key: str
    name: str
    town: str  # a TOWNS key
    address_1: str
    postcode: str
    tag: str  # hall, church, library, centre, outdoor, garden, cafe, office
    features: tuple[str, ...] = ()  # AccessibilityFeature values
    transport: str | None = None


_ALL = ("wheelchair", "step_free", "accessible_toilet", "hearing_loop", "parking")
_BASIC = ("wheelchair", "step_free", "accessible_toilet")

VENUES: tuple[Venue, ...] = (
    # King's Lynn, Gaywood and the Woottons
    Venue(
        "kl-library",
        "King's Lynn Library",
        "kings-lynn",
        "London Road",
        "PE30 5EZ",
        "library",
        (*_BASIC, "hearing_loop", "large_print", "assistance_dogs"),
        "Five minutes' walk from the bus station.",
    ),
    Venue(
        "kl-riverside",
        "Riverside Community Centre",
        "kings-lynn",
        "12 South Quay",
        "PE30 5DT",
        "centre",
        _ALL,
        "Pay-and-display parking on the quay.",
    ),
    Venue(
        "kl-tuesday-rooms",
        "Tuesday Market Community Rooms",
        "kings-lynn",
        "3 Tuesday Market Place",
        "PE30 1JN",
        "hall",
        ("wheelchair", "step_free", "hearing_loop"),
    ),
    Venue(
        "kl-st-johns",
        "St John's Church Hall",
        "kings-lynn",
        "Blackfriars Road",
        "PE30 1NT",
        "church",
        ("step_free", "accessible_toilet"),
    ),
    Venue(
        "kl-friars",
        "Friars Street Methodist Hall",
        "kings-lynn",
        "48 Friars Street",
        "PE30 5AP",
        "church",
        ("wheelchair", "step_free"),
    ),
    Venue(
        "kl-fairstead",
        "Fairstead Community Hub",
        "kings-lynn",
        "Centre Point, Fairstead Estate",
        "PE30 4SE",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "kl-walks",
        "The Walks (meet by the bandstand)",
        "kings-lynn",
        "The Walks, Guanock Terrace",
        "PE30 5QT",
        "outdoor",
        ("step_free", "parking"),
    ),
    Venue(
        "kl-hub",
        "Norfolk Street Advice Hub",
        "kings-lynn",
        "101 Norfolk Street",
        "PE30 1AQ",
        "office",
        (*_BASIC, "hearing_loop", "bsl"),
    ),
    Venue(
        "kl-allotments",
        "Hardings Way Allotments",
        "kings-lynn",
        "Hardings Way",
        "PE30 5RW",
        "garden",
        ("parking",),
    ),
    Venue(
        "gay-centre",
        "Gaywood Community Centre",
        "gaywood",
        "Lynn Road",
        "PE30 4PY",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "gay-church",
        "St Faith's Church Hall",
        "gaywood",
        "Gayton Road",
        "PE30 4DZ",
        "church",
        ("wheelchair", "step_free", "parking"),
    ),
    Venue(
        "sw-hall",
        "South Wootton Village Hall",
        "south-wootton",
        "Church Lane",
        "PE30 3LJ",
        "hall",
        (*_ALL, "assistance_dogs"),
    ),
    Venue(
        "nw-pavilion",
        "North Wootton Pavilion",
        "north-wootton",
        "Manor Road",
        "PE30 3PZ",
        "hall",
        ("step_free", "parking"),
    ),
    # West of the river
    Venue(
        "wl-hall",
        "West Lynn Community Hall",
        "west-lynn",
        "Clenchwarton Road",
        "PE34 3LH",
        "hall",
        _BASIC,
    ),
    Venue(
        "cl-hall",
        "Clenchwarton Village Hall",
        "clenchwarton",
        "Main Road",
        "PE34 4DT",
        "hall",
        (*_BASIC, "parking"),
    ),
    Venue(
        "ter-centre",
        "Terrington Community Centre",
        "terrington",
        "Churchgate Way",
        "PE34 4LZ",
        "centre",
        _ALL,
    ),
    Venue(
        "ter-church",
        "St Clement's Church Rooms",
        "terrington",
        "Church Road",
        "PE34 4NG",
        "church",
        ("step_free",),
    ),
    # North coast
    Venue(
        "hun-library",
        "Hunstanton Library",
        "hunstanton",
        "Westgate",
        "PE36 5EL",
        "library",
        (*_BASIC, "large_print", "hearing_loop"),
    ),
    Venue(
        "hun-centre",
        "Hunstanton Community Centre",
        "hunstanton",
        "Avenue Road",
        "PE36 5BW",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "hun-green",
        "The Green (meet by the clock)",
        "hunstanton",
        "The Green",
        "PE36 6BQ",
        "outdoor",
        ("step_free", "parking"),
    ),
    Venue("hea-hall", "Heacham Public Hall", "heacham", "Station Road", "PE31 7EX", "hall", _ALL),
    Venue(
        "hea-chapel",
        "Heacham Methodist Chapel Rooms",
        "heacham",
        "Lynn Road",
        "PE31 7JF",
        "church",
        ("step_free", "accessible_toilet"),
    ),
    Venue(
        "sne-hall",
        "Snettisham Memorial Hall",
        "snettisham",
        "Lynn Road",
        "PE31 7LS",
        "hall",
        (*_BASIC, "parking"),
    ),
    Venue(
        "der-centre",
        "Dersingham Community Centre",
        "dersingham",
        "Manor Road",
        "PE31 6LN",
        "centre",
        (*_ALL, "assistance_dogs"),
    ),
    Venue(
        "doc-hall",
        "Docking Village Hall",
        "docking",
        "Station Road",
        "PE31 8LS",
        "hall",
        ("step_free", "parking"),
    ),
    Venue(
        "bur-hall",
        "Burnham Market Village Hall",
        "burnham-market",
        "Creake Road",
        "PE31 8EN",
        "hall",
        ("wheelchair", "step_free", "parking"),
    ),
    # East and south
    Venue(
        "gri-hall",
        "Grimston Village Hall",
        "grimston",
        "Gayton Road",
        "PE32 1BG",
        "hall",
        (*_BASIC, "parking"),
    ),
    Venue(
        "ca-hall",
        "Castle Acre Village Hall",
        "castle-acre",
        "Pales Green",
        "PE32 2AL",
        "hall",
        ("step_free",),
    ),
    Venue(
        "mar-centre",
        "Marham Community Centre",
        "marham",
        "The Street",
        "PE33 9JQ",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "wat-hall",
        "Watlington Village Hall",
        "watlington",
        "Thieves Bridge Road",
        "PE33 0HL",
        "hall",
        _ALL,
    ),
    Venue(
        "sf-hall",
        "Stoke Ferry Village Hall",
        "stoke-ferry",
        "Lynn Road",
        "PE33 9SW",
        "hall",
        ("step_free", "parking"),
    ),
    Venue(
        "dm-library",
        "Downham Market Library",
        "downham-market",
        "Priory Road",
        "PE38 9JS",
        "library",
        (*_BASIC, "hearing_loop", "large_print"),
    ),
    Venue(
        "dm-town-hall",
        "Downham Town Hall Rooms",
        "downham-market",
        "Bridge Street",
        "PE38 9DW",
        "hall",
        ("wheelchair", "step_free", "hearing_loop"),
    ),
    Venue(
        "dm-centre",
        "Howdale Community Centre",
        "downham-market",
        "Howdale Road",
        "PE38 9AL",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "dm-church",
        "St Edmund's Church Hall",
        "downham-market",
        "Church Road",
        "PE38 9NE",
        "church",
        ("step_free", "accessible_toilet"),
    ),
    Venue(
        "hil-hall",
        "Hilgay Village Hall",
        "hilgay",
        "Church Road",
        "PE38 0JL",
        "hall",
        ("step_free", "parking"),
    ),
    Venue("emn-hall", "Emneth Village Hall", "emneth", "Church Road", "PE14 8AF", "hall", _ALL),
    Venue(
        "wal-centre",
        "Walsoken Community Room",
        "walsoken",
        "Wisbech Road",
        "PE14 7BU",
        "centre",
        _BASIC,
    ),
    # Torquay
    Venue(
        "tq-library",
        "Torquay Library",
        "torquay",
        "Lymington Road",
        "TQ1 3DT",
        "library",
        (*_BASIC, "hearing_loop", "large_print", "assistance_dogs"),
    ),
    Venue(
        "tq-harbour",
        "Harbourside Community Rooms",
        "torquay",
        "7 Victoria Parade",
        "TQ1 2BD",
        "centre",
        ("wheelchair", "step_free", "hearing_loop"),
    ),
    Venue(
        "tq-union",
        "Union Street Advice Centre",
        "torquay",
        "84 Union Street",
        "TQ1 3DA",
        "office",
        (*_BASIC, "hearing_loop", "bsl"),
    ),
    Venue(
        "tq-abbey",
        "Abbey Meadows (meet by the café)",
        "torquay",
        "Torbay Road",
        "TQ2 5HA",
        "outdoor",
        ("step_free", "blue_badge_parking"),
    ),
    Venue(
        "tq-central-church",
        "Central Church Hall",
        "torquay",
        "Tor Hill Road",
        "TQ2 5RF",
        "church",
        ("wheelchair", "step_free", "accessible_toilet"),
    ),
    Venue(
        "bab-hall",
        "Babbacombe Community Hall",
        "babbacombe",
        "Babbacombe Road",
        "TQ1 3SZ",
        "hall",
        _ALL,
    ),
    Venue(
        "smc-church",
        "St Marychurch Parish Rooms",
        "st-marychurch",
        "Fore Street",
        "TQ1 4PR",
        "church",
        ("step_free",),
    ),
    Venue(
        "ell-centre",
        "Ellacombe Community Centre",
        "ellacombe",
        "Ellacombe Green",
        "TQ1 1SW",
        "centre",
        (*_ALL, "assistance_dogs"),
    ),
    Venue(
        "wel-hall",
        "Wellswood Village Hall",
        "wellswood",
        "Ilsham Road",
        "TQ1 2JG",
        "hall",
        ("step_free", "parking"),
    ),
    Venue("tor-centre", "Torre Community Hub", "torre", "Avenue Road", "TQ2 5LF", "centre", _ALL),
    Venue(
        "che-hall",
        "Chelston Parish Hall",
        "chelston",
        "Old Mill Road",
        "TQ2 6HW",
        "church",
        ("wheelchair", "step_free"),
    ),
    Venue(
        "shi-centre",
        "Shiphay Community Centre",
        "shiphay",
        "Shiphay Lane",
        "TQ2 7DU",
        "centre",
        (*_ALL, "blue_badge_parking"),
    ),
    Venue(
        "wat-centre", "Watcombe Family Centre", "watcombe", "Moor Lane", "TQ2 8NU", "centre", _BASIC
    ),
    Venue(
        "tq-gardens",
        "Windmill Hill Community Garden",
        "watcombe",
        "Windmill Hill Road",
        "TQ2 8HA",
        "garden",
        ("parking",),
    ),
    # Paignton and around
    Venue(
        "pa-library",
        "Paignton Library",
        "paignton",
        "Great Western Road",
        "TQ4 5AG",
        "library",
        (*_BASIC, "hearing_loop", "large_print"),
    ),
    Venue(
        "pa-palace",
        "Palace Avenue Community Rooms",
        "paignton",
        "18 Palace Avenue",
        "TQ3 3HF",
        "centre",
        ("wheelchair", "step_free", "hearing_loop"),
    ),
    Venue(
        "pa-church",
        "Christ Church Hall",
        "paignton",
        "Torquay Road",
        "TQ3 2AH",
        "church",
        ("step_free", "accessible_toilet"),
    ),
    Venue(
        "pa-green",
        "Paignton Green (meet by the pier)",
        "paignton",
        "Esplanade Road",
        "TQ4 6BN",
        "outdoor",
        ("step_free", "parking"),
    ),
    Venue("pre-hall", "Preston Community Hall", "preston", "Seaway Lane", "TQ3 2NS", "hall", _ALL),
    Venue(
        "mar-hall",
        "Marldon Village Hall",
        "marldon",
        "Village Road",
        "TQ3 1NE",
        "hall",
        (*_BASIC, "parking"),
    ),
    Venue(
        "goo-centre",
        "Goodrington Family Hub",
        "goodrington",
        "Cliff Park Road",
        "TQ4 6LP",
        "centre",
        (*_ALL, "assistance_dogs"),
    ),
    Venue(
        "col-hall",
        "Collaton St Mary Church Rooms",
        "collaton",
        "Totnes Road",
        "TQ4 7PW",
        "church",
        ("step_free", "parking"),
    ),
    # Brixham
    Venue(
        "bx-library",
        "Brixham Library",
        "brixham",
        "Market Street",
        "TQ5 8EU",
        "library",
        (*_BASIC, "large_print"),
    ),
    Venue("bx-quay", "Quayside Community Centre", "brixham", "New Road", "TQ5 8NB", "centre", _ALL),
    Venue(
        "bx-chapel",
        "Fore Street Chapel Rooms",
        "brixham",
        "Fore Street",
        "TQ5 8DS",
        "church",
        ("step_free",),
    ),
    Venue(
        "bx-berry",
        "Berry Head Road car park (meet at the gate)",
        "brixham",
        "Berry Head Road",
        "TQ5 9AW",
        "outdoor",
        ("parking",),
    ),
    Venue(
        "chu-hall",
        "Churston Village Hall",
        "churston",
        "Churston Road",
        "TQ5 0LA",
        "hall",
        (*_BASIC, "parking"),
    ),
)

VENUES_BY_TOWN: dict[str, list[Venue]] = {}
for _venue in VENUES:
    VENUES_BY_TOWN.setdefault(_venue.town, []).append(_venue)


def stable_number(*parts: str) -> int:
    """A number that depends only on the text given: the demo's source of variation."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def venue_point(venue: Venue) -> tuple[float, float]:
    """The venue's latitude and longitude: the town centre moved by up to ~350 m, the same every run."""
    town = TOWNS[venue.town]
    n = stable_number("venue-point", venue.key)
    dlat = ((n % 1000) / 1000 - 0.5) * 0.0062  # about ±345 m
    dlon = (((n // 1000) % 1000) / 1000 - 0.5) * 0.0090  # about ±300 m at 50–53°N
    return round(town.latitude + dlat, 6), round(town.longitude + dlon, 6)
