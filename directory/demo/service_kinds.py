"""What each kind of demo service looks like, and the sentence pools its text is built from.

A kind gives name, summary and description templates, the terms and audiences it is filed under,
how it is delivered and reached, typical opening times, ages and costs. Templates may use
{town}, {venue}, {street}, {org}, {day} (e.g. "Tuesdays"), {weekday} (e.g. "Tuesday") and {area}
(e.g. "West Norfolk").
The kinds themselves are in kinds_community.py and kinds_support.py; build.py joins them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# One opening span: (day, opens, closes, notes). day is 0-6 (Monday is 0), "d" for a weekday the
# builder picks, "d2" for a second, different one, "s" for Saturday or Sunday, "wk" for
# Monday to Friday and "all" for every day. A span that closes at or before it opens runs past
# midnight; 00:00 to 00:00 is open all day.
Span = tuple[int | str, str, str, str | None]


@dataclass(frozen=True)
class Cost:
    option: str
    amount: str  # a decimal, e.g. "3.50"
    description: str


@dataclass(frozen=True)
class Kind:
    key: str
    terms: tuple[str, ...]
    audiences: tuple[str, ...]
    names: tuple[str, ...]
    summaries: tuple[str, ...]
    openers: tuple[str, ...]
    details: tuple[str, ...]
    modes: tuple[str, ...] = ("in_person",)
    referral: str = "drop_in"
    schedules: tuple[tuple[Span, ...], ...] = ()
    ages: tuple[int | None, int | None] | None = None
    eligibility: str | None = None
    costs: tuple[Cost, ...] = ()
    fees: str | None = None
    venue_tags: tuple[str, ...] = ("hall", "centre", "church")
    application: str | None = None
    mobile_phone: bool = False
    languages: tuple[tuple[str, str], ...] = field(default=())
    place_lines: tuple[str, ...] = ()  # instead of PLACE_LINES, e.g. for libraries and walks


# How to get the service, by referral route, when the kind has no words of its own.
APPLICATION = {
    "drop_in": (
        "Just come along; there is no need to book.",
        "No need to book or be referred: turn up at the start and someone will say hello.",
        "You can simply drop in. If it is your first time, let the volunteer on the door know.",
    ),
    "self_refer": (
        "Phone or email to book a place; you do not need a referral.",
        "Get in touch yourself by phone or email and we will arrange things with you.",
        "Contact us directly. A relative, friend or carer can also get in touch for you.",
    ),
    "needs_referral": (
        "Ask your GP, social prescriber or support worker to refer you.",
        "We take referrals from GP practices, social prescribers, hospital teams and social care.",
        "You need to be referred by a practitioner such as a GP, nurse or link worker.",
    ),
}

# Second-paragraph sentences shared by every kind, so 300 services do not read alike.
WELCOME = (
    "Everyone is welcome, whatever their background.",
    "Newcomers are always welcome and nobody is expected to join in with everything.",
    "People often come along on their own the first time, and a volunteer will look after you.",
    "You are welcome to bring a friend, relative or carer with you.",
    "If you have any access needs, tell us beforehand and we will do our best to help.",
    "Regulars say the best part is the chat, so do stay for a cup of tea.",
    "The group is run by local volunteers who know the area well.",
    "If you are not sure whether it is for you, give us a ring for a chat first.",
)
REMOTE_WELCOME = (
    "If you would rather, a relative, friend or carer can get in touch for you.",
    "Out of hours, leave a message and we will get back to you.",
    "Everything you tell us is kept confidential.",
    "If you have hearing loss, tell us and we will find another way to talk.",
    "Calls cost the same as a call to any ordinary landline number.",
)
PLACE_LINES = (
    "We meet at {venue} in {town}.",
    "Sessions take place at {venue}, {town}.",
    "You will find us at {venue}.",
    "The group meets at {venue}, which is easy to reach by bus.",
)
REMOTE_LINES = (
    "We cover {town} and the surrounding villages.",
    "This service covers the whole of {area}.",
    "Available to people living in {town} and nearby.",
    "We help people across {area}, wherever they live.",
)
CLOSED_ALERTS = (
    "Closed while the hall is being refurbished. We hope to reopen soon; phone for news.",
    "Paused for now while we recruit new volunteers. The phone line is still answered.",
    "Closed for the summer break. Sessions will restart in September.",
    "Temporarily closed because of building work at the venue.",
)
LANGUAGE_SETS = {
    "norfolk": (
        (("English", "en"), ("Polish", "pl")),
        (("English", "en"), ("Lithuanian", "lt"), ("Latvian", "lv")),
        (("English", "en"), ("Portuguese", "pt")),
        (("English", "en"), ("British Sign Language", "bfi")),
    ),
    "torbay": (
        (("English", "en"), ("Polish", "pl")),
        (("English", "en"), ("Romanian", "ro")),
        (("English", "en"), ("British Sign Language", "bfi")),
    ),
}

# Common opening patterns, reused by several kinds.
DAYTIME = (
    (("d", "10:00", "12:00", None),),
    (("d", "13:30", "15:30", None),),
    (("d", "10:00", "12:00", None), ("d2", "14:00", "16:00", None)),
    (("d", "10:30", "12:30", "First and third week of the month"),),
)
OFFICE_HOURS = (
    (("wk", "09:00", "17:00", None),),
    (("wk", "09:30", "16:30", None),),
    (("wk", "09:00", "13:00", None), ("d", "14:00", "19:00", "Late opening")),
)
EVENING = (
    (("d", "18:30", "20:30", None),),
    (("d", "19:00", "21:00", None),),
    (("d", "18:00", "20:00", "Term time only"),),
)
