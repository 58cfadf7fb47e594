from __future__ import annotations

import re
import signal
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.storage.redact import prepare, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phone numbers, in the ways patients write them
        ("call me at 555-123-4567", "call me at [phone]"),
        ("call me at 555.123.4567", "call me at [phone]"),
        ("call me at 555 123 4567", "call me at [phone]"),
        ("call me at (555) 123-4567", "call me at [phone]"),
        ("call me at (555)123-4567", "call me at [phone]"),
        ("call me at 5551234567", "call me at [phone]"),
        ("call me at +1 (555) 123-4567", "call me at [phone]"),
        ("call me at +1-555-123-4567", "call me at [phone]"),
        ("call me at +15551234567", "call me at [phone]"),
        ("call me at 1-800-555-1234", "call me at [phone]"),
        ("call me at 1.555.123.4567", "call me at [phone]"),
        ("my cell is 123-4567", "my cell is [phone]"),
        ("my uk number is +44 20 7946 0958", "my uk number is [phone]"),
        ("call me at555-123-4567", "call me [id]"),  # glued to a word, it reads as an identifier
        # emails
        ("email me at jane.doe+clinic@example.co.uk thanks", "email me at [email] thanks"),
        ("JANE_DOE@Mail.Example.com", "[email]"),
        # dates
        ("born 03/15/1980", "born [date]"),
        ("born 3/15/80", "born [date]"),
        ("born 15.03.1980", "born [date]"),
        ("born 1980-03-15", "born [date]"),
        ("can I come on 3/15?", "can I come on [date]?"),
        ("my birthday is March 15, 1980", "my birthday is [date]"),
        ("my appointment is on Mar. 15th", "my appointment is on [date]"),
        ("I was born 15 March 1980", "I was born [date]"),
        ("born on the 4th of July 1980", "born on the [date]"),
        ("can I come on the 14th of July", "can I come on the [date]"),
        # street addresses
        ("I live at 123 Main St, Apt 4B", "I live at [address]"),
        ("I live at 4500 N. Oak Park Avenue", "I live at [address]"),
        ("send it to 77 Sunset Blvd.", "send it to [address]"),
        ("mail to PO Box 1234", "mail to [address]"),
        # URLs
        ("see https://example.com/me?id=42 please", "see [url] please"),
        ("my page is www.example.org/jane", "my page is [url]"),
        ("my site is janedoe.com", "my site is [url]"),
        # long runs of digits
        ("my member id is W12345", "my member id is [id]"),
        ("policy 12345678901234567890", "policy [id]"),
        ("ref 12345678901234567890", "ref [number]"),
        ("my zip is 90210", "my zip is [number]"),
        ("card 4111 1111 1111 1111", "card [card]"),
    ],
)
def test_personal_details_are_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "how much does it cost?",
        "is it $750-$800 per infusion?",
        "how long does it last, 2-3 weeks?",
        "are you open 24/7",
        "can I take 1/2 a dose",
        "is 1000 mg a lot",
        "can i drive 2 hours after",
        "what happens at 10:30",
        "can i bring my dr's note",
        "do u have wifi",
        "is there 1 way to pay",
    ],
)
def test_ordinary_questions_are_left_alone(text: str) -> None:
    assert redact(text) == text


_NANP = st.from_regex(r"[2-9]\d\d", fullmatch=True)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """North American numbers in the formats people type, and international ones."""
    if draw(st.booleans()):
        return draw(st.from_regex(r"\+[1-9]\d{1,2}([ .-]?\d{2,4}){3}", fullmatch=True))
    area, exchange, line = draw(_NANP), draw(_NANP), draw(st.from_regex(r"\d{4}", fullmatch=True))
    sep = draw(st.sampled_from(["-", ".", " ", ""]))
    area = draw(st.sampled_from([area, f"({area})", f"({area}) "]))
    country = draw(st.sampled_from(["", "1", "1-", "1 ", "1.", "+1", "+1 ", "+1-", "+1."]))
    return f"{country}{area}{sep}{exchange}{sep}{line}"


_AROUND = st.sampled_from(["{}", "call me at {}", "my number is {}.", "text me ({}) tonight", "cell:{} thanks", "at{}"])


@given(phone_numbers(), _AROUND)
def test_no_generated_phone_number_survives(phone: str, around: str) -> None:
    redacted = redact(around.format(phone))
    assert not re.search(r"\d", redacted), redacted


@given(st.emails(), _AROUND)
def test_no_generated_email_survives(email: str, around: str) -> None:
    redacted = redact(around.format(email))
    assert email not in redacted and "@" not in redacted, redacted


def test_every_dash_in_unicode_becomes_a_hyphen() -> None:
    dashes = [chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Pd"] + ["\u2212"]
    assert prepare("".join(dashes)) == "-" * len(dashes)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 999 + "a",
        "1 " * 499 + "x",
        "five" * 249 + "x",
        "555-" * 250,
        "1." * 499 + "a",
        "ab-" * 333 + "1",
        "x." * 498 + "com",
    ],
    ids=[
        "digits then a letter",
        "spaced digits",
        "spelled digits",
        "phone-like",
        "dotted",
        "hyphenated token",
        "dotted token",
    ],
)
def test_no_question_of_up_to_1000_characters_makes_redaction_backtrack_for_ever(text: str) -> None:
    """A guard, not a timing: exponential backtracking takes minutes on these (24 digits and a letter took
    11 s before), linear matching a few milliseconds; the alarm turns a hang into a failure."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("redact() is backtracking")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        redact(text)  # returning at all is what is tested
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
