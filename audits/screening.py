"""Screen a story for personal details before it can ever be printed.

Stories are de-identified by the people who gather them, but a phone number, a
keyworker's name or a street address slips through easily, and a printed report
cannot be taken back. So every story is screened, and anything flagged is held
for the auditor (audits.stories) until they clear it or approve a redacted version.

Why patterns and not a library: presidio-analyzer needs a spaCy language model
that is fetched from outside the package registries (not possible here), and the
other PII scrubbers on PyPI are unmaintained or do the same with regular
expressions tuned for the USA. A small set of patterns for what matters in
England (UK phone numbers, NHS and National Insurance numbers, postcodes, street
addresses, dates of birth, emails, social media handles, and people's names found
through titles, initials, roles and a bundled list of common UK given names) is
easy to test and to read. It errs on the side of holding a story: the auditor's
review is cheap, a leak is not.

Text is normalised before the patterns see it, because a detail typed or pasted
in an odd way is still a detail: compatibility forms (NFKD: full-width digits,
ligatures, styled letters), accents and other combining marks dropped, invisible
characters (zero-width spaces, soft hyphens, direction marks) removed, Cyrillic
and Greek letters that look like Latin ones mapped to them, and every dash, space,
apostrophe and dot-like mark unified. A map from each normalised character back
to the original keeps every flag pointing at the text as it was written.

Screening is linear in the length of the text: every pattern can only match a
bounded stretch of text (tests/test_screening.py checks the width of each), so a
long story cannot make the regular expressions backtrack over it again and again,
and names are found in one pass over the words.

`screen` is a pure function of the text. A Flag holds the kind and position of
what was found, never the found text itself, so flags can be stored, logged or
put in an error message without repeating people's words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat
from operator import or_

KINDS: dict[str, str] = {
    "phone": "a phone number",
    "email": "an email address",
    "handle": "a social media handle",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "address": "a street address",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}


@dataclass(frozen=True)
class Flag:
    kind: str  # one of KINDS
    start: int  # character offsets in the text screened (as written, before normalising)
    end: int

    @property
    def reason(self) -> str:
        return KINDS[self.kind]


# --------------------------------------------------------------------------- normalising

# Letters of other scripts that look like Latin ones, as used to slip a word past a filter:
# "Sаrah" with a Cyrillic а. Only letters that look alike in ordinary fonts.
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m",
    "п": "n", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w", "ү": "y",
    "А": "A", "В": "B", "С": "C", "Ԁ": "D", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ԛ": "Q", "Ѕ": "S", "Т": "T", "У": "Y", "Х": "X", "Ԝ": "W", "Ү": "Y",
    # Greek
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "ϲ": "c", "ϳ": "j", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Armenian and Latin oddities
    "օ": "o", "ս": "u", "հ": "h", "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g",
    # Latin letters without a decomposition: "Łukasz", "Søren", "Ægir"
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
    "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
    # apostrophes, quotes, dots, slashes
    "’": "'", "‘": "'", "ʼ": "'", "′": "'", "´": "'", "“": '"', "”": '"', "„": '"', "″": '"',
    "·": ".", "•": ".", "∙": ".", "・": ".", "。": ".", "⁄": "/", "∕": "/", "⧸": "/", "−": "-",
}  # fmt: skip
# Invisible letters that are not format characters (Hangul fillers).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0")
# Runs of characters that need any work: all but printable ASCII, tab and newlines.
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x7e]{1,4096}")


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What one character becomes in the normalised text ('' when it is dropped)."""
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    category = unicodedata.category(ch)
    if category in ("Cf", "Cc", "Mn", "Me") or ch in _INVISIBLE:
        return "\n" if ch in "\x0b\x0c\x1c\x1d\x1e\x85" else ""
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Pd":
        return "-"
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    return "".join(_LOOKALIKES.get(c, c) for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def _normalise(text: str) -> tuple[str, array | None]:
    """The text the patterns see, and for each of its characters the index of the
    original character it came from (None when every character stands for itself).
    Each step runs over the text in C (findall, set, sub, map, chain), not in a Python loop:
    the characters needing work are picked out by one scan of the text, not a match per
    distinct character (most stories have none)."""
    folds = {ch: _fold(ch) for ch in set(chain.from_iterable(_SPECIAL.findall(text)))}
    if not folds:
        return text, None
    table = str.maketrans(folds)
    norm = _SPECIAL.sub(lambda match: match.group(0).translate(table), text)
    if all(len(folded) == 1 for folded in folds.values()):
        return norm, None
    lengths = map(len, map(folds.get, text, text))
    return norm, array("q", chain.from_iterable(map(repeat, range(len(text)), lengths)))


def _original_span(text: str, origin: array | None, start: int, end: int) -> tuple[int, int]:
    if origin is None:
        return start, end
    first, last = origin[start], origin[end - 1] + 1
    while last < len(text) and unicodedata.combining(text[last]):  # keep an accent with its letter
        last += 1
    return first, last


# --------------------------------------------------------------------------- numbers

# A run of digits with the separators people put in numbers (spaces, dashes, dots,
# slashes, brackets): 07700 900123, (0161) 496 0000, +44 (0)20 7946 0958, 07700.900.123,
# 07700/900123. Which part of the run is a phone number is decided in _phones.
_PHONE = re.compile(
    r"(?<![\w+@£$€#])(?<![0-9][.,])(?:\+[ ]?|\()?[0-9](?:[ \t\-./()]{0,3}[0-9]){7,15}(?![0-9])",
)
_DIGIT_GROUP = re.compile(r"[0-9]{1,16}")

# Ten digits, straight or as 3-3-4 with spaces, dashes, dots or slashes; kept only if the
# modulus-11 check digit is right, or if the words before say it is an NHS number.
_NHS = re.compile(r"(?<![\w.,£$€/+-])[0-9]{3}(?:[ \-./]{1,2})?[0-9]{3}(?:[ \-./]{1,2})?[0-9]{4}(?![0-9]|[.,/-][0-9])")
_NHS_NAMED = re.compile(
    r"\b(?i:nhs)[ \t]{0,3}(?i:number|no\b\.?|num\b|#)?[ \t]{0,3}(?i:is\b|was\b|[:=\-])?[ \t]{0,3}"
    r"([0-9](?:[ \-./]{0,2}[0-9]){9})(?![0-9])"
)

# National Insurance numbers: two letters, six digits, a letter A to D (QQ 12 34 56 C).
_NINO = re.compile(
    r"(?<![\w])([A-Za-z]{2})[ \-.]{0,2}[0-9]{2}[ \-.]{0,2}[0-9]{2}[ \-.]{0,2}[0-9]{2}(?:[ \-.]{0,2}([A-Da-d]))?(?![\w])"
)
# Two letters that are everyday words when written in lower case ("it was 12 34 56").
_SHORT_WORDS = frozenset("am an as at be by do go he if in is it me my no of oh ok on or so to up us we".split())

# Full UK postcodes (outward + inward code), any case, space optional: NE1 4ST, sw1a1aa.
_POSTCODE = re.compile(
    r"(?<![\w])(?:GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})(?![\w])",
    re.IGNORECASE,
)


def _nhs_check_ok(digits: str) -> bool:
    """The NHS number's tenth digit is a modulus-11 check digit over the first nine."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phone_digits_ok(digits: str, international: bool) -> bool:
    if international:
        if digits.startswith("44"):
            national = digits[2:]
            national = national[1:] if national.startswith("0") else national
            return 9 <= len(national) <= 10 and national[0] != "0"
        return 8 <= len(digits) <= 15 and digits[0] != "0"
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0"


def _phones(norm: str, low: int, high: int) -> list[tuple[int, int]]:
    """The longest part of each run of digits, ending at a group, that is a phone number:
    UK (0 then 9 or 10 digits; +44 or 0044) or international (+ and 8 to 15 digits).
    Dates and decimals ("01.03.2019 10.30", "0.5 1.5 2.0 3.5 4.0") are not."""
    spans: list[tuple[int, int]] = []
    pos = low
    while match := _PHONE.search(norm, pos, high):
        pos = match.end()
        run = match.group(0)
        if not (run[0] == "+" or run.lstrip("(")[0] == "0"):
            continue  # a phone number starts with 0, 00 or +
        groups = _DIGIT_GROUP.findall(run)
        if (run[0] == "+" and groups[0][0] == "0") or "".join(groups[:3]).startswith("000"):
            continue  # no country code after + or 00: no part of the run is a phone number
        counts = list(accumulate(map(len, groups)))
        ends = [g.end() for g in _DIGIT_GROUP.finditer(run)]
        for n in range(len(groups), 0, -1):
            if not 8 <= counts[n - 1] <= 17:
                continue
            part = run[: ends[n - 1]]
            digits = "".join(groups[:n])
            international = part.startswith("+") or digits.startswith("00")
            if not _phone_digits_ok(digits[2:] if digits.startswith("00") else digits, international):
                continue
            separators = set(part) - set("0123456789")
            if separators & {".", "/"} and min(map(len, groups[:n])) < 2:
                continue  # decimals and dates, not a number to ring
            if not international and len(groups[0]) < 3 and not separators <= {" ", "\t", "-"}:
                continue
            spans.append((match.start(), match.start() + len(part)))
            pos = match.start() + len(part)
            break
    return spans


# --------------------------------------------------------------------------- emails and handles

_LOCAL = r"(?>[\w+'\-][\w.+'\-]{0,63})"  # atomic: a word that is no email is given up at once
_AT = r"(?:[ ]{0,3}@[ ]{0,3}|[ ]{0,3}[\[({<][ ]{0,2}(?i:at)[ ]{0,2}[\])}>][ ]{0,3}|[ ]{1,3}(?i:at)[ ]{1,3})"
# "dot" spelled out, or a dot with spaces round it ("jo . bloggs"): an email only with a known ending
_DOT_WORD = r"(?:[ ]{0,3}[\[({<][ ]{0,2}(?i:dot)[ ]{0,2}[\])}>][ ]{0,3}|[ ]{1,3}(?i:dot)[ ]{1,3}|[ ]{1,2}\.[ ]{1,2})"
_DOT = r"(?:\.|" + _DOT_WORD + ")"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
# jo.bloggs@example.com, "jo.bloggs @ example.com", "jo.bloggs at example dot com",
# "jo dot bloggs [at] example [dot] co [dot] uk". Which of these is an email is decided in _emails.
_EMAIL = re.compile(
    r"(?<![\w.+'\-])(?P<local>" + _LOCAL + r"(?:" + _DOT_WORD + _LOCAL + r"){0,2})"
    r"(?P<at>" + _AT + r")(?P<domain>" + _LABEL + r"(?:" + _DOT + _LABEL + r"){0,5})(?![\w\-])"
)
_EMAIL_BEFORE, _EMAIL_AFTER = 240, 480  # how far an email reaches either side of its "@" or "at"
_AT_SIGNS = re.compile(r"@(?:[^@]{0,720}@){0,15}")  # "@" signs close enough to share a window
_MAILBOXES = frozenset("gmail googlemail hotmail yahoo icloud btinternet protonmail aol".split())
# After a spelled-out "at": a domain ("example.com", "example dot com") or a mail service.
_SPELLED_TAIL = re.compile(
    r"[ ]{0,2}[\])}>]?[ ]{0,3}(?:" + _LABEL + _DOT + _LABEL + r"|(?i:" + "|".join(sorted(_MAILBOXES)) + r")\b)"
)
_DOT_SPLIT = re.compile(_DOT)
_DOT_WORD_RE = re.compile(_DOT_WORD)
_TLDS = frozenset(
    "com org net uk co gov nhs ac sch police mod ltd plc me io info biz edu eu ie scot wales cymru london "
    "online xyz app email live pl ro lt lv de fr es it nl pt in pk bd au ca us nz za tv cc".split()
)

# @jo_bloggs (not "@10am"), and profile addresses such as facebook.com/jo.bloggs.92.
_HANDLE = re.compile(r"@(?<![\w@.+\-]@)[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,29}[A-Za-z0-9_])?(?![\w@])")
_TIME = re.compile(r"@[0-9]{1,2}(?:[.:]?[0-9]{2})?(?i:am|pm)?")
_PROFILE = re.compile(
    r"\b(?:facebook|fb|instagram|twitter|x|tiktok|linkedin|snapchat|threads|youtube)\.(?:com|net)/@?[\w.\-]{2,40}"
)
# "my insta is jo_bloggs_92", "snapchat: jobloggs" (found in the lower-case text).
_PLATFORMS = ("insta", "twitter", "tiktok", "snap", "facebook", "fb", "telegram", "discord", "threads", "bluesky")
_PLATFORM_NAME = re.compile(
    r"\b(?:insta(?:gram)?|twitter|tiktok|snap(?:chat)?|facebook|fb|telegram|discord|threads|bluesky)"
    r"[ \t]{0,3}(?:handle|name|username|user name|account|id)?[ \t]{0,3}(?:is\b|:|-|=)[ \t]{0,3}@?"
    r"([a-z0-9_][\w.]{1,29})"
)


def _windows(marks: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Merge the stretches [start, end) around each mark, in order, into disjoint windows."""
    windows: list[tuple[int, int]] = []
    for start, end in marks:
        start, end = max(0, start), min(size, end)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _email_ok(local: str, at: str, domain: str) -> bool:
    """With an @, any local@domain.tld (or local@word); with "at" or "dot" spelled out, only a
    known ending (.com, .co.uk ...) or mail service, and not after an everyday word: "I looked
    at nhs.uk" is no email address."""
    labels = _DOT_SPLIT.split(domain)
    literal_at = "@" in at
    spelled_dot = _DOT_WORD_RE.search(domain) is not None or _DOT_WORD_RE.search(local) is not None
    tld = labels[-1].lower()
    if local.endswith(".") or not (literal_at or local.lower() not in COMMON_WORDS):
        return False
    if len(labels) == 1:
        return (at == "@" and any(c.isalpha() for c in domain)) or (not literal_at and tld in _MAILBOXES)
    if literal_at and not spelled_dot:
        return tld.isalpha() and len(tld) >= 2
    return tld in _TLDS or labels[0].lower() in _MAILBOXES


def _emails(norm: str, lower: str) -> list[tuple[int, int]]:
    """Emails, looked for only around an "@" or a spelled-out "at" followed by a domain."""
    marks = [(m.start(), m.end()) for m in _AT_SIGNS.finditer(norm)]
    at = lower.find("at")
    while at != -1:
        alone = (at == 0 or not lower[at - 1].isalnum()) and not lower[at + 2 : at + 3].isalnum()
        if alone and _SPELLED_TAIL.match(norm, at + 2):
            marks.append((at, at + 2))
        at = lower.find("at", at + 2)
    spans = []
    for low, high in _windows([(start - _EMAIL_BEFORE, end + _EMAIL_AFTER) for start, end in sorted(marks)], len(norm)):
        pos = low
        while match := _EMAIL.search(norm, pos, high):
            if _email_ok(*match.group("local", "at", "domain")):
                spans.append(match.span())
                pos = match.end()
            else:
                pos = match.start() + 1  # a shorter email may start inside: "them at jo@example.com"
    return spans


def _handles(norm: str, lower: str) -> list[tuple[int, int]]:
    spans = []
    if "@" in norm:
        spans += [m.span() for m in _HANDLE.finditer(norm) if not _TIME.fullmatch(m.group(0))]
    if ".com/" in lower or ".net/" in lower:
        spans += [m.span() for m in _PROFILE.finditer(lower)]
    if any(platform in lower for platform in _PLATFORMS):
        spans += [m.span(1) for m in _PLATFORM_NAME.finditer(lower) if m.group(1) not in COMMON_WORDS]
    return spans


# --------------------------------------------------------------------------- addresses and dates

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
    r"(?<![\w])(?i:flat|apartment|apt|unit)[ \t]{1,3}\d{1,4}[a-zA-Z]?\b"
    r"|(?<![\w£$€.,])\d{1,4}[a-zA-Z]?,?\s{1,3}(?:[A-Z][\w'\-]{0,30}\s{1,3}){1,3}(?i:" + _STREET_WORDS + r")\b\.?"
    r"|(?<![\w£$€.,])\d{1,4}[a-z]?,?\s{1,3}(?:(?!(?:" + _NOT_STREET_NAMES + r")\b)[a-z][\w'\-]{0,30}\s{1,3}){1,2}"
    r"(?:" + _LOWER_STREET_WORDS + r")\b",
)

