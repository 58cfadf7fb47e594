"""Which "did you mean" suggestion a patient's reply picks, in words or by number.

SMS asks for "1, 2 or 3", and the widget and the console number their suggestions too, but people answer
"the second one", "2nd", "option 3", "the last one", "la primera". A reply that picks nothing else than one
suggestion is that pick; one that says more ("the first one, but what about my insulin?") is a new message.
"""

from __future__ import annotations

import re

from chatbot.answering.language import fold

LAST, MIDDLE = -1, 0
# fmt: off
_ORDINALS = {
    "1": 1, "one": 1, "first": 1, "1st": 1, "top": 1, "uno": 1, "primero": 1, "primera": 1, "primer": 1, "1o": 1,
    "1a": 1, "1ro": 1, "1ra": 1,
    "2": 2, "two": 2, "second": 2, "2nd": 2, "dos": 2, "segundo": 2, "segunda": 2, "2o": 2, "2a": 2, "2do": 2,
    "2da": 2,
    "3": 3, "three": 3, "third": 3, "3rd": 3, "tres": 3, "tercero": 3, "tercera": 3, "tercer": 3, "3o": 3, "3a": 3,
    "3ro": 3, "3ra": 3,
    "last": LAST, "bottom": LAST, "ultimo": LAST, "ultima": LAST, "middle": MIDDLE, "medio": MIDDLE,
}
# Words around the number that add nothing to the pick: "the", "option", "number", "please", "i want", "la", "quiero".
_AROUND = frozenset([
    "the", "number", "no", "num", "nr", "option", "choice", "question", "one", "please", "pls", "plz", "i", "want",
    "pick", "choose", "take", "ill", "id", "like", "ok", "okay", "k", "yes", "that", "is", "it", "its",
    "el", "la", "lo", "numero", "nro", "opcion", "pregunta", "por", "favor", "porfa", "quiero", "si", "esa", "ese",
    "de", "del", "en", "x", "um", "umm", "ummm", "uh", "hmm", "think", "guess",
])
# fmt: on
_TOKEN = re.compile(r"[a-z0-9]+")


def chosen(reply: str, offered: int) -> int | None:
    """The index (from 0) of the suggestion `reply` picks out of `offered` numbered ones, or None.

    >>> chosen("the second one", 3), chosen("#3", 3), chosen("la ultima", 2), chosen("4", 3), chosen("2 and 3", 3)
    (1, 2, 1, None, None)
    >>> chosen("the middle one", 3), chosen("the middle one", 2)
    (1, None)
    """
    words = _TOKEN.findall(fold(reply).replace("'", ""))
    numbers = [_ORDINALS[w] for w in words if w in _ORDINALS]
    # "one" is a number alone ("one"), a word after another ("the first one").
    if len(numbers) > 1 and "one" in words:
        numbers = [_ORDINALS[w] for w in words if w in _ORDINALS and w != "one"]
    if len(numbers) != 1 or any(w not in _ORDINALS and w not in _AROUND for w in words):
        return None
    number = {LAST: offered, MIDDLE: (offered + 1) // 2 if offered % 2 else 0}.get(numbers[0], numbers[0])
    return number - 1 if 1 <= number <= offered else None
