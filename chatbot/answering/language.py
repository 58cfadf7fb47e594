"""Which language a message is written in, and the plain form the non-English checks read.

We answer in English and Spanish. A message is Spanish only when the detector is confident, or when two Spanish
words back an unsure lean: a short or mixed message ("hi", "wifi?", "is ketamean a sykadelic drug") is ambiguous,
and an English reply to a Spanish speaker costs less than a Spanish reply to an English speaker who then cannot
read the fallback. A message confidently in another language the detector knows, or written in a
script we cannot read, gets one short bilingual reply; an emergency is caught before any of this.

The detector is lingua (`lingua-language-detector`): offline, restricted to the languages the
emergency check knows, about 0.4 s to load and well under a millisecond to decide. It is loaded
once per process: the server loads it before it answers, the terminal on its first question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = "en"
SPANISH = "es"
OTHER = "other"  # a language we do not answer in: the reply is the bilingual notice
ANSWERED = (ENGLISH, SPANISH)

# How sure lingua must be (its relative confidence, 0 to 1). Spanish needs to lead clearly; another language
# must be near certain and said in a few words at least, since a short English message ("hi", "ok thx") can
# look like anything.
SPANISH_AT_LEAST = 0.45
SPANISH_LEAD = 0.15
OTHER_AT_LEAST = 0.70
OTHER_MIN_WORDS = 3
# Words a short Spanish message gives itself away by when the detector leans Spanish but is not sure
# ("la ketamina da nauseas?"): two of them, in the folded text with shorthand spelled out.
_SPANISH_MARKERS = re.compile(
    r"¿|¡|\b(?:que|como|cuanto|cuanta|cuantos|cuantas|cuando|donde|puedo|puede|tengo|tiene|hay|esta|estoy|los|las|una|del|para|porque"
    r"|mi|me|se|es|el|la|lo|le|muy|pero|con|sin|despues|antes|usted|ketamina|infusion|infusiones|dolor|cita|clinica|efectos"
    r"|esposo|esposa|marido|mama|papa|hijo|hija|abuela|abuelo|hermano|hermana"
    r"|debo|debe|necesito|quiero|quisiera|hola|buenos|buenas|dias|gracias|pregunta|informacion|hora|abren|aceptan"
    r"|estan|tienen|ustedes|cobran|cobra|nos|vemos)\b"
)
# Tagalog and Haitian Creole words that neither English nor Spanish uses: two of them and the message is in a language
# we do not answer in. The detector knows neither language (given Tagalog, it takes Spanish questions for it).
_ELSEWHERE_MARKERS = re.compile(
    r"\b(?:po|ang|ng|mga|ako|siya|niya|hindi|pwede|naman|kasi|mwen|nou|kijan|eske|konbyen|bezwen|anpil|pou"
    r"|kounye)\b"
)
# Shorthand people text in Spanish, whole words only.
_SHORTHAND = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "xk": "porque",
    "x": "por",
    "xfa": "por favor",
    "xfavor": "por favor",
    "plis": "por favor",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
    "toy": "estoy",
    "toi": "estoy",
    "sta": "esta",
    "ta": "esta",
    "stoy": "estoy",
    "ntp": "no te preocupes",
    "porfa": "por favor",
    "porfis": "por favor",
    "grax": "gracias",
    "grx": "gracias",
    "grs": "gracias",
    "bno": "bueno",
    "tqm": "te quiero mucho",
    "aki": "aqui",
    "aca": "aqui",
    "ahorita": "ahora",
    "orita": "ahora",
    "ahoritita": "ahora",
    "nomas": "no mas",
    "pa": "para",
    "mami": "mama",
    "papi": "papa",
    "resira": "respira",
    "respia": "respira",
    "convulcion": "convulsion",
    "convulciones": "convulsiones",
    "convulcionando": "convulsionando",
    "desmallo": "desmayo",
    "desmallado": "desmayado",
    "desmallada": "desmayada",
    "ise": "hice",
    "iso": "hizo",
    "suisidar": "suicidar",
    "suisidarme": "suicidarme",
}
_WORD = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lower case without accents or invisible characters, whitespace collapsed: how people type on phones.

    "¿Está respirando?" and "esta respirando" read the same, so the non-English patterns need only one spelling.
    """
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = (" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] not in "MC")
    return " ".join("".join(kept).lower().split())


def latin_words(text: str) -> list[str]:
    """The folded words of Latin letters: "¿Qué es?" gives "que", "es"."""
    return _LATIN_WORD.findall(fold(text))


def spanish_words(text: str) -> str:
    """The folded text with Spanish SMS shorthand spelled out: "q tengo k hacer" reads "que tengo que hacer"."""
    return " ".join(_SHORTHAND.get(word, word) for word in _WORD.findall(fold(text)))


@dataclass(frozen=True)
class Reading:
    """Which language a message is answered in, and whether it leans to one we do not answer in."""

    lang: str  # `en`, `es`, or `other` for a message in a language we do not answer in
    # Read as English, but the detector's best guess, however unsure, is another language: "li pa respire"
    # (Haitian Creole, which the detector does not know) leans French. If nothing answers it, the bilingual
    # reply with 911 and 988 serves its writer better than the English fallback.
    leans_elsewhere: bool = False


def detect(text: str) -> str:
    """`en`, `es`, or `other` for a message in a language we do not answer in."""
    return read(text).lang


def read(text: str, english: Collection[str] = frozenset()) -> Reading:
    """The message's language, asking the detector once.

    Args:
        text: the patient's message.
        english: words known to be English. A message made of them only leans nowhere, however the detector
            ranks it: on a few words it is unsure ("whats the wifi password" leans Italian), and the English
            fallback answers its writer better than the bilingual reply.
    """
    letters = _LETTER.findall(text)
    if not letters:
        return Reading(ENGLISH)
    if sum(ch.isascii() for ch in fold("".join(letters))) < len(letters) / 2:
        # Mostly another script (Chinese, Arabic, Cyrillic...): not a language we answer in.
        return Reading(OTHER)
    folded = spanish_words(text)
    if len(_ELSEWHERE_MARKERS.findall(folded)) >= 2:
        return Reading(OTHER)
    # Accents are half of what tells Vietnamese, Portuguese or French apart: the detector sees them.
    ranked = _detector_says(" ".join(text.lower().split()))
    if not ranked:
        return Reading(ENGLISH)
    (best, confidence), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    marked = len(_SPANISH_MARKERS.findall(folded)) >= 2
    if best == SPANISH and ((confidence >= SPANISH_AT_LEAST and confidence - runner_up >= SPANISH_LEAD) or marked):
        return Reading(SPANISH)
    if best not in ANSWERED and confidence >= OTHER_AT_LEAST and len(folded.split()) >= OTHER_MIN_WORDS:
        return Reading(OTHER)
    # On a few words the detector takes Spanish for its neighbours ("como saco cita?" leans Portuguese, "mi mama se
    # tomo el cloro" Italian); short of near certainty for them, two Spanish words decide. On every set's tuning half
    # this read 18 Spanish messages as Spanish that were English before, and no English message as Spanish.
    if best not in ANSWERED and marked:
        return Reading(SPANISH)
    known = all(word in english for word in latin_words(text))
    return Reading(ENGLISH, leans_elsewhere=best not in ANSWERED and confidence > 0 and not known)


def _detector_says(text: str) -> list[tuple[str, float]]:
    """Languages by lingua's relative confidence, most likely first."""
    return [
        (v.language.iso_code_639_1.name.lower(), float(v.value))
        for v in detector().compute_language_confidence_values(text)
    ]


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """lingua, restricted to the languages the emergency check knows (loaded once, ~0.4 s)."""
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.SPANISH,
            Language.PORTUGUESE,
            Language.FRENCH,
            Language.GERMAN,
            Language.ITALIAN,
            Language.VIETNAMESE,
        )
        .with_preloaded_language_models()
        .build()
    )
