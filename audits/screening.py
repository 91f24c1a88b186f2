"""Screen a story for personal details before it can ever be printed.

Stories are de-identified by the people who gather them, but a phone number, a
keyworker's name or a street address slips through easily, and a printed report
cannot be taken back. So every story is screened, and anything flagged is held
for the auditor (audits.stories) until they clear it or approve a redacted version.

Why patterns and not a library: presidio-analyzer needs a spaCy language model
that is fetched from outside the package registries (not possible here), and the
other PII scrubbers on PyPI are unmaintained or do the same with regular
expressions tuned for the USA. A small set of patterns for what matters in
England (UK phone numbers, NHS numbers with their check digit, postcodes, street
addresses, dates of birth, emails, and people's names found through titles, roles
and a bundled list of common UK given names) is easy to test and to read. It
errs on the side of holding a story: the auditor's review is cheap, a leak is not.

`screen` is a pure function of the text. A Flag holds the kind and position of
what was found, never the found text itself, so flags can be stored, logged or
put in an error message without repeating people's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "phone": "a phone number",
    "email": "an email address",
    "nhs_number": "an NHS number",
    "postcode": "a postcode",
    "address": "a street address",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}


@dataclass(frozen=True)
class Flag:
    kind: str  # one of KINDS
    start: int  # character offsets in the text screened
    end: int

    @property
    def reason(self) -> str:
        return KINDS[self.kind]


# --------------------------------------------------------------------------- patterns

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")

# UK numbers: 0 or +44 / 0044 (optionally "(0)"), then 9 or 10 more digits with
# spaces, dashes or brackets between groups: 07700 900123, (0161) 496 0000, +44 7700 900 123.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s\-\)\(]{0,2}\d){8,9}(?!\d)")

# Ten digits, optionally as 3-3-4 with spaces or dashes; kept only if the
# modulus-11 check digit is right (a wrong one is still caught as a phone number
# when it looks like one).
_NHS = re.compile(r"(?<![\w])(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?![\w])")

# Full UK postcodes (outward + inward code), any case, space optional: NE1 4ST, sw1a1aa.
_POSTCODE = re.compile(
    r"(?<![\w])(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})(?![\w])",
    re.IGNORECASE,
)

_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|court|ct|place|pl|"
    "terrace|grove|gardens|gdns|hill|park|square|sq|walk|row|mews|view|rise|parade|green|"
    "vale|wharf|yard|estate|house|flats|towers|buildings|heights"
)
# "12 Acacia Road", "flat 3, 14b Mill Lane", "at number 7 Church St".
# Written in lower case ("42 acacia avenue") only with the plainest street words, and
# only when the words between are not everyday ones: "2 years on the street", "a 2 hour
# drive" and "3 days down the road" are not addresses.
_LOWER_STREET_WORDS = "road|street|avenue|lane|crescent|terrace|grove|gardens"
_NOT_STREET_NAMES = (
    "the|a|an|on|in|at|of|to|and|or|down|up|along|across|my|his|her|their|our|more|long|"
    "hours?|minutes?|mins?|hrs?|miles?|days?|weeks?|months?|years?|times?|steps?"
)
_ADDRESS = re.compile(
    r"(?<![\w])(?i:flat|apartment|apt|unit)\s+\d+[a-zA-Z]?\b"
    r"|(?<![\w£$.,])\d{1,4}[a-zA-Z]?,?\s+(?:[A-Z][\w'’-]*\s+){1,3}(?i:" + _STREET_WORDS + r")\b\.?"
    r"|(?<![\w£$.,])\d{1,4}[a-z]?,?\s+(?:(?!(?:" + _NOT_STREET_NAMES + r")\b)[a-z][\w'’-]*\s+){1,2}"
    r"(?:" + _LOWER_STREET_WORDS + r")\b",
)

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTHS + r")\.?,?\s+\d{2,4}"
    r"|(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4})"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\b\.?|date\s+of\s+birth)(?:\s*(?:[:\-]|is|was)?\s*" + _DATE + r")?"
    r"|\b(?:born|birthday)\b(?:\s+(?:on|in|is|was))?(?:\s+the)?\s+" + _DATE,
    re.IGNORECASE,
)

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sister|Nurse|Father|Rev)\.?"
_CAP = r"[A-Z][a-zà-ÿŵŷ'’\-]+"
_TITLED = re.compile(r"\b" + _TITLES + r"\s+" + _CAP + r"(?:\s+" + _CAP + r")?")

# A role or relation followed by a capitalised word: "my keyworker Sarah Jenkins",
# "a nurse called Tom", "my son Daniel".
_ROLES = (
    "keyworker|key worker|worker|drug worker|support worker|caseworker|case worker|nurse|doctor|"
    "gp|psychiatrist|psychologist|counsellor|therapist|prescriber|pharmacist|mentor|peer mentor|"
    "navigator|officer|manager|receptionist|social worker|housing officer|probation officer|"
    "son|daughter|partner|husband|wife|boyfriend|girlfriend|brother|sister|mum|mam|mother|dad|"
    "father|nan|gran|grandson|granddaughter|friend|mate|neighbour|called|named|name is|name's"
)
_ROLE_NAME = re.compile(r"\b(?i:" + _ROLES + r")(?:\s*[,:]\s*|\s+)(" + _CAP + r"(?:\s+" + _CAP + r")?)")
# The same written in lower case ("my worker sarah"): kept only when the word is a given name.
# (A lookahead, so "worker named jo" is tried at "named" too.)
_ROLE_LOWER = re.compile(r"(?=\b(?i:" + _ROLES + r")(?:\s*[,:]\s*|\s+)([a-zà-ÿŵŷ'’\-]+)\b)")

# Common given names in England and Wales (ONS baby-name lists across the decades),
# leaving out ones that are also everyday words ("will", "may", "hope", "grace"),
# with Welsh and South Asian names common in England and Wales.
GIVEN_NAMES: frozenset[str] = frozenset(
    """
