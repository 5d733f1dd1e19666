"""Social prescribing's controlled vocabularies, each value with the words people are shown.

Forms offer ``Member.choices()``, templates show ``member.label``, operations check a value with
``Member.parse``. Values are stored as written here, so renaming one needs a migration. The
referral's states and the follow-up kinds live with the state machine in
``prescribing.workflow``.
"""

from __future__ import annotations

from signpost.vocabulary import Vocabulary


class ReferralSource(Vocabulary):
    GP_PRACTICE = "gp_practice", "GP practice"
    OTHER_NHS = "other_nhs", "Other NHS service"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    POLICE_FIRE = "police_fire", "Police or fire service"
    JOB_CENTRE = "job_centre", "Jobcentre"
    PHONE_LINE = "phone_line", "Phone line"
    SELF_REFERRAL = "self_referral", "Self-referral"


class Urgency(Vocabulary):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"

    @property
    def contact_within(self) -> str:
        """How soon the team aims to make contact."""
        return "within two working days" if self is Urgency.URGENT else "within two weeks"


class ContactPreference(Vocabulary):
    """How the person would like to be contacted."""

    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class ContactMethod(Vocabulary):
    """How a coordinator tried to reach the person."""

    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Visit"


class ContactOutcome(Vocabulary):
    """What came of a contact attempt."""

    SPOKE = "spoke", "Spoke to the person"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    SENT = "sent", "Message or letter sent"

    @property
    def successful(self) -> bool:
        """Only speaking to the person counts as making contact."""
        return self is ContactOutcome.SPOKE


class CloseOutcome(Vocabulary):
    GOALS_MET = "goals_met", "Goals met"
    OWN_SUPPORT_NETWORK = "own_support_network", "Has own support network"
    REFERRED_ON = "referred_on", "Referred on"
    DECLINED = "declined", "Declined"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    MOVED_AWAY = "moved_away", "Moved away"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class GoalStatus(Vocabulary):
    """A goal's result at the six-week review."""

    OPEN = "open", "Still working on it"
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class SuggestionStatus(Vocabulary):
    """How a suggested service went."""

    SUGGESTED = "suggested", "Suggested"
    CONTACTED = "contacted", "Person contacted the service"
    ATTENDING = "attending", "Attending"
    NOT_TAKEN_UP = "not_taken_up", "Not taken up"

    @property
    def used(self) -> bool:
        """The person got in touch with the service or goes to it (what the referrer is told)."""
        return self in (SuggestionStatus.CONTACTED, SuggestionStatus.ATTENDING)


class OnwardKind(Vocabulary):
    BUDDY = "buddy", "Buddy or volunteer service"
    HEALTHY_LIFESTYLES = "healthy_lifestyles", "Healthy lifestyles team"
    BACK_TO_GP = "back_to_gp", "Back to the GP (a health need)"
    EARLY_HELP = "early_help", "Children's early help panel"
    ADULT_SAFEGUARDING = "adult_safeguarding", "Adult safeguarding"

    @property
    def is_safeguarding(self) -> bool:
        return self in (OnwardKind.EARLY_HELP, OnwardKind.ADULT_SAFEGUARDING)


class MeasureKind(Vocabulary):
    SWEMWBS = "swemwbs", "SWEMWBS"
    ONS4 = "ons4", "ONS4"
    PROFILE = "profile", "Life areas profile"


class MeasureStage(Vocabulary):
    BASELINE = "baseline", "Baseline"
    THREE_WEEK = "three_week", "Three weeks"
    SIX_WEEK = "six_week", "Six weeks"
    OTHER = "other", "Other"