_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}\s{0,2}[/.\-]\s{0,2}\d{1,2}\s{0,2}[/.\-]\s{0,2}\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s{1,3}(?:of\s{1,3})?(?:" + _MONTHS + r")\.?,?\s{1,3}\d{2,4}"
    r"|(?:" + _MONTHS + r")\.?\s{1,3}\d{1,2}(?:st|nd|rd|th)?,?\s{1,3}\d{2,4})"
)
_DOB = re.compile(
    r"\b(?:d\.?o\.?b\b\.?|date\s{1,3}of\s{1,3}birth)\s{0,3}(?:[:\-]|is|was)?\s{0,3}"
    + _DATE
    + r"|\b(?:born|birthday)\b(?:\s{1,3}(?:on|in|is|was))?(?:\s{1,3}the)?\s{1,3}"
    + _DATE,
    re.IGNORECASE,
)
# "They asked for my DOB", "my date of birth was on every form" (in the lower-case text).
_DOB_WORDS = re.compile(r"d(?<![^\W_]d)(?:\.?o\.?b\b\.?|ate\s{1,3}of\s{1,3}birth\b)")

# Every pattern above needs a digit, and reaches at most this far before its first digit
# ("date of birth is April 3rd, 1985") and after its last ("12 Acacia Road"): they are
# run only in windows around the digits, which in most stories are few.
_DIGITS = re.compile(r"[0-9](?:[^0-9]{0,63}[0-9]){0,127}")  # digits no more than 64 apart
_BEFORE_DIGIT, _AFTER_DIGIT = 64, 200


