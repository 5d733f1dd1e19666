"""Word pools the benchmark corpus is composed from.

Written for this project: a two-level category tree of the kinds of community services a social
prescribing team signposts to, each with the phrases a listing in that category tends to use, plus
shared pools (venues, audiences, streets, sentence patterns). Pools are ordered roughly from most to
least common; the corpus draws from them with Zipf-like weights so a few words are everywhere and
many are rare, as in a real directory.
"""

from __future__ import annotations

from typing import NamedTuple


class Category(NamedTuple):
    """One leaf category: its name, what services in it are called, and words their text uses."""

    name: str
    nouns: tuple[str, ...]
    words: tuple[str, ...]
    ages: tuple[int | None, int | None] = (None, None)
    modes: tuple[str, ...] = ("in_person",)
    free_share: float = 0.8


def _c(name: str, nouns: str, words: str, ages: tuple[int | None, int | None] = (None, None),
       modes: str = "in_person", free_share: float = 0.8) -> Category:
    return Category(name, tuple(nouns.split("|")), tuple(words.split("|")), ages,
                    tuple(modes.split()), free_share)


OLDER = (60, None)
ADULT = (18, None)
YOUNG = (11, 25)
UNDER5 = (0, 5)

TREE: dict[str, tuple[Category, ...]] = {
    "Social activities and friendship": (
        _c("Befriending", "befriending service|telephone befriending|good neighbours scheme|friendship scheme|visiting service",
           "a friendly volunteer|regular visits|a weekly chat|companionship|feeling lonely|social isolation|someone to talk to|matched with a volunteer",
           OLDER, "home_visit phone", 0.95),
        _c("Lunch clubs", "lunch club|luncheon club|friendship lunch|community lunch|Tuesday lunch club",
           "a hot two-course meal|pudding|tea and coffee|good company|a raffle|transport can be arranged|dietary needs catered for",
           OLDER, "in_person", 0.3),
        _c("Social clubs", "social club|friendship group|coffee morning|afternoon tea club|bingo and social",
           "quizzes|cards and dominoes|outings|guest speakers|a warm welcome|making new friends|tea and cake"),
        _c("Men's sheds", "men's shed|community shed|workshop group|repair café",
           "woodwork|tools provided|fixing things|tinkering|shoulder to shoulder|practical projects|a cuppa", ADULT),
        _c("Community cafés", "community café|pay-as-you-feel café|warm space|chatty café|drop-in café",
           "a warm drink|somewhere warm|free wifi|newspapers|a chatty table|no need to book|toast and soup"),
    ),
    "Health and wellbeing": (
        _c("Walking groups", "walking group|health walk|wellbeing walk|buggy walk|nordic walking group",
           "gentle walks|trained walk leaders|fresh air|routes of one to three miles|stout shoes|all abilities|countryside"),
        _c("Exercise classes", "chair-based exercise|seated exercise class|strength and balance class|gentle yoga|tai chi|low-impact exercise",
           "improve balance|stay mobile|keep active|qualified instructor|at your own pace|flexibility|joint pain",
           OLDER, "in_person online", 0.4),
        _c("Healthy eating", "healthy eating course|weight management group|nutrition workshop|slimming support",
           "healthy recipes|portion sizes|reading food labels|losing weight|diabetes prevention|meal planning", ADULT),
        _c("Stop smoking", "stop smoking service|quit smoking clinic|smokefree support",
           "nicotine replacement|vaping|stop smoking advisers|quit for good|carbon monoxide reading", (12, None),
           "in_person phone", 1.0),
        _c("Falls prevention", "falls prevention service|steady steps|falls clinic|balance programme",
           "fear of falling|home hazard check|strength exercises|slips and trips|after a fall", OLDER),
    ),
    "Mental health": (
        _c("Talking therapies", "talking therapy service|counselling service|low-cost counselling|wellbeing service",
           "anxiety|depression|stress|low mood|cognitive behavioural therapy|trained counsellors|confidential sessions|self-referral welcome",
           ADULT, "in_person phone online", 0.7),
        _c("Peer support groups", "peer support group|mental health support group|wellbeing group|hearing voices group|recovery group",
           "shared experience|lived experience|safe space|no judgement|mutual support|coping strategies", ADULT),
        _c("Crisis support", "crisis line|crisis café|sanctuary|out-of-hours listening service|night line",
           "in crisis|suicidal thoughts|emotional distress|someone to listen|open late|overnight|24 hours", (16, None),
           "phone in_person", 1.0),
        _c("Bereavement support", "bereavement support group|bereavement counselling|grief café|loss support",
           "grief|losing someone|after a death|bereaved|loss of a partner|remembering", ADULT, "in_person phone"),
        _c("Wellbeing courses", "recovery college|wellbeing course|mindfulness course|stress management course",
           "mindfulness|relaxation|sleep problems|building confidence|resilience|self-care", ADULT,
           "in_person online", 0.9),
    ),
    "Money and benefits": (
        _c("Benefits advice", "benefits advice service|welfare rights service|money advice|benefits check",
           "universal credit|pension credit|attendance allowance|personal independence payment|benefit appeals|entitlement check|tribunals",
           ADULT, "in_person phone online", 1.0),
        _c("Debt advice", "debt advice service|money management service|budgeting support|financial capability",
           "debt|arrears|bailiffs|budgeting|payment plans|bankruptcy|debt relief orders|priority bills", ADULT,
           "in_person phone online", 1.0),
        _c("Help with forms", "form-filling service|help with forms|paperwork support|digital form help",
           "filling in forms|paperwork|letters|applications|blue badge applications|council tax support|official letters", ADULT,
           "in_person phone", 1.0),
        _c("Energy and bills", "energy advice service|warm homes advice|fuel poverty service|water bill help",
           "energy bills|heating|insulation|fuel vouchers|switching supplier|priority services register|warm home discount", ADULT,
           "in_person phone online home_visit", 1.0),
        _c("Grants", "hardship fund|welfare grants|household support fund|emergency grants",
           "crisis grant|white goods|furniture|school uniform|emergency payment|one-off help", ADULT, "phone online", 1.0),
    ),
    "Food": (
        _c("Food banks", "food bank|emergency food parcels|food parcel service",
           "food parcels|a voucher|three days of food|toiletries|non-perishable food|referral agencies|emergency food",
           (None, None), "in_person", 1.0),
        _c("Community pantries", "community pantry|social supermarket|food club|community fridge|food share",
           "weekly membership|surplus food|fresh fruit and vegetables|choose your own food|small weekly fee|reduce food waste",
           (None, None), "in_person", 0.4),
        _c("Cookery classes", "cookery class|cook and eat session|cooking on a budget|family cooking club",
           "simple recipes|cooking skills|batch cooking|slow cooker|eat together|take home a meal"),
        _c("Community meals", "community meal|community kitchen|soup kitchen|Sunday dinner|hot meal service",
           "a free hot meal|everyone welcome|no questions asked|eat together|takeaway available"),
    ),
    "Housing": (
        _c("Housing advice", "housing advice service|housing options|tenancy advice|renters' advice",
           "eviction|rent arrears|disrepair|landlord problems|private renting|social housing|housing register", ADULT,
           "in_person phone", 1.0),
        _c("Homelessness support", "homelessness service|rough sleeper outreach|night shelter|day centre for homeless people|street outreach",
           "sleeping rough|no fixed abode|showers|laundry|emergency accommodation|a bed for the night|outreach workers",
           (18, None), "in_person phone", 1.0),
        _c("Home adaptations", "home adaptations service|handyperson service|home improvement agency|care and repair",
           "grab rails|stair lifts|small repairs|adapting your home|disabled facilities grant|key safes", OLDER,
           "home_visit phone", 0.5),
        _c("Tenancy support", "tenancy sustainment|floating support|supported housing|resettlement service",
           "keeping your tenancy|moving in|setting up home|support worker|independent living", ADULT, "home_visit phone", 1.0),
    ),
    "Carers": (
        _c("Carer support groups", "carers' support group|carers' café|carers' coffee morning|carers' network",
           "unpaid carers|caring for someone|a break|other carers|carers' rights|looking after a relative", ADULT,
           "in_person online", 1.0),
        _c("Respite care", "respite service|sitting service|short breaks|day respite",
           "a break from caring|sitting service|overnight respite|replacement care|time for yourself", ADULT,
           "home_visit in_person", 0.4),
        _c("Young carers", "young carers' service|young carers' group|young adult carers' project",
           "young carers|looking after a parent|school support|trips and activities|time out", (8, 25)),
        _c("Carers' advice", "carers' advice line|carers' assessment support|carers' information service",
           "carer's allowance|carer's assessment|emergency plans|hospital discharge|power of attorney", ADULT,
           "phone online in_person", 1.0),
    ),
    "Older people": (
        _c("Dementia support", "dementia support service|dementia advisers|dementia carers' group|dementia-friendly activities",
           "memory problems|dementia|Alzheimer's|diagnosis|living well with dementia|forgetfulness|confusion",
           (50, None), "in_person phone home_visit"),
        _c("Memory cafés", "memory café|singing for the brain|reminiscence group|memory club",
           "reminiscence|music and memory|people living with dementia|their carers|relaxed atmosphere|memory loss", (50, None)),
        _c("Day centres", "day centre|day opportunities|older people's day centre|resource centre",
           "activities|a hot lunch|hairdressing|bathing|transport provided|companionship", OLDER, "in_person", 0.2),
        _c("Help at home", "help at home service|home from hospital|shopping service|cleaning and gardening help",
           "after hospital|shopping|light housework|prescriptions collected|settling in at home|gardening", OLDER,
           "home_visit phone", 0.5),
        _c("Sight and hearing", "sight loss service|hearing support|hearing aid clinic|low vision support",
           "hearing aids|batteries|sight loss|magnifiers|talking books|low vision|deaf awareness", OLDER),
    ),
    "Children, young people and families": (
        _c("Baby and toddler groups", "parent and toddler group|baby group|stay and play|baby massage|rhyme time",
           "under fives|messy play|songs and rhymes|new parents|babies|toddlers|snacks", UNDER5, "in_person", 0.7),
        _c("Youth clubs", "youth club|youth project|youth café|junior youth club|detached youth work",
           "young people|pool table|sports|trips|youth workers|somewhere to hang out|games console", YOUNG),
        _c("Holiday activities", "holiday activity club|summer scheme|holiday club|half-term club",
           "school holidays|free meals|sports and crafts|holiday activities and food|eligible for free school meals", (5, 16)),
        _c("Parenting support", "parenting course|family support service|dads' group|parents' peer support",
           "parenting|behaviour|sleep|toilet training|teenagers|confidence as a parent|family worker", ADULT,
           "in_person online home_visit", 0.9),
        _c("Breastfeeding support", "breastfeeding group|infant feeding clinic|feeding support",
           "breastfeeding|bottle feeding|peer supporters|new babies|feeding worries", (None, None), "in_person phone", 1.0),
    ),
    "Learning and work": (
        _c("Adult learning", "adult learning course|community learning|evening class|maths and English class",
           "qualifications|confidence|learning something new|tutors|functional skills|GCSE", (19, None),
           "in_person online", 0.5),
        _c("Digital skills", "digital skills drop-in|computer club|tech help|getting online session|tablet lending",
           "smartphones|tablets|email|video calls|online shopping|staying safe online|NHS app", ADULT),
        _c("Employment support", "employment support service|job club|back to work programme|CV workshop",
           "job search|CV writing|interview practice|training|apprenticeships|self-employment", (16, None),
           "in_person online phone", 1.0),
        _c("Volunteering", "volunteer centre|volunteering opportunities|time bank|volunteer drivers' scheme",
           "volunteering|giving time|gaining experience|meeting people|roles to suit you|training provided", (16, None),
           "in_person online", 1.0),
        _c("English classes", "ESOL class|English conversation club|English for speakers of other languages",
           "learning English|conversation practice|speaking and listening|refugees|new arrivals|beginners welcome", (16, None)),
    ),
    "Arts, culture and nature": (
        _c("Arts and crafts", "craft group|art class|knit and natter|sewing circle|pottery group|creative workshop",
           "knitting|painting|crochet|drawing|sewing|materials provided|beginners|creative"),
        _c("Music and singing", "community choir|singing group|ukulele group|music club|drumming circle",
           "singing|no auditions|songs from the shows|rehearsals|performances|ukulele|instruments provided"),
        _c("Gardening and nature", "community garden|allotment project|green gym|conservation volunteers|therapeutic gardening",
           "gardening|growing vegetables|nature|wildlife|outdoors|tools and gloves provided|conservation tasks"),
        _c("Reading and libraries", "reading group|library service|book club|home library service|shared reading group",
           "books|reading aloud|large print|audiobooks|library|poetry|home delivery of books"),
        _c("Heritage and history", "local history society|heritage group|museum volunteers|history talks",
           "local history|old photographs|archives|talks|museum|family history"),
    ),
    "Disability and long-term conditions": (
        _c("Learning disability support", "learning disability service|supported activities|day opportunities for adults|advocacy for people with learning disabilities",
           "learning disabilities|supported|independence|life skills|easy read|friendship", (16, None)),
        _c("Autism support", "autism support group|autism family service|neurodiversity support|ADHD support group",
           "autism|ADHD|neurodivergent|sensory needs|after diagnosis|quiet space"),
        _c("Long-term conditions", "diabetes support group|heart support group|breathe easy group|stroke club|Parkinson's group|arthritis support",
           "diabetes|COPD|heart failure|stroke|Parkinson's|arthritis|chronic pain|living with a long-term condition",
           ADULT, "in_person online"),
        _c("Mobility and equipment", "equipment loan|wheelchair loan|shopmobility|mobility aids service",
           "wheelchairs|mobility scooters|walking aids|equipment loan|daily living aids", (None, None),
           "in_person home_visit", 0.5),
        _c("Sensory impairment", "deaf club|BSL group|visual impairment support|sensory support service",
           "British Sign Language|deaf|hard of hearing|blind|partially sighted|guide dogs"),
    ),
    "Transport and access": (
        _c("Community transport", "community transport|dial-a-ride|community car scheme|volunteer car service",
           "door-to-door|hospital appointments|wheelchair-accessible minibus|shopping trips|volunteer drivers|book in advance",
           (None, None), "phone", 0.1),
        _c("Travel training", "travel training|bus buddies|travel support",
           "using buses|confidence travelling|travel passes|route planning", (14, None)),
    ),
    "Safety and advocacy": (
        _c("Advocacy", "advocacy service|independent advocacy|self-advocacy group|care act advocacy",
           "advocate|having a say|your rights|meetings|complaints|speaking up", ADULT, "in_person phone home_visit", 1.0),
        _c("Domestic abuse support", "domestic abuse service|refuge|outreach support|freedom programme",
           "domestic abuse|safety planning|coercive control|refuge|confidential|children affected", (16, None),
           "phone in_person online", 1.0),
        _c("Legal advice", "legal advice clinic|law centre|free legal advice|immigration advice",
           "legal problems|employment rights|discrimination|immigration|solicitors|pro bono", ADULT,
           "in_person phone", 1.0),
        _c("Scams and safety", "scams awareness session|community safety talk|keeping safe at home|fire safety check",
           "scams|doorstep callers|fraud|smoke alarms|home fire safety|online safety", OLDER, "in_person home_visit", 1.0),
    ),
}

