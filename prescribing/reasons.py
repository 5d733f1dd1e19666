"""The coded list of reasons for a social prescribing referral (shown as plain words)."""

REFERRAL_REASONS: dict[str, str] = {
    "loneliness": "Loneliness or social isolation",
    "low_mood": "Low mood, anxiety or stress",
    "bereavement": "Bereavement",
    "money": "Money, debt or benefits worries",
    "housing": "Housing problems",
    "carer": "Caring for someone",
    "long_term_condition": "Living with a long-term condition",
    "physical_activity": "Wanting to be more active",
    "weight_lifestyle": "Weight, diet, smoking or alcohol",
    "memory": "Memory problems",
    "employment": "Work, training or volunteering",
    "frequent_attender": "Frequent visits to the GP practice for non-medical reasons",
    "transport": "Getting around",
    "relationships": "Family or relationship difficulties",
    "other": "Something else",
}