# --------------------------------------------------------------------------- names

# Common given names in England and Wales (ONS baby-name lists across the decades), with
# Welsh and South Asian names common in England and Wales and the short forms people use.
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
dave steve mike jo sue pete kev gaz baz bex becca jen liz lizzie andy danny jim jimmy billy
bobby mick micky ricky nikki shaz kez kaz lou mel dom ollie jess jessie jodie kayleigh keeley
leon marcus mason niall reece shane tyler harriet kayla sam dan mark bill will nick pat bob
aled alun angharad bryn cerys dafydd dai eirlys eleri emrys ffion gethin glyn gwenllian gwilym
huw ieuan iestyn iolo llew llewelyn llinos lowri meinir nia rhodri rhydian sian sioned
sion tegan teleri tomos
aarav abdullah adeel afzal amar amardeep amit anil anjali arjun asha asif ayesha azhar baljit
bilal deepak faisal farah farhan farzana gurpreet hamza harjit harpreet hassan jaspreet
javed kamal kuldeep manjit manpreet mehmet mohinder nadeem naveed nasreen neha nusrat omar
parveen pooja priya rahul raj rajesh rajinder ranjit ravi rizwan rukhsana rupinder saima
sajid samina sandeep sanjay shabana shahid shazia simran sunil sunita tariq usman vikram
waqas zainab zubair
""".split()
)

# Given names that are also everyday words, places or street names for drugs when written
# with a capital on their own ("Dawn", "Frank", "Victoria station", "on the Charlie"):
# flagged only beside a surname or a role.
_AMBIGUOUS_ALONE = frozenset(
    "dawn frank jack victoria jordan georgia holly robin ruby carol lily rob bryn glyn raj "
    "amar kim dean sally jean chris lee mark bill will nick pat bob sam dan beverley "
    "charlie molly mandy tina henry billy".split()
)
# In capitals a story may be shouting: these are words before they are names ("I WANT TO SUE").
_AMBIGUOUS_IN_CAPITALS = _AMBIGUOUS_ALONE | frozenset("sue jo jim ivan ian liz lou mel dom kez kaz".split())

# Titles before a surname: "Mrs Evans", "Dr. Okafor", "Mr S. Jenkins".
_TITLES = frozenset("mr mrs ms miss mx dr prof professor rev revd reverend".split())
# Words that are not names: function words, the words that start sentences, everyday
# adjectives, people's roles and relations, days and months, nationalities and faiths,
# medicines and drugs, big places. A capitalised one after a role ("my worker was
# Brilliant"), after an initial ("Plan B. After") or after a naming word is not a name.
_FUNCTION_WORDS = frozenset(
    """
