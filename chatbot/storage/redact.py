"""Remove a patient's personal details from a message before anything keeps it: a privacy control.

`redact(text)` first writes the text plainly (`prepare`: Unicode NFKC, so full-width digits are
digits; zero-width and control characters gone; every dash a "-"), then finds the details in it
(`find`) and replaces each with a bracketed word: `[phone]`, `[email]`, `[url]`, `[date]`,
`[address]`, `[id]` (insurance and member numbers), `[card]`, `[number]` (other runs of five or
more digits) and `[name]`. A stored question still reads as a question ("can I come on [date]?").

Phone numbers are found by Google's libphonenumber (`phonenumbers.PhoneNumberMatcher`, region US,
leniency POSSIBLE: a number only needs a length some country's numbers have, since a patient's
number need not be a valid assigned one, and 555 numbers are not) and, behind it, by runs of digits
and spelled-out digits ("five five five, 4 0 2 ...") seven or more long. Everything else is by rule.
Each finder reports spans of the prepared text; overlapping spans merge, so no rule can leave half
of what another found.

Names are caught only where the message introduces them ("this is", "my name is", "my husband",
"Dr.", a sign-off, "... here"): a name the text gives no sign of ("Rose" or "rose") is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from phonenumbers import Leniency, PhoneNumberMatcher

from chatbot.answering.normalise import clean

URL = "[url]"
EMAIL = "[email]"
DATE = "[date]"
PHONE = "[phone]"
ADDRESS = "[address]"
ID = "[id]"
CARD = "[card]"
NUMBER = "[number]"
NAME = "[name]"

MIN_PHONE_DIGITS = 7  # a local number without area code
MAX_PHONE_DIGITS = 15  # the longest international number (E.164)
MIN_LONG_DIGITS = 5  # ZIP codes, member and account numbers
MIN_ID_DIGITS = 4  # a token of letters and at least this many digits is an identifier
CARD_DIGITS = range(13, 20)

# Unicode's dash punctuation (category Pd, as of Python 3.11's Unicode 14) and the minus sign.
_DASHES = str.maketrans(
    dict.fromkeys(
        "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
        "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212",
        "-",
    )
)


@dataclass(frozen=True)
class Span:
    """One personal detail found in a prepared text: `text[start:end]`, to be replaced by `label`."""

    start: int
    end: int
    label: str


def prepare(text: str) -> str:
    """The text as redaction reads and stores it: NFKC, no invisible or control characters, one space
    between words, every dash "-"."""
    return clean(text).translate(_DASHES)


def redact(text: str) -> str:
    """The message, prepared, with its personal details replaced by bracketed words.

    Args:
        text: a patient's message, as they sent it.

    Returns:
        The prepared message (see `prepare`) with every span `find` reports replaced.
    """
    text = prepare(text)
    pieces, last = [], 0
    for span in find(text):
        pieces += [text[last : span.start], span.label]
        last = span.end
    return "".join(pieces) + text[last:]


def find(text: str) -> list[Span]:
    """The personal details in a prepared text, in order, none overlapping."""
    found = [span for finder in _FINDERS for span in finder(text)]
    return _merge(_extend(text, found))


# -- URLs and email addresses ------------------------------------------------------------------

_URL = re.compile(r"(?<![\w.@-])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    r"(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|co|us|info|biz|me|health)\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# Any unquoted RFC 5322 local part, "@" with a space either side or none, and a domain with or without a dot.
# (Each starts where its first part starts, never inside it: a long token is scanned once, not once per character.)
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+ ?@ ?[a-z0-9][\w-]*(?:\.[\w-]+)*", re.IGNORECASE
)
# Written out to dodge filters: "jane.doe at gmail dot com", "jane [at] gmail [dot] com", "jane(at)gmail.com".
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_PART = r"[a-z0-9][\w'+-]*"
_MAIL_PROVIDERS = r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|aol|protonmail|proton|fastmail|comcast|gmx|zoho)"
_TLD = r"(?:com|net|org|edu|gov|io|co|us|uk|ca|mx|fr|de|info|biz)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w'+.-]){_PART}(?:{_DOT}{_PART})*{_AT}(?:(?:{_PART}{_DOT})+{_TLD}\b|{_MAIL_PROVIDERS}\b)", re.IGNORECASE
)


def _urls(text: str) -> Iterator[Span]:
    yield from _spans(_URL, text, URL)
    yield from _spans(_BARE_DOMAIN, text, URL)


def _emails(text: str) -> Iterator[Span]:
    yield from _spans(_EMAIL, text, EMAIL)
    yield from _spans(_SPELLED_EMAIL, text, EMAIL)


# -- phone numbers, card numbers and other runs of digits -------------------------------------

_DIGIT_WORDS = {
    "zero": 1,
    "oh": 1,
    "o": 1,
    "one": 1,
    "two": 1,
    "three": 1,
    "four": 1,
    "five": 1,
    "six": 1,
    "seven": 1,
    "eight": 1,
    "nine": 1,
}
# Possessive (\d++): a run of digits is one item, never split two ways, so a long run followed by a
# letter fails in linear time instead of trying every way of cutting it (exponential backtracking).
_DIGIT_ITEM = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d++|o(?=[\s\d-]))"
# Digits and spelled-out digits, glued or apart: "5 5 5", "555_782_1109", "fivefivefive 2098882", "555-O12-3456".
# A run starts at a word's start, or at digits glued to a word ("call5551234567").
_DIGIT_RUN = re.compile(
    rf"(?:(?<![\w+])|(?<=[^\W\d_])(?=[+\d]))\+?{_DIGIT_ITEM}(?:[\s,.()/_-]*{_DIGIT_ITEM})*(?!\w)", re.IGNORECASE
)
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|;ext=)\s*\d{1,6}\b", re.IGNORECASE)
_LONG_DIGITS = re.compile(rf"\d{{{MIN_LONG_DIGITS},}}")


def _phones(text: str) -> Iterator[Span]:
    for match in PhoneNumberMatcher(text, "US", leniency=Leniency.POSSIBLE):
        yield Span(match.start, match.end, PHONE)


def _digit_runs(text: str) -> Iterator[Span]:
    """Runs of seven or more digits, spelled out or not: a card number if it is one, else a phone
    number, else (longer than any phone number) just a number. A run that is a date is the date's."""
    for match in _DIGIT_RUN.finditer(text):
        digits = _digits(match.group())
        if len(digits) < MIN_PHONE_DIGITS or any(date.fullmatch(match.group()) for date in _NUMERIC_DATES):
            continue
        if len(digits) in CARD_DIGITS and _luhn(digits):
            yield Span(match.start(), match.end(), CARD)
        else:
            yield Span(match.start(), match.end(), PHONE if len(digits) <= MAX_PHONE_DIGITS else NUMBER)


