"""Twilio's side of the SMS channel: who is asking (the signature on its webhook) and what goes back (TwiML
a phone takes well: GSM-7 friendly, within one outbound message, escaped). Nothing here decides what to say;
that is the desk's (`desk.py`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from chatbot.errors import ForgedRequest, SmsNotConfigured
from chatbot.settings import Settings

MAX_SMS_CHARS = 1600  # Twilio's limit for one outbound message (ten concatenated segments)
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


# -- who is asking: Twilio's signature ---------------------------------------------------------


def twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's `X-Twilio-Signature` for a form POST to `url`.

    HMAC-SHA1 keyed with the auth token over the full URL followed by every parameter's name and
    value, sorted by name (a name sent several times contributes each of its values, in sorted
    order), base64-encoded.
    """
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def check_signature(token: str, url: str, params: Iterable[tuple[str, str]], header: str | None) -> None:
    """Accept the request only if `header` is Twilio's signature of it.

    Raises:
        ForgedRequest: the header is missing or wrong.
    """
    if not header:
        raise ForgedRequest("no X-Twilio-Signature header")
    expected = twilio_signature(token, url, params)
    if not hmac.compare_digest(expected.encode("utf-8"), header.encode("utf-8")):
        raise ForgedRequest("X-Twilio-Signature does not match the request")


@dataclass(frozen=True)
class Verifier:
    """How inbound webhooks are authenticated, decided once from the settings."""

    token: str
    public_url: str
    enabled: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Verifier:
        return cls(settings.twilio_auth_token, settings.public_url, settings.twilio_verify)

    def check(self, path_and_query: str, params: Iterable[tuple[str, str]], header: str | None) -> None:
        """Accept a form POST to `path_and_query` (under the public URL) only if Twilio signed it.

        Raises:
            SmsNotConfigured: verification is on but the token or the public URL is missing.
            ForgedRequest: the signature is missing or wrong.
        """
        if not self.enabled:
            return
        self.expect_signature(header)
        check_signature(self.token, self.public_url + path_and_query, params, header)

    def expect_signature(self, header: str | None) -> None:
        """Refuse at once what cannot be signed, before its body is read: an unsigned body is never parsed.

        Raises:
            SmsNotConfigured: verification is on but the token or the public URL is missing.
            ForgedRequest: verification is on and there is no signature.
        """
        if not self.enabled:
            return
        if not self.token or not self.public_url:
            raise SmsNotConfigured(
                "CHATBOT_TWILIO_AUTH_TOKEN and CHATBOT_PUBLIC_URL are needed to check Twilio's signature"
            )
        if not header:
            raise ForgedRequest("no X-Twilio-Signature header")


# -- what goes back: TwiML -------------------------------------------------------------------

# Characters outside GSM-7 that would make the carrier bill the whole message as UCS-2
# (70 characters a segment instead of 160), mapped to their plain equivalents.
_GSM7_FRIENDLY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u2022": "-",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)


def gsm7_friendly(text: str) -> str:
    """Curly quotes, dashes, ellipses and odd spaces turned into their plain ASCII forms."""
    return text.translate(_GSM7_FRIENDLY)


def clip(text: str, limit: int = MAX_SMS_CHARS) -> str:
    """At most `limit` characters; a cut text ends with "..." after the last whole word that fits."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "..."


def _xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry at all."""
    return "".join(c for c in text if c in "\t\n\r" or unicodedata.category(c) != "Cc")


def twiml(text: str | None) -> str:
    """TwiML that sends `text` (GSM-7 friendly, clipped, escaped) back; no text sends nothing."""
    if not text:
        return f"{_XML_DECLARATION}<Response/>"
    message = escape(_xml_safe(clip(gsm7_friendly(text))))
    return f"{_XML_DECLARATION}<Response><Message>{message}</Message></Response>"
