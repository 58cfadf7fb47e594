"""Remove a patient's personal details from a message before anything keeps it.

`redact(text)` replaces URLs, email addresses, dates, phone numbers, street addresses and long
runs of digits with a bracketed word (`[url]`, `[email]`, `[date]`, `[phone]`, `[address]`,
`[number]`), so a stored question still reads as a question ("can I come on [date]?") but names
no one. Names are not recognised: nothing here can tell "Rose" from "rose".

The rules run in a fixed order, each on what the previous ones left: a URL may hold an email or
digits, and an address starts with a house number. Phone numbers go before dates so that no date
rule can take a piece out of one ("+33 12.03.80"), but a run that is exactly a date
("15.03.1980") is left to the date rules.
"""

from __future__ import annotations

import re

URL = "[url]"
EMAIL = "[email]"
DATE = "[date]"
PHONE = "[phone]"
ADDRESS = "[address]"
NUMBER = "[number]"

MIN_PHONE_DIGITS = 7  # a local number without area code
MAX_PHONE_DIGITS = 15  # the longest international number (E.164)
MIN_LONG_DIGITS = 5  # ZIP codes, member and account numbers

_URL = re.compile(r"(?<![\w.@-])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# The local part allows every character RFC 5322 allows unquoted; the domain needs at least one dot.
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|co|us|info|biz|me|health)\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)

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
    # 3/15 (month/day only, slashes only: "2-3 weeks" is not a date, nor are "24/7" and "1/2")
    re.compile(rf"{_ALONE_BEFORE}(?!(?:1/[234]|2/3|3/4)(?![\d/]))(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01]){_ALONE_AFTER}"),
]
_DATES = [
    *_NUMERIC_DATES,
    # March 15, March 15th 2024, Mar. 15, '24
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s*(?:\d{{4}}|'\d{{2}})\b)?", re.IGNORECASE),
    # 15 March, 15th of March 2024
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])(?:,?\s*\d{{4}}\b)?", re.IGNORECASE),
]

# A run of digits with the separators phone numbers are written with: +1 (555) 123-4567, 555.123.4567.
_PHONE_LIKE = re.compile(r"(?<!\d)\+?\(?\d[\d\s().-]*\d")

_STREET = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|terrace|ter"
    r"|circle|cir|highway|hwy|parkway|pkwy|trail|trl|square|sq|route|rte)"
)
_ADDRESSES = [
    # 123 Main St, 4500 N. Oak Park Avenue Apt 4B (a name between number and street: "1 way" is not one)
    re.compile(
        rf"\b\d{{1,6}}[a-z]?\s+(?:[\w.'-]+\s+){{1,4}}?{_STREET}\b\.?"
        r"(?:,?\s*(?:apt|apartment|suite|ste|unit|#)\.?\s*[\w-]+)?",
        re.IGNORECASE,
    ),
    re.compile(r"\bp\.?\s*o\.?\s*box\s+\d+", re.IGNORECASE),
]

_LONG_DIGITS = re.compile(rf"\d{{{MIN_LONG_DIGITS},}}")


def redact(text: str) -> str:
    """The message with its personal details replaced by bracketed words.

    Args:
        text: a patient's message, as they sent it.

    Returns:
        The same message with URLs, emails, dates, phone numbers, street addresses and runs of
        five or more digits replaced.
    """
    text = _URL.sub(URL, text)
    text = _EMAIL.sub(EMAIL, text)
    text = _BARE_DOMAIN.sub(URL, text)
    text = _PHONE_LIKE.sub(_phone_or_number, text)
    for pattern in _DATES:
        text = pattern.sub(DATE, text)
    for pattern in _ADDRESSES:
        text = pattern.sub(ADDRESS, text)
    return _LONG_DIGITS.sub(NUMBER, text)


def _phone_or_number(match: re.Match[str]) -> str:
    """A phone number if it has as many digits as one; a longer run (a card number) is just a number."""
    digits = sum(ch.isdigit() for ch in match.group())
    if digits < MIN_PHONE_DIGITS or any(date.fullmatch(match.group()) for date in _NUMERIC_DATES):
        return match.group()
    return PHONE if digits <= MAX_PHONE_DIGITS else NUMBER