i me my mine myself you your yours yourself he him his himself she her hers herself it its itself we us
our ours ourselves they them their theirs themselves one ones someone somebody something anyone anybody
anything everyone everybody everything nobody nothing none the a an this that these those there here such
what which who whom whose when where why how whatever whoever whenever wherever and but or nor so yet for
because cos since although though while whilst if unless until till than then now once as like of in on at
to from by with without within into onto upon over under above below between among amongst through
throughout across along around about after before behind beside besides beyond during except inside
outside near off out up down past per via toward towards against despite is am are was were be been being
have has had having do does did doing done will would shall should can could may might must ought not no
yes yeah yep nope ok okay oh ah well just only also even still already again always never ever often
sometimes usually really very too quite rather almost nearly maybe perhaps probably certainly definitely
actually honestly basically literally anyway instead otherwise however therefore meanwhile later soon
today tonight tomorrow yesterday said says say told tell tells asked ask asks went go goes going gone came
come comes coming got get gets getting gave give gives given made make makes took take takes taken saw see
sees seen knew know knows known thought think thinks felt feel feels left let lets kept keep keeps put puts
rang ring rings called call calls helped help helps tried try tries started start wanted want needed need
used use sat stood walked ran looked look looks all any both each every few many more most much other
others own same several some enough lots less least last next first second third another thanks thank
please sorry hello hi it's that's i'm i've i'd i'll you're they're we're there's what's don't didn't
doesn't can't couldn't wouldn't won't isn't wasn't aren't weren't haven't hasn't hadn't day days am pm
""".split()
)
_ORGANISATION_WORDS = frozenset(
    "anonymous centre center hub service services project trust group groups cafe recovery team house clinic "
    "hospital pharmacy church bank council club fellowship network foundation charity programme program "
    "alliance partnership live together housing point circle road street lane court hall unit ward place "
    "academy college school university society association collective forum online station park square "
    "market gardens avenue terrace estate army surgery practice".split()
)
# Before "called" or "named", a word for a thing or a place: "a group called Breaking Free",
# "a place called Hope", "it's called The Well" name no person.
_THINGS = _ORGANISATION_WORDS | frozenset(
    "a it it's its this that which thing something somewhere course app book film song show band pub shop "
    "drug drugs tablet tablets pill pills medicine medication stuff scheme plan room bus street town village "
    "city area estate".split()
)
COMMON_WORDS: frozenset[str] = (
    _FUNCTION_WORDS
    | _ORGANISATION_WORDS
    | frozenset(
        """
