"""The answering path's evidence: what the scores are made of before the policy decides."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import CLARIFIED
from support import FakeEncoder, fake_assistant

from chatbot.answering.assistant import AnswerModel, Assistant, Observation
from chatbot.domain import NONE_OF_THESE, Kind, Thresholds
from chatbot.errors import StaleIndex, UnknownChoice
from chatbot.kb.knowledge import KnowledgeBase


def test_a_rare_word_only_the_out_of_scope_exemplars_hold_pulls_towards_the_fallback(fake: Assistant) -> None:
    breastfeeding = fake.observe("is it safe while breastfeeding")
    assert breastfeeding.lexical is not None and breastfeeding.out_of_scope_lexical > breastfeeding.lexical.max()
    wifi = fake.observe("do you have wifi")
    assert wifi.lexical is not None and wifi.lexical[fake.entry_ids.index("wifi")] > wifi.out_of_scope_lexical
    semantic = np.full(len(fake.entry_ids), 0.2)
    semantic[fake.entry_ids.index("side-effects-long-term")] = 0.8
    thresholds = Thresholds(answer=0.7, margin=0.08, out_of_scope_margin=0.14, lexical_weight=0.2)
    plain = Observation("q", semantic=semantic, lexical=np.zeros(len(fake.entry_ids)), out_of_scope=0.6)
    rare = dataclasses.replace(plain, out_of_scope_lexical=1.0)
    assert fake.respond(plain, thresholds).kind is Kind.ANSWER
    assert fake.respond(rare, thresholds).kind is Kind.FALLBACK


def test_a_spanish_question_is_answered_in_the_clinics_english_only_above_spanish_answer(fake: Assistant) -> None:
    seen = fake.observe("¿Cuánto cuesta cada infusión?")
    assert seen.lang == "es"
    strict = dataclasses.replace(fake.thresholds, spanish_answer=9.0)
    assert fake.respond(seen, strict).kind is Kind.FALLBACK
    sure = fake.respond(seen, dataclasses.replace(fake.thresholds, spanish_answer=0.5))
    assert (sure.kind, sure.id, sure.answer, sure.lang) == (Kind.ANSWER, "cost", fake.kb.entry("cost").answer, "es")
    assert sure.preface == fake.messages.in_language("es").english_answer
    assert sure.text == f"{sure.preface}\n\n{sure.answer}"


# -- small talk ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Hi!", "greeting"),
        ("good morning", "greeting"),
        ("thx", "thanks"),
        ("ty!!", "thanks"),
        ("Thank you.", "thanks"),
        ("bye", "goodbye"),
        ("are you a bot?", "identity"),
        ("human please", "human"),
        ("What can you do?", "capabilities"),
        ("useless", "complaint"),
    ],
)
def test_each_small_talk_intent_gets_the_offices_reply(fake: Assistant, message: str, intent: str) -> None:
    reply = fake.ask(message)
    assert (reply.kind, reply.id, reply.answer) == (Kind.SMALLTALK, intent, fake.messages.smalltalk[intent])
    assert reply.suggestions is None


def test_small_talk_replies_give_the_offices_number_where_they_mention_it(fake: Assistant) -> None:
    for intent in ("goodbye", "identity", "human", "capabilities", "complaint"):
        assert "555-0100" in fake.messages.smalltalk[intent]


def test_a_question_disguised_as_small_talk_is_answered_as_the_question(fake: Assistant) -> None:
    reply = fake.ask("hi, what is the cost?")
    assert (reply.kind, reply.id, reply.answer) == (Kind.ANSWER, "cost", fake.kb.entry("cost").answer)


@pytest.mark.parametrize(
    "message", ["hi, I took too many pills", "thanks, I want to kill myself", "bye. I can't breathe"]
)
def test_small_talk_never_masks_an_emergency(fake: Assistant, message: str) -> None:
    assert fake.ask(message).kind is Kind.EMERGENCY


# -- did you mean -------------------------------------------------------------------------------


def test_a_close_question_the_policy_wont_answer_gets_did_you_mean(clarifying: Assistant) -> None:
    reply = clarifying.ask(CLARIFIED)
    assert (reply.kind, reply.answer, reply.id) == (Kind.CLARIFY, clarifying.messages.clarify, None)
    assert reply.suggestions is not None and 1 <= len(reply.suggestions) <= 3
    assert [s.id for s in reply.suggestions] == ["feeling-afterwards", "hallucinations", "side-effects-after-treatment"]
    for suggestion in reply.suggestions:
        assert suggestion.question == clarifying.kb.entry(suggestion.id).question  # the page's own question
        assert (
            clarifying.kb.entry(suggestion.id).answer not in reply.answer
        )  # nothing of the answer before it is picked


def test_without_a_clarify_band_the_same_question_falls_back(fake: Assistant) -> None:
    assert fake.ask(CLARIFIED).kind is Kind.FALLBACK


def test_picking_each_suggestion_answers_it_word_for_word(clarifying: Assistant) -> None:
    offered = clarifying.ask(CLARIFIED).suggestions or ()
    for suggestion in offered:
        reply = clarifying.choose(CLARIFIED, suggestion.id)
        assert (reply.kind, reply.id, reply.answer) == (
            Kind.ANSWER,
            suggestion.id,
            clarifying.kb.entry(suggestion.id).answer,
        )


def test_none_of_these_gets_the_fallback_with_the_nearest_entries(clarifying: Assistant) -> None:
    reply = clarifying.choose(CLARIFIED, NONE_OF_THESE)
    assert (reply.kind, reply.answer) == (Kind.FALLBACK, clarifying.messages.fallback)
    assert (
        reply.candidates and reply.candidates[0].id == "feeling-afterwards"
    )  # so `chatbot review` sees where it was near


def test_a_choice_naming_no_entry_is_refused(clarifying: Assistant) -> None:
    with pytest.raises(UnknownChoice, match="no entry 'nonsense'"):
        clarifying.choose(CLARIFIED, "nonsense")


def test_a_choice_sent_with_an_emergency_still_gets_the_emergency_message(clarifying: Assistant) -> None:
    assert clarifying.choose("I took too many pills", "cost").kind is Kind.EMERGENCY


def test_an_emergency_is_never_answered_with_did_you_mean(clarifying: Assistant) -> None:
    assert clarifying.ask(f"{CLARIFIED}? I can't breathe").kind is Kind.EMERGENCY


def test_a_spanish_message_gets_did_you_mean_only_above_spanish_clarify(clarifying: Assistant) -> None:
    seen = clarifying.observe("¿Voy a estar mareado después de la infusión?")
    assert seen.lang == "es"
    assert clarifying.respond(seen, clarifying.thresholds).kind is Kind.FALLBACK
    offered = clarifying.respond(seen, dataclasses.replace(clarifying.thresholds, spanish_clarify=0.3))
    assert offered.kind is Kind.CLARIFY and offered.answer == clarifying.messages.in_language("es").clarify


def test_the_answering_path_imports_no_model_index_or_web_library() -> None:
    """`answering/` is handed its encoder and index ready-made; importing it must not pull in what builds
    or serves them (seconds to import, hundreds of MiB), nor the knowledge-base package beyond its types."""
    report = "import json, sys, chatbot.answering.assistant; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", report], capture_output=True, check=True).stdout))
    assert not loaded & {"faiss", "torch", "fastapi", "onnxruntime", "sentence_transformers", "sklearn"}
    assert not {name for name in loaded if name.startswith("chatbot.kb")}


class OtherFakeEncoder(FakeEncoder):
    """Another bag of words, hashed into fewer dimensions: its scores differ from FakeEncoder's, so which encoder
    scored what shows."""

    name = "other-fake"
    dims = 97


def test_an_answer_model_scores_the_entries_and_the_out_of_scope_exemplars_only(
    kb: KnowledgeBase, fake: Assistant, tmp_path
) -> None:
    """The emergency check and small talk keep the first encoder's scores, whatever the answer model says."""
    other = fake_assistant(kb, tmp_path / "answers", encoder=OtherFakeEncoder())
    both = Assistant(fake.kb, fake.index, fake.encoder, fake.messages, AnswerModel(other.index, other.encoder))
    question = "how much does it cost if my heart races and I feel faint, thanks"
    alone, second, mixed = (a.observe(question, measure=True) for a in (fake, other, both))
    assert mixed.semantic is not None and alone.semantic is not None
    assert np.array_equal(mixed.semantic, second.semantic) and not np.array_equal(mixed.semantic, alone.semantic)
    assert (mixed.out_of_scope, mixed.out_of_scope_text) == (second.out_of_scope, second.out_of_scope_text)
    assert (mixed.emergency, mixed.not_emergency, mixed.smalltalk) == (
        alone.emergency,
        alone.not_emergency,
        alone.smalltalk,
    )
    assert second.emergency != alone.emergency


