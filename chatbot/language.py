"""Which language a message is written in, and the plain form the non-English checks read.

We answer in English and Spanish. A message is Spanish only when the detector is confident: a
short or mixed message ("hi", "wifi?", "is ketamean a sykadelic drug") is ambiguous, and an English
reply to a Spanish speaker costs less than a Spanish reply to an English speaker who then cannot
read the fallback. A message confidently in another language the detector knows, or written in a
script we cannot read, gets one short bilingual reply; an emergency is caught before any of this.

The detector is lingua (`lingua-language-detector`): offline, restricted to the languages the
emergency check knows, about 0.4 s to load and well under a millisecond to decide. It is loaded
once per process, on first use, and only for messages that hint at something other than English:
plain-ASCII text without a Spanish or other foreign function word is English without asking it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH = "en"
SPANISH = "es"
OTHER = "other"  # a language we do not answer in: the reply is the bilingual notice
ANSWERED = (ENGLISH, SPANISH)

# How sure lingua must be (its relative confidence, 0 to 1) before a reply is not in English.
CONFIDENT = 0.80
# Words that are common in the other languages and rare in English patients' messages: their presence
# is what makes a plain-ASCII message worth asking the detector about.
_FOREIGN_WORDS = re.compile(
    r"\b(?:que|q|k|xq|pq|porque|por|para|como|cuanto|cuanta|cuantas|cuantos|cuando|donde|puedo|puede|tengo|tiene|estoy|esta|"
    r"mi|mis|el|la|los|las|un|una|unos|del|al|con|sin|pero|muy|hola|gracias|buenas|buenos|senor|senora|usted|ustedes|"
    r"necesito|quiero|favor|hay|soy|es|son|ser|despues|antes|tambien|tb|si|nada|ya|"
    r"eu|nao|voce|obrigad[oa]|je|suis|pas|vous|merci|bonjour|ich|nicht|bitte|danke|und|toi|khong|cam|xin)\b",
    re.IGNORECASE,
)
# Shorthand people text in Spanish, whole words only.
_SHORTHAND = {
    "q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque", "xk": "porque",
    "x": "por", "xfa": "por favor", "xfavor": "por favor", "plis": "por favor", "tb": "tambien", "tmb": "tambien",
    "d": "de", "toy": "estoy", "toi": "estoy", "sta": "esta", "ta": "esta", "stoy": "estoy", "ntp": "no te preocupes",
    "tqm": "te quiero mucho", "aki": "aqui", "aca": "aqui", "ahorita": "ahora", "orita": "ahora", "ahoritita": "ahora",
    "nomas": "no mas", "pa": "para", "mami": "mama", "papi": "papa",
    "resira": "respira", "respia": "respira",
    "convulcion": "convulsion", "convulciones": "convulsiones", "convulcionando": "convulsionando",
    "desmallo": "desmayo", "desmallado": "desmayado", "desmallada": "desmayada", "ise": "hice", "iso": "hizo",
    "suisidar": "suicidar", "suisidarme": "suicidarme",
}
_WORD = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]")
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def fold(text: str) -> str:
    """Lower case without accents or invisible characters, whitespace collapsed: how people type on phones.

    "¿Está respirando?" and "esta respirando" read the same, so the non-English patterns need only one spelling.
    """
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = (" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] not in "MC")
    return " ".join("".join(kept).lower().split())


def spanish_words(text: str) -> str:
    """The folded text with Spanish SMS shorthand spelled out: "q tengo k hacer" reads "que tengo que hacer"."""
    return " ".join(_SHORTHAND.get(word, word) for word in _WORD.findall(fold(text)))


def detect(text: str) -> str:
    """`en`, `es`, or `other` for a message in a language we do not answer in."""
    letters = _LETTER.findall(text)
    if not letters:
        return ENGLISH
    latin = sum(1 for ch in letters if _LATIN.match(fold(ch)))
    if latin < len(letters) / 2:
        # Mostly another script (Chinese, Arabic, Cyrillic...): not a language we answer in.
        return OTHER
    folded = fold(text)
    if text.isascii() and not _FOREIGN_WORDS.search(folded):
        return ENGLISH
    language, confidence = _detector_says(folded)
    if confidence < CONFIDENT or language == ENGLISH:
        return ENGLISH
    return SPANISH if language == SPANISH else OTHER


def _detector_says(text: str) -> tuple[str, float]:
    values = detector().compute_language_confidence_values(text)
    if not values:
        return ENGLISH, 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


_loading = threading.Lock()


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """lingua, restricted to the languages the emergency check knows (loaded once, ~0.4 s)."""
    from lingua import Language, LanguageDetectorBuilder

    with _loading:
        return LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.SPANISH,
            Language.PORTUGUESE,
            Language.FRENCH,
            Language.GERMAN,
            Language.ITALIAN,
            Language.VIETNAMESE,
        ).with_preloaded_language_models().build()
