"""Calibration on synthetic observations: the known best thresholds must be found."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from chatbot.answering.assistant import Assistant, Observation
from chatbot.answering.policy import JUDGE_INPUTS, judged_rows
from chatbot.domain import Judge, Thresholds
from chatbot.errors import CalibrationFailed, KnowledgeError
from chatbot.quality import calibrate
from chatbot.quality.evaluate import Case


def seen(
    fake: Assistant, best: str, score: float, runner_up: float = 0.2, oos: float = 0.0, lexical: float = 0.0
) -> Observation:
    semantic = np.full(len(fake.entry_ids), runner_up)
    semantic[fake.entry_ids.index(best)] = score
    return Observation("text", semantic=semantic, lexical=np.full(len(fake.entry_ids), lexical), out_of_scope=oos)


def observed(case: Case, observation: Observation) -> calibrate.Observed:
    return calibrate.Observed(case, observation)


def test_the_answer_bar_lands_between_the_right_answers_and_the_near_misses(fake: Assistant) -> None:
    items = [observed(Case(f"in {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.80 + i / 100)) for i in range(10)]
    items += [observed(Case(f"out {i}", "out_of_scope"), seen(fake, "wifi", 0.70 - i / 100)) for i in range(10)]
    chosen = calibrate.choose_policy(fake, items, Thresholds())
    assert 0.70 < chosen.answer <= 0.80
    assert calibrate.report(fake, items, chosen).metrics()["right"] == 1.0


def test_out_of_scope_exemplars_win_over_a_close_entry(fake: Assistant) -> None:
    # The near misses score as high as the right answers; only their closeness to an exemplar tells them apart.
    items = [observed(Case(f"in {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.85, oos=0.60)) for i in range(10)]
    items += [observed(Case(f"out {i}", "out_of_scope"), seen(fake, "cost", 0.85, oos=0.84)) for i in range(10)]
    chosen = calibrate.choose_policy(fake, items, Thresholds())
    metrics = calibrate.report(fake, items, chosen).metrics()
    assert metrics == {**metrics, "right": 1.0, "out_of_scope_answered": 0.0}
    assert 0.01 < chosen.out_of_scope_margin <= 0.25


def test_no_threshold_may_answer_more_than_two_percent_out_of_scope(fake: Assistant) -> None:
    # Indistinguishable questions: the only safe policy is to answer none of them.
    items = [observed(Case(f"in {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.9)) for i in range(10)]
    items += [observed(Case(f"out {i}", "out_of_scope"), seen(fake, "cost", 0.9)) for i in range(10)]
    with pytest.raises(CalibrationFailed, match="No thresholds keep out-of-scope answers at or under 2%"):
        calibrate.choose_policy(fake, items, Thresholds())


@pytest.mark.parametrize("gap", [0.08, 0.12])
def test_the_emergency_bar_catches_every_emergency_without_a_false_alarm(fake: Assistant, gap: float) -> None:
    alarm = [
        observed(Case(f"e{i}", "emergency"), Observation("t", emergency=0.7, not_emergency=0.7 - gap)) for i in range(5)
    ]
    calm = [observed(Case(f"n{i}", "not_emergency"), seen(fake, "cost", 0.9)) for i in range(5)]
    calm = [
        calibrate.Observed(
            c.case,
            Observation("t", emergency=0.6, not_emergency=0.65, semantic=c.seen.semantic, lexical=c.seen.lexical),
        )
        for c in calm
    ]
    chosen = calibrate.choose_emergency(alarm + calm, Thresholds())
    metrics = calibrate.report(fake, alarm + calm, chosen).metrics()
    assert metrics["emergency_caught"] == 1.0 and metrics["false_alarms"] == 0
    assert 0.6 < chosen.emergency <= 0.7 or chosen.emergency_margin > 0


def test_spanish_did_you_mean_offers_the_close_entries_and_spares_questions_near_an_out_of_scope_exemplar(
    fake: Assistant,
) -> None:
    # Never sure enough to answer (the runner-up is as close, under the least lead Spanish may be given), so only
    # suggestions can resolve the in-scope ones;
    # the out-of-scope ones score as high, but closer still to an out-of-scope exemplar.
    def spanish(best: str, oos: float) -> Observation:
        return dataclasses.replace(seen(fake, best, 0.75, runner_up=0.749, oos=oos), lang="es")

    items = [observed(Case(f"en {i}", "in_scope", ("cost",)), spanish("cost", 0.60)) for i in range(10)]
    items += [observed(Case(f"fuera {i}", "out_of_scope"), spanish("wifi", 0.85)) for i in range(10)]
    chosen = calibrate.choose_spanish(fake, [items], Thresholds())
    metrics = calibrate.report(fake, items, chosen).metrics()
    assert metrics == {**metrics, "right": 0.0, "resolved": 1.0, "out_of_scope_clarify": 0.0}
    assert chosen.spanish_clarify <= 0.75 and -0.06 < chosen.spanish_clarify_out_of_scope_margin <= 0.15
    assert (chosen.clarify, chosen.clarify_out_of_scope_margin) == (
        Thresholds().clarify,
        Thresholds().clarify_out_of_scope_margin,
    )


def test_one_writers_out_of_scope_answer_is_not_hidden_by_the_other_writers_questions(fake: Assistant) -> None:
    """Pooled, 1 of 60 out-of-scope questions answered is within 2%; for the writer of 20 it is 5%, and each writer's
    questions are another patient's: the Spanish answer bar keeps every set within the bounds."""

    def spanish(best: str, score: float) -> Observation:
        return dataclasses.replace(seen(fake, best, score), lang="es")

    first = [observed(Case(f"a {i}", "in_scope", ("cost",)), spanish("cost", 0.95)) for i in range(10)]
    first += [observed(Case(f"a fuera {i}", "out_of_scope"), spanish("wifi", 0.5)) for i in range(40)]
    second = [observed(Case(f"b {i}", "in_scope", ("cost",)), spanish("cost", 0.99)) for i in range(10)]
    second += [observed(Case(f"b fuera {i}", "out_of_scope"), spanish("wifi", 0.5)) for i in range(19)]
    second += [observed(Case("b fuera cerca", "out_of_scope"), spanish("cost", 0.95))]
    pooled = calibrate.choose_spanish(fake, [first + second], Thresholds())
    assert calibrate.report(fake, second, pooled).metrics()["out_of_scope_answered"] == 0.05  # what pooling allows
    chosen = calibrate.choose_spanish(fake, [first, second], Thresholds())
    assert calibrate.report(fake, second, chosen).metrics()["out_of_scope_answered"] == 0.0