good great brilliant amazing lovely nice kind fine bad awful terrible horrible rubbish fantastic excellent
wonderful best better worse worst new old young big small little long short high low hard easy happy sad
angry scared frightened nervous anxious worried tired poorly ill sick well clean sober dry safe unsafe
honest open closed fair unfair right wrong true false real whole full empty free busy late early quick
slow quiet loud warm cold hot strong weak proper decent useless helpful patient rude calm welcoming
friendly caring supportive judgemental judgmental different normal human gentle firm strict straight
lucky unlucky grateful thankful sound sorted solid top class spot lush mint chuffed gutted skint
honestly apparently obviously luckily thankfully sadly unfortunately fortunately eventually finally
suddenly slowly seriously totally completely absolutely exactly hopefully
english welsh scottish irish british polish romanian lithuanian latvian portuguese spanish italian
french german indian pakistani bangladeshi african caribbean jamaican nigerian somali kurdish black
white asian mixed european muslim christian catholic jewish sikh hindu buddhist
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december spring summer autumn winter christmas easter eid diwali
ramadan weekend weekends morning mornings afternoon evening night
mum mam mom mummy dad daddy mother father nan nanna gran granny grandma grandad grandpa brother sister
son daughter wife husband partner boyfriend girlfriend auntie aunt uncle cousin baby kids kid children
child family friend friends mate mates people person man men woman women lad lads girl girls boy boys
bloke fella lady ladies guy guys women's men's mens womens
nhs gp aa na ca cma smart methadone buprenorphine subutex buvidal espranor naloxone prenoxad nyxoid
naltrexone diazepam valium pregabalin lyrica gabapentin sertraline citalopram fluoxetine mirtazapine
zopiclone tramadol codeine morphine oxycodone fentanyl heroin crack cocaine coke spice ketamine xanax
benzos acamprosate campral antabuse disulfiram librium chlordiazepoxide pabrinex thiamine paracetamol
ibuprofen alcohol drink drinking drugs drug gear script scripts
staff doctor doctors nurse nurses worker workers keyworker practitioner consultant psychiatrist
counsellor manager volunteer volunteers peer peers mentor sponsor police probation prison jail court
hostel shelter home flat town city village england wales britain
treatment detox rehab therapy counselling support help care aftercare appointment appointments
assessment referral review plan plans meeting meetings session sessions step steps twelve book
god lord jesus allah heaven hell army navy forces job jobs work change breaking
london manchester leeds liverpool birmingham bristol sheffield newcastle nottingham leicester bradford
cardiff swansea newport wrexham hull york sunderland middlesbrough blackpool norwich plymouth
southampton portsmouth brighton coventry derby stoke wolverhampton oxford cambridge preston bolton
wigan oldham rochdale salford stockport blackburn burnley doncaster rotherham barnsley wakefield
huddersfield halifax durham gateshead carlisle lancaster exeter bath gloucester swindon reading luton
northampton peterborough ipswich lincoln grimsby scunthorpe
samaritans mind shelter crisis childline crimestoppers humankind turning forward nacro adfam cgl via
addaction phoenix aquarius emmaus salvation barnardos universal credit jobcentre dwp benefits lloyds
barclays natwest santander nationwide tesco asda aldi lidl morrisons
junkie junkies smackhead crackhead addict addicts alcoholic alcoholics scum druggie waster alkie
diff coli
""".split()
    )
    | _TITLES
)
_NOT_SURNAMES = _FUNCTION_WORDS | frozenset(
    "nhs gp monday tuesday wednesday thursday friday saturday sunday january february march april june "
    "july august september october november december".split()
)

# Roles and relations before a name: "my keyworker Sarah", "my son Daniel", "my worker was Xanthe".
_ROLES = frozenset(
    """
