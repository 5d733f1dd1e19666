"""The directory's controlled vocabularies: statuses, delivery modes, referral routes, access.

Values are stored as they are written here, so renaming a member's value needs a migration.
"""

from __future__ import annotations

import enum


class ServiceStatus(enum.StrEnum):
    ACTIVE = "active"
    TEMPORARILY_CLOSED = "temporarily closed"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"


class DeliveryMode(enum.StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"
    HOME_VISIT = "home_visit"

    @property
    def label(self) -> str:
        return {
            "in_person": "In person",
            "phone": "By phone",
            "online": "Online",
            "home_visit": "Home visits",
        }[self.value]


class ReferralRoute(enum.StrEnum):
    DROP_IN = "drop_in"
    SELF_REFER = "self_refer"
    NEEDS_REFERRAL = "needs_referral"

    @property
    def label(self) -> str:
        return {
            "drop_in": "Just turn up",
            "self_refer": "Contact them yourself",
            "needs_referral": "You need to be referred",
        }[self.value]


class ModerationState(enum.StrEnum):
    """Ours: whether the public may see the record yet."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"


class AccessibilityFeature(enum.StrEnum):
    WHEELCHAIR = "wheelchair"
    STEP_FREE = "step_free"
    ACCESSIBLE_TOILET = "accessible_toilet"
    HEARING_LOOP = "hearing_loop"
    PARKING = "parking"
    BLUE_BADGE_PARKING = "blue_badge_parking"
    ASSISTANCE_DOGS = "assistance_dogs"
    LARGE_PRINT = "large_print"
    BSL = "bsl"

    @property
    def label(self) -> str:
        return {
            "wheelchair": "Wheelchair accessible",
            "step_free": "Step-free access",
            "accessible_toilet": "Accessible toilet",
            "hearing_loop": "Hearing loop",
            "parking": "Parking",
            "blue_badge_parking": "Blue Badge parking",
            "assistance_dogs": "Assistance dogs welcome",
            "large_print": "Large print available",
            "bsl": "British Sign Language",
        }[self.value]
