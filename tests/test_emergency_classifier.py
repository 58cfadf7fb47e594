"""The fine-tuned classifier's measurement (scripts/emergency_classifier.py): a left-out writer's lines never train
it, so its figures are for messages it never saw."""

from __future__ import annotations

import emergency_classifier

from chatbot.kb import knowledge


def test_the_left_out_lines_never_train_it_and_each_line_keeps_its_side(kb: knowledge.KnowledgeBase) -> None:
    left_out = {kb.spanish_emergency[0], kb.spanish_not_emergency[0], kb.entries[0].alternates[0]}
    rows = emergency_classifier.examples(kb, left_out)
    assert not left_out & {text for text, _ in rows}
    labels = dict(rows)
    assert labels[kb.emergency[0]] == 1 and labels[kb.spanish_emergency[1]] == 1
    assert labels[kb.not_emergency[0]] == 0 and labels[kb.out_of_scope[0]] == 0 and labels[kb.entries[0].question] == 0