aaron abdul abigail adam adrian ahmed aidan aisha alan albert alex alexander alexandra alfie
alice alison amanda amelia amir amy andrea andrew angela anita ann anna anne annette anthony
archie arthur ashley barbara barry becky ben benjamin bernard beth bethan bethany betty beverley
brian bridget callum cameron carl carol caroline carys catherine charles charlie charlotte chloe
chris christina christine christopher claire clare colin connor craig daniel danielle darren
david dawn dean debbie deborah declan denise dennis derek diane dominic donna dorothy douglas
dylan edward eileen elaine eleanor elizabeth ella ellie emily emma eric ethan evan evie fatima
fiona frances francis frank freddie gareth gary gavin gemma geoffrey george georgia gerald
gillian gordon graham gwen gwyneth hannah harry harvey hayley heather helen henry hollie holly
howard hugh iain ian imran isaac isabel isabella isla ivan jack jackie jacob jacqueline james
jamie jane janet janice jason jasmine jayden jean jeff jennifer jenny jeremy jessica jill joan
joanna joanne joe joel john jonathan jordan joseph josh joshua joyce judith julia julie justin
karen kate katherine kathleen kathryn katie kayleigh keith kelly kenneth kerry kevin kieran
kim kirsty laura lauren lee leah leanne leo lesley leslie lewis liam lily linda lindsay lisa
logan lorraine louise lucy luke lydia lynn lynne mandy margaret maria marie marion martin
mary matthew maureen megan melanie michael michelle mohammed mohammad muhammad molly nadia
naomi natalie nathan neil nicholas nicola nigel noah norman oliver olivia oscar owen paige
pamela patricia patrick paul paula pauline peter philip phillip rachel rebecca rhys richard
rhiannon rob robert robin rosie ross ruby ruth ryan sally samantha samuel sandra sarah scott
sean sharon shaun sheila shirley simon sophie stacey stephanie stephen steven stuart susan
suzanne tania tanya teresa theo thomas tina toby tom tommy tony tracey tracy trevor valerie
vanessa vicky victoria vincent wayne wendy william yasmin yvonne zara zoe
dave steve mike jo sue pete kev gaz baz
aled alun angharad bryn cerys dafydd dai eirlys eleri emrys ffion gethin glyn gwenllian gwilym
huw ieuan iestyn iolo llew llewelyn llinos lowri meinir nia rhodri rhydian sian siân sioned
sion siôn tegan teleri tomos
aarav abdullah adeel afzal amar amardeep amit anil anjali arjun asha asif ayesha azhar baljit
bilal deepak faisal farah farhan farzana gurpreet hamza harjit harpreet hassan imran jaspreet
javed kamal kuldeep manjit manpreet mehmet mohinder nadeem naveed nasreen neha nusrat omar
parveen pooja priya rahul raj rajesh rajinder ranjit ravi rizwan rukhsana rupinder saima
sajid samina sandeep sanjay shabana shahid shazia simran sunil sunita tariq usman vikram
waqas zainab zubair
""".split()
)

# Given names that are also everyday words or places when written with a capital on
# their own ("Dawn", "Frank", "Victoria station"): flagged only beside a surname or a role.
_AMBIGUOUS_ALONE = frozenset(
    "dawn frank jack victoria jordan georgia holly robin ruby carol lily rob bryn glyn raj "
    "amar kim dean sally jean chris lee".split()
)

# Capitalised words that follow a given name without being a surname.
_NOT_SURNAMES = frozenset(
    "i i'm i've i'd i'll the a an and but or so then when if it he she they we you my his her "
    "their our is was has had did does said told says asked helped nhs gp am pm monday tuesday "
    "wednesday thursday friday saturday sunday".split()
)
_CAPWORD_PAIR = re.compile(r"(?=\b(" + _CAP + r")\s+(" + _CAP + r"))")  # overlapping pairs

_NAME_STOPWORDS = frozenset(
    "i the a an my he she they we you it this that there then when if and but or so who what "
    "where why how said says told asked was is were has had did does would could should will "
    "can came went got gave made".split()
)
# Words of an organisation's or a place's name: "a group called Narcotics Anonymous",
# "a service called The Hub" are not people.
_ORGANISATION_WORDS = frozenset(
    "anonymous centre center hub service services project trust group cafe café recovery team "
    "house clinic hospital pharmacy church bank council club fellowship network foundation "
    "charity programme program alliance partnership live together housing".split()
)
# A lone capitalised given name ("Sunita came round", "Dafydd helped").
_CAPWORD = re.compile(r"\b(" + _CAP + r")\b")


def _nhs_check_ok(digits: str) -> bool:
    """The NHS number's tenth digit is a modulus-11 check digit over the first nine."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _names(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _TITLED.finditer(text)]
    for match in _ROLE_NAME.finditer(text):
        words = [w.lower() for w in match.group(1).split()]
        if words[0] in _NAME_STOPWORDS or any(w in _ORGANISATION_WORDS for w in words):
            continue
        if len(words) == 2 and words[1] in _NAME_STOPWORDS:
            spans.append((match.start(1), match.start(1) + len(match.group(1).split()[0])))
        else:
            spans.append(match.span(1))
    for match in _ROLE_LOWER.finditer(text):
        if match.group(1).lower() in GIVEN_NAMES:
            spans.append(match.span(1))
    for match in _CAPWORD_PAIR.finditer(text):
        first, second = match.group(1), match.group(2)
        if first.lower() in GIVEN_NAMES and second.lower().strip("'’") not in _NOT_SURNAMES:
            spans.append((match.start(1), match.end(2)))
    for match in _CAPWORD.finditer(text):
        word = match.group(1).lower()
        if word in GIVEN_NAMES and word not in _AMBIGUOUS_ALONE:
            spans.append(match.span(1))
    return spans