keyworker worker caseworker nurse doctor gp psychiatrist psychologist counsellor counselor therapist
prescriber pharmacist mentor navigator officer manager receptionist coordinator co-ordinator advocate
sponsor consultant midwife dentist volunteer supervisor solicitor carer landlord landlady boss
colleague teacher vicar priest imam son daughter partner husband wife boyfriend girlfriend brother
sister mum mam mom mother dad father nan nanna gran granny grandma grandad grandson granddaughter
friend mate neighbour neighbor cousin aunt auntie uncle niece nephew fiance fiancee stepdad stepmum
stepson stepdaughter ex bestie pal flatmate housemate
""".split()
)
# Words that name someone: "a nurse called Tom", "we called her Bex", "my name is dave".
_NAMING = frozenset("called named nicknamed call calls name".split())
# The lower-case words a name is looked for after.
_LEADS = _ROLES | _NAMING
# Words that may stand between a role or a naming word and the name.
_BRIDGE = frozenset("was is were called named nicknamed known as by goes go her him them me us you".split())
_OBJECTS = frozenset("her him them me us you".split())
# Words that take a letter after them ("Plan B", "Hep C", "Class A"): that letter is no initial.
_LETTER_TAKERS = frozenset(
    "a an the plan hep hepatitis vitamin class type grade ward wing block level part option step section "
    "tier category group room bay unit flat floor tower route zone gate door platform exit junction "
    "building stage phase appendix form item question point row seat table channel radio list team "
    "size cup".split()
)

# Words of Latin letters (normalising has made nearly every Latin letter a plain one).
# A possessive 's is left out of the word: "worker's" is a worker, "Sarah's" is Sarah.
_WORD_SPLIT = re.compile(r"((?<![A-Za-z]')[A-Za-z]{1,40}(?:(?:'(?![sS]\b)|-)[A-Za-z]{1,40}){0,3})")
# "my worker, Sarah", "Keyworker: Sarah", "my worker's Sarah", "a nurse called 'Tom'"
_SOFT_GAP = re.compile(r"(?:'s)?\s{0,3}(?:[,:(\"'\-]\s{0,3})?")
# The words a name may start at or follow (initials aside): a title, a given name, a role.
_STARTS = _TITLES | GIVEN_NAMES | _LEADS
_INITIALS = frozenset("ABCDEFGHJKLMNOPQRSTUVWXYZ")  # not I
_TITLE_GAP = re.compile(r"\.?\s{1,3}|\.")  # "Mrs Evans", "Dr. Okafor", "S.Jenkins"


def _names(norm: str) -> list[tuple[int, int]]:
    """Names, in one pass over the words: after a title, a role or a naming word; as an
    initial and a surname; as a given name and a surname; and common given names alone.
    Only capitalised words and the words that lead to a name are looked at closely."""
    parts = _WORD_SPLIT.split(norm)  # gap, word, gap, word ... gap
    texts, gaps = parts[1::2], parts[0::2]  # gaps[i] comes before word i, gaps[i + 1] after it
    offsets = list(accumulate(map(len, parts), initial=0))
    starts, ends = offsets[1::2], offsets[2::2]
    bases = list(map(str.lower, texts))
    # only the words where a name may start or that it may follow are looked at (picked out in C)
    candidates = compress(
        range(len(texts)), map(or_, map(_STARTS.__contains__, bases), map(_INITIALS.__contains__, texts))
    )
    n = len(texts)
    spans: list[tuple[int, int]] = []

    def gap(i: int) -> str:  # what stands between word i and word i + 1
        return gaps[i + 1]

    def shape(i: int) -> str:
        text = texts[i]
        if len(text) == 1:
            return "initial" if text.isupper() else "lower"
        if text.isupper():
            return "upper"  # SARAH
        return "title" if text[0].isupper() else "lower"  # Sarah, McDonald; sarah, iPhone

    def capital(i: int) -> bool:
        return shape(i) in ("title", "upper")

    def surname_follows(i: int) -> bool:
        if i + 1 >= n or not capital(i + 1) or bases[i + 1] in _NOT_SURNAMES or bases[i + 1] in _ORGANISATION_WORDS:
            return False
        between = gap(i)
        return 0 < len(between) <= 3 and between.isspace()

    def name_end(i: int) -> int:  # the end of the name at word i, with its surname
        return ends[i + 1] if surname_follows(i) else ends[i]

    def after_initials(i: int) -> int:  # skip up to three initials ("S. J."): the word after them
        for _ in range(3):
            if i + 1 < n and shape(i) == "initial" and _TITLE_GAP.fullmatch(gap(i)):
                i += 1
        return i

    def organisation(i: int) -> bool:  # "Narcotics Anonymous", "Hope Recovery Cafe"
        for k in range(i, min(n, i + 4)):
            if bases[k] in _ORGANISATION_WORDS:
                return True
            if not (k + 1 < n and capital(k + 1) and gap(k).isspace()):
                return False
        return False

    for i in candidates:
        base, form = bases[i], shape(i)
        if form == "lower" and base not in _LEADS:
            continue  # "will", "mark"
        # a title: "Mrs Evans", "Dr. Okafor", "MRS S. EVANS"
        if base in _TITLES and form != "lower" and i + 1 < n and _TITLE_GAP.fullmatch(gap(i)):
            j = after_initials(i + 1)
            if capital(j) and bases[j] not in _FUNCTION_WORDS:
                spans.append((starts[i], name_end(j)))
        # a role or a naming word, then (after "was", "called", "her" ...) the name:
        # "my keyworker Sarah", "my worker was Xanthe", "we called her Bex", "my name is dave"
        if base in _ROLES or (base in _NAMING and not (i > 0 and bases[i - 1] in _THINGS)):
            j = i + 1
            if base == "name" and not gap(i).startswith("'s"):
                said = i + 1 < n and (bases[i + 1] in ("is", "was") or gap(i).strip() == ":")
                j = j if said else n
            for _ in range(3):
                if j < n and bases[j] in _BRIDGE and _SOFT_GAP.fullmatch(gap(j - 1)):
                    if bases[j] in _OBJECTS and bases[j - 1] not in _NAMING:
                        break  # "called her Bex", not "my mum her"
                    j += 1
                else:
                    break
            if j < n and _SOFT_GAP.fullmatch(gap(j - 1)):
                if bases[j] in GIVEN_NAMES:
                    spans.append((starts[j], name_end(j) if capital(j) else ends[j]))
                elif shape(j) == "title" and bases[j] not in COMMON_WORDS and not organisation(j):
                    spans.append((starts[j], name_end(j)))
        if i > 0 and bases[i - 1] in ("st", "saint") and gap(i - 1) in (" ", ". "):
            continue  # "St Mary's", "St John's Church": a place
        # a given name and a surname: "Sarah Jenkins", "SARAH JONES"
        if capital(i) and base in GIVEN_NAMES and surname_follows(i):
            if form == "title" or base not in _AMBIGUOUS_IN_CAPITALS or bases[i + 1] not in COMMON_WORDS:
                spans.append((starts[i], ends[i + 1]))
        # an initial and a surname: "S. Jenkins", "S Jenkins", "S. J. Jenkins", but not "Plan B. After"
        if form == "initial" and base != "i" and i + 1 < n and _TITLE_GAP.fullmatch(gap(i)):
            dotted = gap(i).startswith(".")
            letter = i > 0 and bases[i - 1] in _LETTER_TAKERS and "." not in gap(i - 1)
            j = after_initials(i)
            if (texts[i] != "A" or dotted) and not letter and bases[j] not in COMMON_WORDS:
                if shape(j) == "title" or (shape(j) == "upper" and len(texts[j]) > 2):
                    spans.append((starts[i], ends[j]))
        # a common given name on its own: "Sunita came round", "then SARAH said"
        if capital(i) and base in GIVEN_NAMES:
            if base not in (_AMBIGUOUS_IN_CAPITALS if form == "upper" else _AMBIGUOUS_ALONE):
                spans.append((starts[i], ends[i]))
    return spans


# --------------------------------------------------------------------------- screening


def _numbers(norm: str, low: int, high: int) -> list[tuple[str, int, int]]:
    """Everything with digits in it, between low and high, most telling kind first."""
    found = [("nhs_number", *m.span(1)) for m in _NHS_NAMED.finditer(norm, low, high)]
    for match in _NHS.finditer(norm, low, high):
        digits = re.sub(r"[^0-9]", "", match.group(0))
        if digits[0] != "0" and _nhs_check_ok(digits):
            found.append(("nhs_number", *match.span()))
    for match in _NINO.finditer(norm, low, high):
        letters, suffix = match.group(1), match.group(2)
        if letters.isupper() or (suffix and letters.lower() not in _SHORT_WORDS):
            found.append(("ni_number", *match.span()))
    found += [("phone", start, end) for start, end in _phones(norm, low, high)]
    found += [("date_of_birth", *m.span()) for m in _DOB.finditer(norm, low, high)]
    found += [("postcode", *m.span()) for m in _POSTCODE.finditer(norm, low, high)]
    found += [("address", *m.span()) for m in _ADDRESS.finditer(norm, low, high)]
    return found


def screen(text: str | None) -> list[Flag]:
    """Everything in the text that looks like a personal detail, in reading order.

    An empty list means the story may be printed (once consent allows it).
    """
    if not text:
        return []
    norm, origin = _normalise(text)
    lower = norm.lower()  # the same length: normalising took out İ, the one letter whose lower case is longer
    taken = bytearray(len(norm))  # 1 where a flag already covers the normalised text
    found: list[tuple[str, int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if start >= end or taken.find(1, start, end) != -1:
            return  # the first and most telling kind keeps an overlapping stretch
        taken[start:end] = b"\x01" * (end - start)
        found.append((kind, start, end))

    for start, end in _emails(norm, lower):
        add("email", start, end)
    for start, end in _handles(norm, lower):
        add("handle", start, end)
    digits = [(m.start() - _BEFORE_DIGIT, m.end() + _AFTER_DIGIT) for m in _DIGITS.finditer(norm)]
    for low, high in _windows(digits, len(norm)):
        for kind, start, end in _numbers(norm, low, high):
            add(kind, start, end)
    for match in _DOB_WORDS.finditer(lower):
        add("date_of_birth", *match.span())
    for start, end in _names(norm):
        add("name", start, end)
    flags = [Flag(kind, *_original_span(text, origin, start, end)) for kind, start, end in found]
    return sorted(flags, key=lambda f: f.start)


def folded(text: str) -> str:
    """The text as screening reads it: look-alike letters, accents, invisible characters and
    odd digits folded to plain ones. Two copies of the same words match after this however
    they were typed (audits.stories.words_sha256 hashes it)."""
    return _normalise(text)[0]


def spans(text: str | None) -> list[tuple[str, int, int]]:
    """The flagged parts of a story as (kind, start, end), in reading order, for a page
    that highlights them: slice the story with them and show each piece as text."""
    return [(flag.kind, flag.start, flag.end) for flag in screen(text)]


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