ADJECTIVES = ("friendly", "welcoming", "free", "weekly", "informal", "relaxed", "small", "local",
              "volunteer-led", "supportive", "monthly", "lively", "gentle", "confidential",
              "fortnightly", "accessible", "inclusive", "award-winning", "long-running", "new",
              "peer-led", "popular", "quiet", "specialist", "independent", "drop-in", "cosy",
              "intergenerational", "low-cost", "friendly and informal", "well-established",
              "community-run", "practical", "sociable", "nurturing", "trauma-informed")

VENUES = ("community centre", "village hall", "church hall", "library", "family hub",
          "leisure centre", "methodist church", "health centre", "town hall", "sports club",
          "scout hut", "community hub", "parish rooms", "baptist church", "memorial hall",
          "youth centre", "museum", "allotments", "park pavilion", "arts centre", "football club",
          "cricket pavilion", "primary school", "quaker meeting house", "mosque", "gurdwara",
          "salvation army hall", "children's centre", "day centre", "miners' welfare",
          "social club", "working men's club", "cathedral", "market hall", "garden centre",
          "fire station", "court house", "old school", "corn exchange", "boathouse")

AUDIENCES = ("older people", "anyone", "adults", "carers", "families", "young people",
             "people living with dementia and their carers", "people on low incomes",
             "people who feel lonely", "new parents", "men over 50", "veterans",
             "refugees and asylum seekers", "people with learning disabilities", "women",
             "people recovering from illness", "disabled people", "people living alone",
             "students", "LGBTQ+ people", "people with long-term health conditions",
             "grandparents", "single parents", "people who are deaf or hard of hearing",
             "people leaving hospital", "ex-forces families", "people new to the area",
             "people experiencing homelessness", "people in recovery from addiction",
             "neurodivergent adults", "people with sight loss", "farmers and rural workers")

