"""The n-gram emergency nets: one model per language, trained on the knowledge base's exemplars."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import fake_assistant

from chatbot.answering.assistant import Assistant
from chatbot.answering.language import ENGLISH, SPANISH
from chatbot.answering.ngrams import NgramModel, ngrams
from chatbot.answering.normalise import normalise
from chatbot.answering.safety import states_emergency
from chatbot.domain import Kind
from chatbot.errors import CorruptIndex
from chatbot.kb import index, ngram_model
from chatbot.kb.knowledge import KnowledgeBase


@pytest.fixture(scope="module")
def models(kb: KnowledgeBase) -> dict[str, NgramModel]:
    return ngram_model.train(index.keys_of(kb))


@pytest.fixture(scope="module")
def model(models: dict[str, NgramModel]) -> NgramModel:
    return models[SPANISH]


# Wordings no pattern was written for, none of them among the exemplars: the model of their language catches them.
UNPATTERNED_EMERGENCIES = [
    "mi hijo se metió todo lo del botiquín y está bien dormido",
    "mi mamá se quedó mirando fijo y no me reconoce, babea",
    "mi hija se echó el frasco de jarabe completo",
]
UNPATTERNED_ENGLISH = [
    "i've decided tonight is when i finally stop being a burden to everyone",
    "my brother went limp and his eyes rolled back",
]
# The scary words without an emergency: an idiom, a past event, questions about a risk.
ORDINARY = [
    "el dolor me está matando, ¿tienen cita el lunes?",
    "hace años tuve una convulsión, ¿puedo hacerme la infusión?",
    "¿la ketamina puede causar convulsiones?",
    "me muero de hambre, ¿puedo comer antes de la infusión?",
    "¿qué hago si me da un ataque de pánico durante la sesión?",
]
ORDINARY_ENGLISH = [
    "can ketamine cause seizures?",
    "my pain is killing me, do you have an opening monday?",
    "i had a panic attack last year, can i still get infusions?",
]


@pytest.mark.parametrize(
    ("lang", "message"),
    [(SPANISH, m) for m in UNPATTERNED_EMERGENCIES] + [(ENGLISH, m) for m in UNPATTERNED_ENGLISH],
)
def test_an_emergency_the_patterns_miss_is_caught_by_the_model_of_its_language(
    models: dict[str, NgramModel], kb: KnowledgeBase, lang: str, message: str
) -> None:
    assert not states_emergency(message, normalise(message))
    assert models[lang].probability(message) >= kb.thresholds.in_language(lang).emergency_ngrams


@pytest.mark.parametrize(
    ("lang", "message"), [(SPANISH, m) for m in ORDINARY] + [(ENGLISH, m) for m in ORDINARY_ENGLISH]
)
def test_scary_words_without_an_emergency_stay_below_the_model_threshold(
    models: dict[str, NgramModel], kb: KnowledgeBase, lang: str, message: str
) -> None:
    assert models[lang].probability(message) < kb.thresholds.in_language(lang).emergency_ngrams


def test_the_model_reads_the_message_as_the_spanish_patterns_do(model: NgramModel) -> None:
    """Accents, capitals and shorthand make no difference: "NO RESPIRA" is "no respira"."""
    assert ngrams("Q hago mi papá NO RESPIRA") == ngrams("que hago mi papa no respira")
    assert model.probability("Q hago mi papá NO RESPIRA") == model.probability("que hago mi papa no respira")


def test_a_short_word_counts_once_as_a_whole(model: NgramModel) -> None:
    assert ngrams("y")[" y "] == 1 and ngrams("y")[" y"] == 1 and ngrams("y")["y "] == 1


def test_a_written_model_reads_back_the_same(model: NgramModel, tmp_path: Path) -> None:
    ngram_model.write(model, tmp_path / "model.json")
    again = ngram_model.read(tmp_path / "model.json")
    assert again.probability(UNPATTERNED_EMERGENCIES[0]) == pytest.approx(model.probability(UNPATTERNED_EMERGENCIES[0]))


def test_each_message_meets_the_model_of_its_language(fake: Assistant) -> None:
    english, spanish = fake.index.ngrams[ENGLISH], fake.index.ngrams[SPANISH]
    assert fake.observe(UNPATTERNED_ENGLISH[1]).emergency_ngrams == english.probability(UNPATTERNED_ENGLISH[1])
    assert fake.observe(UNPATTERNED_EMERGENCIES[2]).emergency_ngrams == spanish.probability(UNPATTERNED_EMERGENCIES[2])


@pytest.mark.parametrize("name", sorted(ngram_model.FILES.values()))
def test_an_index_without_a_model_is_refused_so_start_up_rebuilds_it(
    fake: Assistant, tmp_path: Path, name: str
) -> None:
    built = fake_assistant(fake.kb, tmp_path / "index")
    (built.index.folder / name).unlink()
    with pytest.raises(CorruptIndex, match=name):
        index.read(tmp_path / "index")


@pytest.mark.parametrize("message", UNPATTERNED_ENGLISH)
def test_the_assistant_sends_the_emergency_message_for_what_only_the_english_model_reads(
    real: Assistant, message: str
) -> None:
    assert real.ask(message).kind is Kind.EMERGENCY


@pytest.mark.parametrize(
    ("message", "emergency"),
    [
        ("had a mild headache after treatment, took tylenol and its gone now. just letting u know", False),
        ("mi hermana se desmayó en una boda el mes pasado, fue por el calor, ya está bien", False),
        ("not urgent, i just dont see the point of waking up tomorrow", True),
        ("felt better this morning, decided im ready to go tonight", True),
    ],
)
def test_a_report_of_trouble_that_is_over_is_not_read_by_the_nets(
    real: Assistant, message: str, emergency: bool
) -> None:
    """The first two got the emergency message from the n-gram models (0.94, 0.74 against 0.65); the others, which only
    the nets catch, play it down or feel better before a crisis, and are caught as before."""
    assert (real.ask(message).kind is Kind.EMERGENCY) is emergency


@pytest.mark.parametrize(
    ("message", "emergency"),
    [
        ("can i take xanax", False),
        ("can i take my sleeping pill tonight", False),
        ("can i take my melatonin tonight", False),
        ("can i take tylenol after", False),
        ("i am taking all my sleeping pills tonight", True),
        ("i'm going to take my whole bottle of ambien tonight", True),
    ],
)
def test_asking_to_take_a_medicine_is_not_taking_them_all(real: Assistant, message: str, emergency: bool) -> None:
    """The first four got the emergency message: the nearest emergency exemplar ("i just took a handful of xanax") and
    the English n-gram model (0.99: it met "take" and "tonight" in plans). Ordinary exemplars asking about a medicine
    mended them; the plans beside them, which no pattern reads, are still caught by the nets."""
    assert (real.ask(message).kind is Kind.EMERGENCY) is emergency
