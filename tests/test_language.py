"""Which language a message is in: Spanish only when it is clear, English when in doubt."""

from __future__ import annotations

import pytest

from chatbot.answering.language import ENGLISH, OTHER, SPANISH, Reading, detect, fold, read, spanish_words


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("¿Cuánto cuesta cada infusión?", SPANISH),
        ("cuanto cuesta cada infusion", SPANISH),  # no accents, as phones type
        ("q tengo q hacer antes de la cita", SPANISH),  # shorthand
        ("puedo manejar despues de la infusion?", SPANISH),
        ("necesito que alguien me acompañe?", SPANISH),
        # Three words the detector only leans Spanish on: "que debo llevar" got the goodbye reply in English.
        ("que debo llevar", SPANISH),
        ("hola buenos dias", SPANISH),
        ("a que hora abren", SPANISH),
        # The detector leans Portuguese or Italian on these; two Spanish words decide. "como saco cita?" got the
        # English goodbye.
        ("como saco cita?", SPANISH),
        ("si cancelo mi cita me cobran algo?", SPANISH),
        ("mi mama se tomo el cloro", SPANISH),
        # "donde estan" got the English complaint reply, "nos vemos" the English fallback.
        ("donde estan", SPANISH),
        ("nos vemos", SPANISH),
        ("cuanto cobran", SPANISH),
        ("como funciona?", ENGLISH),  # one Spanish word is not enough, whatever the detector leans to
        ("how much does it cost?", ENGLISH),
        ("hi", ENGLISH),  # too short to be anything but English
        ("ok thx", ENGLISH),
        ("is ketamean a sykadelic drug", ENGLISH),  # misspelt English, not Portuguese
        ("do you take insurance? tengo Blue Cross", ENGLISH),  # mostly English
        ("quanto custa cada infusão de cetamina?", OTHER),
        ("combien coûte une perfusion de kétamine ?", OTHER),
        ("wie viel kostet eine Infusion?", OTHER),
        ("我想知道费用", OTHER),  # another script
        ("12345 ???", ENGLISH),  # no letters
        ("pwede po ba akong magdala ng kasama?", OTHER),  # Tagalog: the detector does not know it
        ("eske mwen ka manje anvan perfizyon an?", OTHER),  # Haitian Creole, nor this one
    ],
)
def test_the_reply_language_follows_the_message_only_when_it_is_clear(message: str, lang: str) -> None:
    assert detect(message) == lang


def test_folding_drops_accents_and_case_as_phones_do() -> None:
    assert fold("¿Está  RESPIRANDO?") == "¿esta respirando?"


def test_spanish_shorthand_is_spelled_out() -> None:
    assert spanish_words("q hago xq no respira x favor") == "que hago porque no respira por favor"


@pytest.mark.parametrize(
    ("message", "elsewhere"),
    [("li pa respire", True), ("Was kostet eine Infusion?", True), ("how much does it cost?", False), ("$$$?", False)],
)
def test_a_message_read_as_english_may_still_lean_to_a_language_we_do_not_answer_in(
    message: str, elsewhere: bool
) -> None:
    assert read(message) == Reading(ENGLISH, leans_elsewhere=elsewhere)


def test_a_message_of_known_english_words_leans_nowhere_whatever_the_detector_guesses() -> None:
    assert read("terrible bot") == Reading(ENGLISH, leans_elsewhere=True)  # lingua: French
    assert read("terrible bot", english={"terrible", "bot"}) == Reading(ENGLISH)
    assert read("li pa respire", english={"terrible", "bot"}) == Reading(ENGLISH, leans_elsewhere=True)