def _digits(run: str) -> str:
    words = re.findall(_DIGIT_ITEM, run, re.IGNORECASE)
    return "".join(word if word.isdigit() else "0" for word in words)


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _long_numbers(text: str) -> Iterator[Span]:
    yield from _spans(_LONG_DIGITS, text, NUMBER)


# -- card details, insurance and member numbers, social security numbers -----------------------

# The part of a card a patient names on its own: "ending in 4242", "last 4 are 8831", "cvv 771", "exp 09/27".
_CARD_PART = re.compile(
    r"\b(?:ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?(?:\s+of\s+(?:my\s+)?[a-z]+(?:\s+security)?)?"
    r"(?:\s+(?:are|is))?|cvv2?|cvc|csc|security\s+code|code\s+on\s+the\s+back(?:\s+is)?"
    r"|exp(?:iry|iration)?(?:\s+date)?)\s*[:#-]?\s*(\d[\d/]*\d|\d)",
    re.IGNORECASE,
)
# Medicare Beneficiary Identifier: 1EG4-TE5-MK73 (digit, letter, letter or digit, digit, ...).
_MBI = re.compile(r"\b[1-9][a-z][a-z0-9]\d-?[a-z][a-z0-9]\d-?[a-z]{2}\d{2}\b", re.IGNORECASE)
# A token of letters and digits: member and claim numbers (XJH123456789, GRP-55102, 2024-CLM-88213).
_ALPHANUMERIC = re.compile(
    r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9][a-z0-9-]{3,}[a-z0-9](?![\w-])", re.IGNORECASE
)
# What follows a word that names an identifier: "member id ZGP 448 129 307", "ssn 123 45 6789".
_ID_NAMED = re.compile(
    r"\b(?:member|subscriber|policy|group|grp|medicare|medicaid|medi-cal|mbi|bic|mrn|claim|account|acct|id"
    r"|ssn|ss|social(?:\s+security)?|soc\.?\s+sec\.?)"
    r"(?:\s*(?:id|number|num|no\.?|#|card))*\s*(?:is|are|was|:|=)?\s*#?\s*"
    r"((?:[a-z]{1,4}[\s-]?)?\d[\w-]*(?:\s+\d[\w-]*)*)",
    re.IGNORECASE,
)