OLDER_AUDIENCES = ("older people", "people over 60", "retired people", "older men",
                   "older women", "people living with dementia and their carers",
                   "older people living alone", "pensioners", "older veterans")
YOUNGER_AUDIENCES = ("children", "young people", "teenagers", "families with young children",
                     "young carers", "children and their parents", "under fives and their parents")

FREQUENCIES = ("every week", "every Tuesday", "on Monday mornings", "twice a week",
               "on the first Thursday of the month", "every weekday", "on Friday afternoons",
               "during term time", "every other Wednesday", "on Saturday mornings",
               "most evenings", "once a month", "all year round", "in the school holidays")

ACCESS_NOTES = ("no need to book", "please ring ahead", "refreshments provided",
                "parking nearby", "on a bus route", "step-free access", "a hearing loop is fitted",
                "carers come free", "donations welcome", "booking essential",
                "ask about transport", "assistance dogs welcome", "large print materials available",
                "interpreters can be arranged", "accessible toilet on site",
                "places are limited", "first visit free", "bring a friend")

ROLES = ("volunteers", "staff", "advisers", "support workers", "trained volunteers",
         "coordinators", "peer supporters", "specialists", "community connectors", "mentors")

ORG_TYPES = ("Community Trust", "Community Association", "Volunteer Network", "Carers Centre",
             "Advice Centre", "Wellbeing Partnership", "Community Action", "Development Trust",
             "Friends Network", "Council for Voluntary Service", "Good Neighbours", "Mind",
             "Rotary Club", "Women's Institute", "Parish Council", "Family Centre",
             "Later Life Network", "Youth Trust", "Food Partnership", "Housing Association",
             "Churches Together", "Men's Shed Association", "Arts Collective", "Disability Forum",
             "Recovery Network", "Befriending Scheme", "Lions Club", "Community Foundation")

