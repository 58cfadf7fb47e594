"""Make a patient's message comparable with the knowledge base: same characters, same words.

Runs before the safety check and before encoding, on queries and on knowledge-base keys alike,
so both sides of every comparison are written the same way.
"""

from __future__ import annotations

import re
import unicodedata

# SMS shorthand and misspellings patients really send, mapped to the words the knowledge base uses.
# Whole tokens only: "u" becomes "you", but "menu" stays "menu".
SHORTHAND: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "n": "and",
    "b": "be",
    "c": "see",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thank you",
    "hw": "how",
    "wat": "what",
    "wht": "what",
    "wut": "what",
    "whats": "what is",
    "wen": "when",
    "whn": "when",
    "wher": "where",
    "cn": "can",
    "shud": "should",
    "shld": "should",
    "wud": "would",
    "cud": "could",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "b4": "before",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "2nite": "tonight",
    "nite": "night",
    "gr8": "great",
    "l8r": "later",
    "w/": "with",
    "w/o": "without",
    "ppl": "people",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "ne1": "anyone",
    "im": "i am",
    "i'm": "i am",
    "ive": "i have",
    "i've": "i have",
    "dont": "do not",
    "don't": "do not",
    "doesnt": "does not",
    "doesn't": "does not",
    "cant": "can not",
    "can't": "can not",
    "cannot": "can not",
    "wont": "will not",
    "won't": "will not",
    "isnt": "is not",
    "isn't": "is not",
    "didnt": "did not",
    "didn't": "did not",
    "idk": "i do not know",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "ima": "i am going to",
    "imma": "i am going to",
    "kms": "kill myself",
    # Social media's word for suicide, so that the emergency patterns read it: "thinking of unaliving myself" was
    # offered suggestions.
    "unalive": "kill",
    "unalives": "kills",
    "unaliving": "killing",
    "unalived": "killed",
    "rn": "right now",
    "dr": "doctor",
    "doc": "doctor",
    "meds": "medications",
    "med": "medication",
    "rx": "prescription",
    "txt": "text",
    "msg": "message",
    "appt": "appointment",
    "info": "information",
    "pw": "password",
    "pwd": "password",
    "hrs": "hours",
    "hr": "hour",
    "mins": "minutes",
    "min": "minute",
    "wk": "week",
    "wks": "weeks",
    "yr": "year",
    "yrs": "years",
    "tx": "treatment",
    "trtmnt": "treatment",
    "ket": "ketamine",
    "k": "ketamine",
    "infussion": "infusion",
    "infussions": "infusions",
    "infution": "infusion",
    "infusion's": "infusions",
    "infuson": "infusion",
    "infsion": "infusion",
    "ketamin": "ketamine",
    "ketamene": "ketamine",
    "ketamime": "ketamine",
    "katamine": "ketamine",
    "ketamines": "ketamine",
    "kitamine": "ketamine",
    "halucinations": "hallucinations",
    "hallucinate": "hallucinations",
    "halucinate": "hallucinations",
    "hallucinating": "hallucinations",
    "hallicinations": "hallucinations",
    "halucination": "hallucination",
    "wi-fi": "wifi",
    "wify": "wifi",
    "internet": "wifi",
    "pricey": "expensive",
    "$$": "cost",
    "$": "cost",
    "sideeffects": "side effects",
    "side-effects": "side effects",
    "sideffects": "side effects",
    "adicted": "addicted",
    "addicitve": "addictive",
    "nauseous": "nausea",
    "nauseated": "nausea",
    "naseau": "nausea",
    "nausia": "nausea",
    "anesthesia": "anesthetic",
    "anaesthetic": "anesthetic",
    "anaesthesia": "anesthetic",
}
# "4" and "2" are words only between words: "hw much 4 1" is "how much for one", "$750" stays a number.
_NUMBER_WORDS = {"4": "for", "2": "to", "1": "one"}

_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_TOKEN = re.compile(r"[\w'$/-]+|[^\w\s]", re.UNICODE)
_REPEATS = re.compile(r"([^\w\s])\1+")
_LETTER_RUNS = re.compile(r"(\w)\1{2,}")


def clean(text: str) -> str:
    """Unicode-normalise, drop invisible and control characters, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE
    )
    return " ".join(text.split())


def normalise(text: str) -> str:
    """The form used for matching: clean, lower case, no accents, shorthand and common misspellings spelled out.

    Accents go because Spanish patients type "infusion" as often as "infusión", and a Spanish key must meet both.
    """
    text = _LETTER_RUNS.sub(r"\1\1", _REPEATS.sub(r"\1", _unaccented(clean(text).lower())))
    tokens = _TOKEN.findall(text)
    words: list[str] = []
    for position, token in enumerate(tokens):
        if token in _NUMBER_WORDS and _between_words(tokens, position):
            words.append(_NUMBER_WORDS[token])
        else:
            words.append(SHORTHAND.get(token.strip("'"), token))
    return " ".join(words)


def _unaccented(text: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    )


def _between_words(tokens: list[str], position: int) -> bool:
    before = tokens[position - 1] if position > 0 else ""
    after = tokens[position + 1] if position + 1 < len(tokens) else ""
    return before.isalpha() and (after.isalnum() or after in {"", "?"})