def _card_parts(text: str) -> Iterator[Span]:
    for match in _CARD_PART.finditer(text):
        yield Span(match.start(1), match.end(1), CARD)


def _identifiers(text: str) -> Iterator[Span]:
    yield from _spans(_MBI, text, ID)
    for match in _ALPHANUMERIC.finditer(text):
        if sum(ch.isdigit() for ch in match.group()) >= MIN_ID_DIGITS:
            yield Span(match.start(), match.end(), ID)
    for match in _ID_NAMED.finditer(text):
        yield Span(match.start(1), match.end(1), ID)


# -- dates -------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
# Numeric dates stand alone: "+1.555.12.34" is a phone number, not a date followed by digits.
_ALONE_BEFORE = r"(?<![\d+./-])"
_ALONE_AFTER = r"(?![\d]|[./-]\d)"
_NUMERIC_DATES = [
    # 2024-03-15, 2024/3/15
    re.compile(rf"{_ALONE_BEFORE}\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}{_ALONE_AFTER}"),
    # 3/15/2024, 03-15-24, 15.03.2024
    re.compile(rf"{_ALONE_BEFORE}\d{{1,2}}[-/.]\d{{1,2}}[-/.](?:\d{{4}}|\d{{2}}){_ALONE_AFTER}"),
    # 3/15 (month/day only, slashes only: "2-3 weeks" is not a date, nor are "24/7", "1/2" and "8/10")
    re.compile(
        rf"{_ALONE_BEFORE}(?!(?:1/[234]|2/3|3/4|\d/10)(?![\d/]))(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]){_ALONE_AFTER}"
    ),
]
_SPELLED_YEAR = (
    r"(?:nineteen|twenty|two\s+thousand(?:\s+and)?)[\s-]+(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|one|two|three|four|five|six|seven|eight|nine)"
)
_DATES = [
    *_NUMERIC_DATES,
    # March 15, March 15th 2024, Mar. 15, '24
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s*(?:\d{{4}}|'\d{{2}})\b)?", re.IGNORECASE),
    # 15 March, 15th of March 2024
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s*\d{{4}}\b)?", re.IGNORECASE),
    # March 1980
    re.compile(rf"\b{_MONTH}\s+(?:of\s+)?\d{{4}}\b", re.IGNORECASE),
]
# A year alone is only personal as a year of birth: "born in 1972", "born '80", "DOB 1985".
_BIRTH_YEAR = re.compile(
    r"\b(?:born|b\.|dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|year\s+of\s+birth)\W*(?:(?:is|was|in|on)\s+)*"
    rf"(\d{{4}}|'\d{{2}}|{_SPELLED_YEAR})(?!\w)",
    re.IGNORECASE,
)


# Holidays named by their date ("open on the 4th of July?") are everyone's; with a year they are a birthday.
_HOLIDAYS = frozenset({(1, 1), (2, 14), (7, 4), (10, 31), (11, 11), (12, 24), (12, 25), (12, 31)})
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NUMBERS = {name: n for n, name in enumerate(_MONTHS, start=1)}


def _dates(text: str) -> Iterator[Span]:
    for pattern in _DATES:
        for match in pattern.finditer(text):
            if not _holiday(match.group()):
                yield Span(match.start(), match.end(), DATE)
    for match in _BIRTH_YEAR.finditer(text):
        yield Span(match.start(1), match.end(1), DATE)


def _holiday(date: str) -> bool:
    """A written month and day, without a year, that is a public holiday."""
    month = re.search(r"[a-z]{3}", date, re.IGNORECASE)
    numbers = re.findall(r"\d+", date)
    if month is None or len(numbers) != 1 or len(numbers[0]) > 2:
        return False
    return (_MONTH_NUMBERS.get(month.group().lower(), 0), int(numbers[0])) in _HOLIDAYS


# -- street and postal addresses ---------------------------------------------------------------