def test_the_policy_is_calibrated_for_an_adapted_answer_encoder_by_its_recipe(
    kb: KnowledgeBase, fake: Assistant, tmp_path
) -> None:
    other = fake_assistant(kb, tmp_path / "answers", encoder=OtherFakeEncoder())
    plain = Assistant(fake.kb, fake.index, fake.encoder, fake.messages, AnswerModel(other.index, other.encoder))
    adapted = Assistant(
        fake.kb, fake.index, fake.encoder, fake.messages, AnswerModel(other.index, other.encoder, "adapted-1")
    )
    encoder = fake.index.manifest.weights_sha256
    other_sha = other.index.manifest.weights_sha256
    assert fake.weights() == {"encoder": encoder, "answer_encoder": encoder, "spanish_encoder": encoder}
    assert plain.weights() == {"encoder": encoder, "answer_encoder": other_sha, "spanish_encoder": other_sha}
    assert adapted.weights() == {"encoder": encoder, "answer_encoder": "adapted-1", "spanish_encoder": "adapted-1"}
    spanish = Assistant(
        fake.kb, fake.index, fake.encoder, fake.messages, spanish=AnswerModel(other.index, other.encoder)
    )
    assert spanish.weights() == {"encoder": encoder, "answer_encoder": encoder, "spanish_encoder": other_sha}