SAINTS = ("Mary", "John", "Peter", "Andrew", "Michael", "Luke", "Margaret", "George", "Paul",
          "Mark", "James", "Nicholas", "Barnabas", "Edmund", "Alban", "Catherine", "Stephen",
          "Chad", "Hilda", "Aidan", "David", "Columba", "Bride", "Thomas", "Matthew", "Anne")

STREET_WORDS = ("Church", "High", "Station", "Mill", "Victoria", "Queen's", "Manor", "Park",
                "School", "King's", "Chapel", "Market", "Green", "North", "London", "Bridge",
                "Castle", "Albert", "Grange", "Orchard", "Meadow", "Windmill", "Elm", "Oak",
                "Ash", "Beech", "Willow", "Cedar", "Hawthorn", "Priory", "Abbey", "Tower",
                "Wellington", "Nelson", "Jubilee", "Coronation", "Forge", "Quarry", "Brook",
                "Riverside", "Harbour", "Sandy", "Cross", "Fore", "Back", "Water", "Hill",
                "Vicarage", "Rectory", "Marsh", "Fen", "Moor", "Heath", "Cliff", "Dale")

STREET_TYPES = ("Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Crescent",
                "Place", "Gardens", "Terrace", "Walk", "Row", "Square", "Hill", "Court")