_STREET = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|terrace|ter"
    r"|circle|cir|highway|hwy|parkway|pkwy|trail|trl|square|sq|route|rte|crescent|cres|path|concourse|loop"
    r"|plaza|plz|alley|expressway|expy|freeway|fwy|turnpike|tpke|pike|crossing)"
)
_UNIT = r"(?:apt|apartment|suite|ste|unit|lot|bldg|building|fl|floor|room|rm|#)"
# fmt: off
_STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
]
# fmt: on
_ADDRESSES = [
    # 123 Main St, N6542 County Road K, 4500 N. Oak Park Avenue Northeast Apt 4B, 47 W 13th Street, 2nd floor
    re.compile(
        rf"\b[nsew]?\d{{1,6}}[a-z]?\s+(?:[\w.'-]+\s+){{1,4}}?{_STREET}\b\.?"
        r"(?:\s+(?:north|south|east|west|northeast|northwest|southeast|southwest|[nsew]{1,2}|[a-z]|\d+)\b)?"
        rf"(?:,?\s*{_UNIT}\.?\s*#?\s*[\w-]+|,?\s*\d+(?:st|nd|rd|th)\s+floor)*",
        re.IGNORECASE,
    ),
    # 1450 Calle del Sol
    re.compile(r"\b\d{1,6}\s+(?:calle|avenida|camino|paseo|via|rue)\b(?:\s+[\w'-]+){1,3}", re.IGNORECASE),
    # PO Box 1234, Rural Route 2, RR 2 Box 45, HC 65 Box 210
    re.compile(
        r"\b(?:p\.?\s*o\.?\s*box\s*\d+|(?:rural\s+route|r\.?r\.?|h\.?c\.?|star\s+route)\s*\d+(?:\s*,?\s*box\s*\d+)?)",
        re.IGNORECASE,
    ),
    # apt 3, apartment 5C
    re.compile(r"\b(?:apt|apartment|unit|suite|ste)\.?\s*#?\s*\d+[a-z]?\b", re.IGNORECASE),
]
# After an address: ", Springfield IL 62704", ", Fond du Lac WI", " Houston 77002", ", Hinton" (case matters here).
_CITY = r"[A-Z][^\W\d_]*(?:['-][^\W\d_]+)*"
_ADDRESS_TAIL = re.compile(
    rf",?\s*(?:{_CITY}(?:\s+(?:[a-z]{{1,3}}\s+)?{_CITY}){{0,2}}(?=\s*(?:,|$|[.;!?]|\s+(?:{'|'.join(_STATES)})\b|\s+\d{{5}}))"
    rf"|[a-z]+$)?(?:,?\s*(?:{'|'.join(_STATES)})\b)?(?:,?\s*\d{{5}}(?:-\d{{4}})?)?"
)


def _addresses(text: str) -> Iterator[Span]:
    for pattern in _ADDRESSES:
        yield from _spans(pattern, text, ADDRESS)


# -- names -------------------------------------------------------------------------------------

_INTRODUCTIONS = (
    r"this\s+is|i\s+am|i'm|it's|its|my\s+name\s+is|my\s+name's|name\s+is|name\s*:|patient(?:\s+name)?\s*:"
    r"|call\s+me|ask\s+for|message\s+for|booking\s+for|writing\s+for|on\s+behalf\s+of|from|signed,?"
    r"|thanks,?|thank\s+you,?|regards,?|cheers,?|xoxo,?|sincerely,?|love,?|best,?"
    r"|dr\.?|doctor|mr\.?|mrs\.?|ms\.?|miss|nurse"
    r"|my\s+(?:mom|mother|dad|father|husband|wife|son|daughter|partner|sister|brother|grandfather|grandmother"
    r"|grandma|grandpa|caseworker|cousin|friend|aunt|uncle|boyfriend|girlfriend|fianc[eé]e?|kid|child|niece|nephew),?"
)
_NAME_WORD = r"[^\W\d_][^\W\d_'-]*(?:['-][^\W\d_]+)*"
_NAME_WORDS = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_INTRODUCED = re.compile(rf"\b(?:{_INTRODUCTIONS})\s+({_NAME_WORDS})", re.IGNORECASE)
_HERE = re.compile(
    rf"^(?:(?:hi|hello|hey)\W+)?({_NAME_WORDS})\s+(?:here|is\s+my\s+name|es\s+mi\s+nombre)\b", re.IGNORECASE
)
_SIGNED_OFF = re.compile(rf"(?:-\s*|[.!?]\s+)({_NAME_WORDS})\W*$")
_OPENING = re.compile(rf"^({_NAME_WORD}\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})(?:\s+-\s|\s*<)")
# fmt: off
_PARTICLES = frozenset([
    "de", "del", "della", "da", "di", "dos", "das", "du", "van", "von",
    "der", "den", "la", "le", "bin", "ibn", "al", "el", "y",
])
# fmt: on
# Capitalised words that are not names: the clinic's world, days, months and words that start sentences.
# fmt: off
_NOT_NAMES = frozenset([
    "i", "i'm", "im", "dr", "mr", "mrs", "ms", "miss", "nurse", "doctor", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "today", "tomorrow", "tonight",
    "yesterday", "medicare", "medicaid", "aetna", "cigna", "humana", "tricare", "kaiser", "bcbs", "uhc", "blue",
    "cross", "shield", "united", "unitedhealthcare", "ketamine", "spravato", "covid", "fda", "va", "hsa", "fsa",
    "carecredit", "zofran", "xanax", "the", "a", "an", "and", "or", "but", "so", "is", "are", "was", "my", "your",
    "our", "his", "her", "their", "this", "that", "it", "its", "hi", "hello", "hey", "thanks", "thank", "please", "yes",
    "no", "ok", "okay", "not", "again", "here", "there", "about", "for", "with", "from", "on", "in", "at", "to", "of",
    "by", "if", "can", "could", "would", "should", "do", "does", "did", "how", "what", "when", "where", "who", "why",
    "which", "regards", "best", "love", "cheers", "sincerely", "email", "phone", "cell", "number", "address", "dob",
    "ssn", "id", "member", "patient", "name", "appointment", "infusion", "clinic", "office",
])
# fmt: on
_LOWER_CASE_ALLOWED = re.compile(r"(?:my\s+)?name(?:\s+is|'s|\s*:)", re.IGNORECASE)


