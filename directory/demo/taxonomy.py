"""The demo's two taxonomies: what a service is (categories) and who it is for (audiences).

Each entry is (slug, name, description). Slugs are unique across both taxonomies because browse
pages look a term up by slug alone; audience slugs start with "for-".
"""

from __future__ import annotations

Term = tuple[str, str, str]

# Root category, then its child terms. Services are linked to the child terms.
CATEGORIES: tuple[tuple[Term, tuple[Term, ...]], ...] = (
    (
        ("food", "Food", "Meals in good company, emergency food and places to share surplus food."),
        (
            ("lunch-clubs", "Lunch clubs", "A hot meal and company, usually once or twice a week."),
            ("food-banks", "Food banks", "Emergency food parcels, usually with a voucher."),
            (
                "community-fridges",
                "Community fridges and pantries",
                "Surplus food anyone can take, or low-cost pantry shopping.",
            ),
        ),
    ),
    (
        (
            "money-and-benefits",
            "Money and benefits",
            "Free, confidential help with debts, benefits, bills and paperwork.",
        ),
        (
            ("debt-advice", "Debt advice", "Help to sort out debts and deal with people you owe."),
            (
                "benefits-advice",
                "Benefits advice",
                "Checking what you can claim and help to claim it.",
            ),
            ("help-with-forms", "Help with forms", "Someone to sit with you and fill in forms."),
        ),
    ),
    (
        (
            "health-and-wellbeing",
            "Health and wellbeing",
            "Staying active, feeling better and getting support when life is hard.",
        ),
        (
            (
                "exercise-and-falls-prevention",
                "Exercise and falls prevention",
                "Classes that build strength and balance.",
            ),
            (
                "chair-based-exercise",
                "Chair-based exercise",
                "Gentle exercise you can do sitting down.",
            ),
            ("walking-groups", "Walking groups", "Friendly led walks at an easy pace."),
            (
                "mental-health-support",
                "Mental health peer support",
                "Groups and listening lines run by people who understand.",
            ),
            ("bereavement-support", "Bereavement support", "Support after someone close has died."),
            (
                "healthy-lifestyles",
                "Healthy lifestyles",
                "Help to eat well, move more and drink less.",
            ),
            (
                "stop-smoking",
                "Stop smoking",
                "Free support and treatment to help you stop smoking.",
            ),
            (
                "home-from-hospital",
                "Home from hospital",
                "Practical help in the first weeks after a hospital stay.",
            ),
        ),
    ),
    (
        (
            "company-and-social-activities",
            "Company and social activities",
            "Ways to meet people, make friends and enjoy a shared interest.",
        ),
        (
            ("befriending", "Befriending", "Regular friendly calls or visits from a volunteer."),
            ("social-clubs", "Social clubs", "Clubs and get-togethers for company and fun."),
            (
                "arts-and-crafts",
                "Arts and crafts",
                "Painting, knitting, crafts and making together.",
            ),
            ("choirs-and-music", "Choirs and music", "Singing groups and music for all abilities."),
            (
                "gardening-and-allotments",
                "Gardening and allotments",
                "Community gardens, allotment groups and growing food.",
            ),
            ("mens-sheds", "Men's sheds", "Workshops where people make, mend and chat."),
            (
                "faith-groups",
                "Faith-based community groups",
                "Community activities run by churches and other faith groups, open to all.",
            ),
        ),
    ),
    (
        ("carers", "Carers", "Support for people who look after a relative, partner or friend."),
        (
            (
                "carers-support",
                "Support for carers",
                "Advice, groups and breaks for people who care for someone.",
            ),
            ("young-carers", "Young carers", "Support and time out for children who care at home."),
        ),
    ),
    (
        (
            "memory-and-dementia",
            "Memory and dementia",
            "Support for people living with memory loss or dementia, and their families.",
        ),
        (
            (
                "dementia-cafes",
                "Dementia cafés",
                "Relaxed get-togethers for people with dementia and carers.",
            ),
            (
                "memory-groups",
                "Memory groups",
                "Activities that keep the mind active and spirits up.",
            ),
        ),
    ),
    (
        ("getting-around", "Getting around", "Transport and lifts when buses are not an option."),
        (
            (
                "community-transport",
                "Community transport",
                "Door-to-door minibuses and dial-a-ride.",
            ),
            (
                "lifts-to-appointments",
                "Lifts to appointments",
                "Volunteer drivers for hospital, GP and dentist visits.",
            ),
        ),
    ),
    (
        (
            "families-and-children",
            "Families and children",
            "Groups and support for parents, babies and young children.",
        ),
        (
            ("baby-groups", "Baby groups", "Groups for parents and carers with babies."),
            ("toddler-groups", "Toddler groups", "Play sessions for toddlers and their grown-ups."),
            ("parenting-support", "Parenting support", "Courses and support for parents."),
        ),
    ),
    (
        (
            "young-people",
            "Young people",
            "Places to go and support for teenagers and young adults.",
        ),
        (
            ("youth-clubs", "Youth clubs", "Evening clubs with activities and youth workers."),
            (
                "youth-support",
                "Support for young people",
                "Someone to talk to about school, home, feelings or the future.",
            ),
        ),
    ),
    (
        (
            "learning-and-volunteering",
            "Learning and volunteering",
            "Learn something new, get online or give your time.",
        ),
        (
            ("volunteering", "Volunteering", "Ways to help out in your community."),
            (
                "digital-skills",
                "Digital skills",
                "Help with phones, tablets, computers and the internet.",
            ),
            ("libraries", "Libraries", "Books, computers, events and a warm welcome."),
        ),
    ),
    (
        ("housing", "Housing", "Help to find, keep and look after a home."),
        (
            (
                "housing-advice",
                "Housing advice",
                "Advice on renting, homelessness and staying put.",
            ),
            (
                "home-repairs",
                "Home repairs and adaptations",
                "Small repairs, grab rails and safety checks at home.",
            ),
        ),
    ),
    (
        ("staying-safe", "Staying safe", "Help if you feel unsafe, or need someone on your side."),
        (
            (
                "domestic-abuse-support",
                "Domestic abuse support",
                "Confidential help for anyone affected by domestic abuse.",
            ),
            ("advocacy", "Advocacy", "Someone independent to help you have your say."),
        ),
    ),
)

AUDIENCES: tuple[Term, ...] = (
    ("for-everyone", "Everyone", "Open to anyone."),
    ("for-older-people", "Older people", "People aged about 60 and over."),
    ("for-carers", "Carers", "People who look after someone."),
    ("for-young-carers", "Young carers", "Children and young people who care for someone at home."),
    ("for-families", "Families", "Parents, carers and their children."),
    ("for-children", "Children", "Babies and children under 11."),
    ("for-young-people", "Young people", "Young people aged 11 to 25."),
    (
        "for-people-with-dementia",
        "People with dementia",
        "People living with dementia or memory loss.",
    ),
    (
        "for-disabled-people",
        "People with disabilities",
        "Disabled people and people with long-term conditions.",
    ),
    ("for-men", "Men", "Groups for men."),
    ("for-women", "Women", "Groups for women."),
    ("for-veterans", "Veterans", "People who served in the armed forces, and their families."),
    ("for-lgbtq", "LGBTQ+ people", "Lesbian, gay, bisexual, trans and queer people."),
    ("for-low-income", "People on a low income", "People finding money tight."),
    (
        "for-people-with-mental-health-needs",
        "People with mental health needs",
        "People living with anxiety, depression or other mental health problems.",
    ),
)