def test_spanish_room_is_the_same_room_in_the_spanish_scores_units(fake: Assistant) -> None:
    """A multilingual encoder's best scores spread a quarter as wide: 0.04 of room would be most of their range."""
    english = [observed(Case(f"q {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.5 + i / 10)) for i in range(5)]
    spanish = [observed(Case(f"p {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.9 + i / 40)) for i in range(5)]
    assert calibrate.spanish_room(english, spanish) == pytest.approx(calibrate.SLACK / 4)
    assert calibrate.spanish_room([], spanish) == calibrate.SLACK


def test_small_talk_taken_for_other_small_talk_is_no_wrong_answer_to_the_spanish_bar(fake: Assistant) -> None:
    items = [
        observed(Case(f"costo {i}", "in_scope", ("cost",)), dataclasses.replace(seen(fake, "cost", 0.9), lang="es"))
        for i in range(10)
    ]
    items += [
        observed(Case(f"hola {i}", "smalltalk", ("greeting",)), Observation("hola", "es", said="thanks"))
        for i in range(5)
    ]
    chosen = calibrate.choose_spanish(fake, [items], Thresholds())
    assert chosen.spanish_answer <= 0.9
    assert calibrate.report(fake, items, chosen).metrics()["right"] == 1.0


def test_written_thresholds_load_back(tmp_path, knowledge_copy) -> None:
    from chatbot.kb import knowledge

    chosen = Thresholds(
        answer=0.71,
        margin=0.03,
        out_of_scope_margin=0.05,
        lexical_weight=0.1,
        certain=0.95,
        emergency=0.5,
        emergency_margin=0.1,
    )
    calibrate.write(chosen, knowledge_copy / calibrate.POLICY_FILE)
    assert knowledge.load(knowledge_copy).thresholds == chosen


def test_a_written_judge_loads_back(knowledge_copy) -> None:
    from chatbot.kb import knowledge

    chosen = Thresholds(
        answer=0.5, judge=Judge(bias=-6.5, best=3.0, lead=1.5, out_of_scope_lead=6.25, words=2.5, uncovered=-2.5)
    )
    calibrate.write(chosen, knowledge_copy / calibrate.POLICY_FILE)
    assert knowledge.load(knowledge_copy).thresholds == chosen


def test_a_judge_missing_a_weight_is_a_load_error_naming_it(knowledge_copy) -> None:
    from chatbot.kb import knowledge

    (knowledge_copy / calibrate.POLICY_FILE).write_text("policy:\n  answer: 0.5\n  judge: {bias: -6.0, best: 3.0}\n")
    with pytest.raises(KnowledgeError, match=r"judge.*missing weights \['lead', 'out_of_scope_lead'"):
        knowledge.load(knowledge_copy)


def test_the_policy_records_the_weights_it_was_chosen_for(knowledge_copy, fake: Assistant) -> None:
    from chatbot.kb import knowledge

    calibrate.write(Thresholds(answer=0.5), knowledge_copy / calibrate.POLICY_FILE, fake.weights())
    assert dict(knowledge.load(knowledge_copy).calibrated_for) == fake.weights()


def test_a_garbled_record_of_weights_is_a_load_error_naming_it(knowledge_copy) -> None:
    from chatbot.errors import KnowledgeError
    from chatbot.kb import knowledge

    (knowledge_copy / calibrate.POLICY_FILE).write_text("policy:\n  answer: 0.5\n  calibrated_for: {model: abc}\n")
    with pytest.raises(
        KnowledgeError,
        match=r"calibrated_for.*expected a mapping of \['answer_encoder', 'encoder', 'spanish_encoder'\]",
    ):
        knowledge.load(knowledge_copy)


def test_the_judge_answers_long_plain_questions_the_thresholds_cannot_tell_from_near_misses(fake: Assistant) -> None:
    """Long questions score lower on their right entry than short ones do; near misses are short and close. No
    single answer bar separates them, the judge's weighing of length does."""
    long = "my mother has had nerve pain in her feet for years and wants to know what she would pay per visit"
    right = [
        observed(
            Case(f"long {i}", "in_scope", ("cost",)),
            dataclasses.replace(seen(fake, "cost", 0.62 + i / 200, oos=0.55), text=long),
        )
        for i in range(20)
    ]
    right += [observed(Case(f"short {i}", "in_scope", ("cost",)), seen(fake, "cost", 0.9 + i / 400)) for i in range(20)]
    near = [observed(Case(f"near {i}", "out_of_scope"), seen(fake, "cost", 0.7 + i / 200, oos=0.66)) for i in range(20)]
    items = right + near
    thresholds = calibrate.choose_policy(fake, items, Thresholds())
    judged = calibrate.choose_judge(fake, items, thresholds)
    by_thresholds = calibrate.report(fake, items, thresholds).metrics()
    by_judge = calibrate.report(fake, items, judged).metrics()
    assert by_judge["out_of_scope_answered"] == 0.0 and by_judge["wrong"] == 0.0
    assert by_judge["right"] > by_thresholds["right"]


def test_the_judge_keeps_its_own_out_of_scope_bound_on_questions_it_never_saw() -> None:
    """Where plain questions and near misses overlap, the judge's bound decides how many near misses get an answer:
    a stricter bound answers fewer of the next patients' out-of-scope questions, and stays near its bound."""
    rng = np.random.default_rng(0)

    def sample(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        answerable = np.arange(n) % 3 != 0
        inputs = np.zeros((n, len(JUDGE_INPUTS)))
        inputs[:, 0] = rng.normal(np.where(answerable, 1.5, 0.0), 1.0)
        return inputs, answerable, answerable.copy()

    def leaked(judge: Judge, inputs: np.ndarray, answerable: np.ndarray) -> float:
        return float(np.mean(judged_rows(judge, inputs[~answerable]) >= 0))

    fit, fresh = sample(900), sample(3000)
    loose = calibrate.fit_judge(*fit, max_out_of_scope=0.2)
    strict = calibrate.fit_judge(*fit, max_out_of_scope=0.02)
    assert leaked(strict, fresh[0], fresh[1]) < 0.05 < leaked(loose, fresh[0], fresh[1])