def test_an_answer_model_over_other_keys_is_refused(kb: KnowledgeBase, fake: Assistant, tmp_path) -> None:
    fewer = dataclasses.replace(kb, entries=kb.entries[1:])
    other = fake_assistant(fewer, tmp_path / "answers", encoder=OtherFakeEncoder())
    with pytest.raises(StaleIndex, match="holds other keys"):
        Assistant(fake.kb, fake.index, fake.encoder, fake.messages, AnswerModel(other.index, other.encoder))


def test_a_spanish_model_scores_the_entries_of_messages_read_as_spanish_only(
    kb: KnowledgeBase, fake: Assistant, tmp_path
) -> None:
    """A multilingual encoder for Spanish questions (scripts/multilingual.py measures one) leaves English ones to the
    answer model, and the emergency check to the first encoder."""
    other = fake_assistant(kb, tmp_path / "spanish", encoder=OtherFakeEncoder())
    both = Assistant(fake.kb, fake.index, fake.encoder, fake.messages, spanish=AnswerModel(other.index, other.encoder))
    spanish, english = "¿cuánto cuesta la infusión de ketamina?", "how much does the ketamine infusion cost"
    mixed, alone, second = (a.observe(spanish, measure=True) for a in (both, fake, other))
    assert mixed.lang == "es" and mixed.semantic is not None and alone.semantic is not None
    assert np.array_equal(mixed.semantic, second.semantic) and not np.array_equal(mixed.semantic, alone.semantic)
    assert (mixed.emergency, mixed.not_emergency) == (alone.emergency, alone.not_emergency)
    read, plain = both.observe(english, measure=True), fake.observe(english, measure=True)
    assert read.semantic is not None and np.array_equal(read.semantic, plain.semantic)


def test_a_spanish_model_over_other_keys_is_refused(kb: KnowledgeBase, fake: Assistant, tmp_path) -> None:
    fewer = dataclasses.replace(kb, entries=kb.entries[1:])
    other = fake_assistant(fewer, tmp_path / "spanish", encoder=OtherFakeEncoder())
    with pytest.raises(StaleIndex, match="holds other keys"):
        Assistant(fake.kb, fake.index, fake.encoder, fake.messages, spanish=AnswerModel(other.index, other.encoder))