def screen(text: str | None) -> list[Flag]:
    """Everything in the text that looks like a personal detail, in reading order.

    An empty list means the story may be printed (once consent allows it).
    """
    if not text:
        return []
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        flags.append(Flag(kind, start, end))

    for m in _EMAIL.finditer(text):
        add("email", *m.span())
    for m in _NHS.finditer(text):
        if _nhs_check_ok("".join(m.groups())):
            add("nhs_number", *m.span())
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        digits = digits[2:] if digits.startswith("00") else digits
        national = (digits[2:] if digits.startswith("44") else digits).lstrip("0")
        if 9 <= len(national) <= 10:
            add("phone", *m.span())
    for m in _DOB.finditer(text):
        add("date_of_birth", *m.span())
    for m in _POSTCODE.finditer(text):
        add("postcode", *m.span())
    for m in _ADDRESS.finditer(text):
        add("address", *m.span())
    for start, end in _names(text):
        add("name", start, end)
    return sorted(flags, key=lambda f: f.start)


def reasons(flags: list[Flag]) -> str:
    """Why a story is held, in plain words and without quoting it: 'a phone number; a person's name'."""
    seen: list[str] = []
    for flag in flags:
        if flag.reason not in seen:
            seen.append(flag.reason)
    return "; ".join(seen)


def flags_to_json(flags: list[Flag]) -> str:
    """For story_screening.flags: kinds and positions only, never the words."""
    return json.dumps([{"kind": f.kind, "start": f.start, "end": f.end} for f in flags])


def flags_from_json(text: str | None) -> list[Flag]:
    if not text:
        return []
    return [Flag(d["kind"], int(d["start"]), int(d["end"])) for d in json.loads(text)]


def mark(text: str, flags: list[Flag], left: str = "[[", right: str = "]]") -> str:
    """The text with each flagged part bracketed, for the auditor's review screen only."""
    out, last = [], 0
    for flag in sorted(flags, key=lambda f: f.start):
        out += [text[last : flag.start], left, text[flag.start : flag.end], right]
        last = flag.end
    out.append(text[last:])
    return "".join(out)