# Sentence patterns; {x} slots are filled from the pools above and the category's own phrases.
OPENERS = (
    "{org} runs a {adj} {noun} for {audience} at the {venue} in {town}.",
    "A {adj} {noun} for {audience} in {town}, meeting {freq} at the {venue}.",
    "Our {noun} offers {word1} and {word2} for {audience} across {town} and nearby villages.",
    "The {noun} is a {adj} service for {audience} who want {word1}.",
    "Based at the {venue}, {town}, this {adj} {noun} helps {audience} with {word1}.",
    "We are a {adj} {noun} supporting {audience} with {word1} and {word2}.",
    "{town}'s {adj} {noun}: {word1}, {word2} and {word3}.",
    "Join our {adj} {noun} {freq} for {word1} and {word2}.",
)
MIDDLES = (
    "Our {role} can help with {word1}, {word2} and {word3}.",
    "Sessions run {freq} and include {word1} and {word2}.",
    "You can expect {word1}, {word2} and a {adj} welcome.",
    "We also offer {word1} and can put you in touch with other local services.",
    "{role_cap} are trained and DBS checked, and everything is {adj} and confidential.",
    "Many people come for {word1} and stay for {word2}.",
    "Whether you need {word1} or just {word2}, we are here to help.",
    "There is {word1} on offer, and {role} are on hand for {word2}.",
    "We work closely with GP surgeries, social prescribers and the council.",
    "Last year we supported more than {count} people in and around {town}.",
)
CLOSERS = (
    "{access}.",
    "{access}; {access2}.",
    "Just turn up, or call us first if you have any questions.",
    "Anyone can refer, including yourself, your GP or a social prescriber.",
    "Ask at the {venue} reception for details.",
    "We are funded by the National Lottery Community Fund and local donations.",
    "",
)
