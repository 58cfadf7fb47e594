"""The answering path's evidence: what the scores are made of before the policy decides."""

from __future__ import annotations

import dataclasses

import numpy as np

from chatbot.assistant import Assistant, Observation
from chatbot.domain import Kind, Thresholds


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