def _names(text: str) -> Iterator[Span]:
    for match in _INTRODUCED.finditer(text):
        lower_ok = bool(_LOWER_CASE_ALLOWED.fullmatch(text[match.start() : match.start(1)].strip()))
        yield from _name_span(match.group(1), match.start(1), lower_ok)
    # Without an introduction, every word must look like a name: "Grace period - ..." is not one.
    for pattern in (_HERE, _SIGNED_OFF, _OPENING):
        for match in pattern.finditer(text):
            yield from _name_span(match.group(1), match.start(1), lower_ok=False, whole=True)


def _name_span(words: str, start: int, lower_ok: bool, whole: bool = False) -> Iterator[Span]:
    """The leading words that can be a name: capitalised (or, after "my name is", any) and not a known
    word; particles ("del", "van") only between two such words. `whole`: all of them, or none."""
    taken: list[tuple[int, int]] = []
    every = list(re.finditer(_NAME_WORD, words))
    for match in every:
        word = match.group()
        if word.lower() in _PARTICLES and taken:
            continue
        if (
            word.lower() in _NOT_NAMES or not (word[0].isupper() or lower_ok) or (len(word) > 1 and word[:2].isupper())
        ):  # TMJ, OD'd
            if whole:
                return
            break
        taken.append((match.start(), match.end()))
    if taken:
        yield Span(start + taken[0][0], start + taken[-1][1], NAME)


# -- putting it together -----------------------------------------------------------------------

_FINDERS: list[Callable[[str], Iterable[Span]]] = [
    _urls,
    _emails,
    _dates,
    _phones,
    _digit_runs,
    _card_parts,
    _identifiers,
    _addresses,
    _long_numbers,
    _names,
]


def _spans(pattern: re.Pattern[str], text: str, label: str) -> Iterator[Span]:
    for match in pattern.finditer(text):
        yield Span(match.start(), match.end(), label)


_TAILS = {PHONE: _EXTENSION, ADDRESS: _ADDRESS_TAIL}
# When spans overlap and start together, the longest names the merged span; on a tie, the first here.
_PRECEDENCE = {label: n for n, label in enumerate([URL, EMAIL, DATE, CARD, PHONE, ID, ADDRESS, NUMBER, NAME])}


def _extend(text: str, spans: list[Span]) -> list[Span]:
    """A phone number takes its extension ("x204", "ext. 12"), an address its city, state and ZIP."""
    extended = []
    for span in spans:
        tail = _TAILS.get(span.label)
        match = tail.match(text, span.end) if tail else None
        extended.append(Span(span.start, match.end(), span.label) if match and match.group().strip(" ,") else span)
    return extended


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one, labelled by the one that starts first (see `_PRECEDENCE` for ties)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, _PRECEDENCE[s.label])):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.label)
        else:
            merged.append(span)
    return merged
