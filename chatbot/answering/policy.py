"""The decision policy: answer, offer "did you mean", or fall back. Pure: scores and thresholds in, a choice out.

An English question is answered when its best entry is at least `answer` (here only a floor) and the judge
(`domain.Judge`, fit by `chatbot calibrate`) scores it at or above zero: one linear score over how close the
entry is, its lead over the runner-up and over the out-of-scope exemplars, the question's length and how much
of it the entry's words cover. Weighing these against each other, rather than each against its own threshold,
answered more of the tuning half's unseen folds right with fewer wrong and out-of-scope answers
(`scripts/crossval.py`; the bound on its cutoff is `calibrate.JUDGE_MAX_OUT_OF_SCOPE`).

Without a judge, and always for Spanish questions, an answer must be earned three ways at once: the best
entry is close enough (`answer`), clearly ahead of the runner-up entry (`margin`), and closer than every
out-of-scope exemplar by `out_of_scope_margin`. Anything less falls back, because a wrong medical answer is
worse than "please contact the office". The one exception: a best entry at or above `certain` (practically a
restatement of one of its keys) needs no lead over the runner-up, since two neighbouring entries that both
match that well usually both answer the question.

Short of an answer, the entries at or above `clarify` (at most three) may be offered as "did you
mean", unless an out-of-scope exemplar is closer than the best of them by more than
`-clarify_out_of_scope_margin`: then the question is most likely one the clinic has not answered.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import TypeVar, overload

import numpy as np

from chatbot.domain import Evidence, Judge, Match, Objection, Thresholds

Score = TypeVar("Score", float, np.ndarray)


def decide(evidence: Evidence, thresholds: Thresholds) -> Match | None:
    """The entry to answer with, or None to fall back."""
    if not evidence.matches:
        return None
    best = evidence.matches[0]
    if thresholds.judge is not None:
        return best if best.score >= thresholds.answer and judged(evidence, thresholds.judge) >= 0 else None
    runner_up = evidence.matches[1].score if len(evidence.matches) > 1 else float("-inf")
    return best if bool(confident(best.score, runner_up, evidence.out_of_scope, thresholds)) else None


# Past this many telling words a question's length says nothing more. The evaluation set has almost no out-of-scope
# question longer (5 of 261 in the tuning half), so the judge never learned what a long one looks like and must not
# extrapolate: in cross-validation a cap of 12 cost nothing against 40 (84.6% right against 84.8%), 8 cost 2 points.
# A lead past MOST_LEAD is as good as certain (and keeps a lone entry's lead finite).
MOST_WORDS = 12
MOST_LEAD = 1.0


def judge_inputs(evidence: Evidence) -> dict[str, float]:
    """What the judge weighs, by the name of its weight in `Judge`. Needs at least one match."""
    best = evidence.matches[0].score
    runner_up = evidence.matches[1].score if len(evidence.matches) > 1 else float("-inf")
    return {
        "best": best,
        "lead": min(best - runner_up, MOST_LEAD),
        "out_of_scope_lead": min(best - evidence.out_of_scope, MOST_LEAD),
        "words": math.log1p(min(evidence.words, MOST_WORDS)),
        "uncovered": evidence.uncovered,
    }


# The judge's inputs in one order: the columns `judged_rows` and calibration's fit read.
JUDGE_INPUTS = tuple(f.name for f in fields(Judge) if f.name != "bias")


def judged(evidence: Evidence, judge: Judge) -> float:
    """The judge's score for the best entry: at or above zero, it is answered."""
    inputs = judge_inputs(evidence)
    return float(judged_rows(judge, np.asarray([[inputs[name] for name in JUDGE_INPUTS]]))[0])


def judged_rows(judge: Judge, rows: np.ndarray) -> np.ndarray:
    """The judge's score for each row of inputs (columns in `JUDGE_INPUTS` order), as `judged` gives it for one."""
    return judge.bias + rows @ np.asarray([getattr(judge, name) for name in JUDGE_INPUTS])


@overload
def confident(best: float, runner_up: float, out_of_scope: float, thresholds: Thresholds) -> bool: ...
@overload
def confident(
    best: np.ndarray, runner_up: np.ndarray, out_of_scope: np.ndarray, thresholds: Thresholds
) -> np.ndarray: ...
def confident(best: Score, runner_up: Score, out_of_scope: Score, thresholds: Thresholds) -> bool | np.ndarray:
    """Whether the best entry has earned an answer. Elementwise on numpy arrays too, so calibration
    can try a threshold on every question at once with this very rule."""
    close_enough, clear_lead, not_out_of_scope = _rules(best, runner_up, out_of_scope, thresholds)
    return close_enough & clear_lead & not_out_of_scope


@overload
def _rules(best: float, runner_up: float, out_of_scope: float, thresholds: Thresholds) -> tuple[bool, bool, bool]: ...
@overload
def _rules(
    best: np.ndarray, runner_up: np.ndarray, out_of_scope: np.ndarray, thresholds: Thresholds
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def _rules(
    best: Score, runner_up: Score, out_of_scope: Score, thresholds: Thresholds
) -> tuple[bool, bool, bool] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    close_enough = best >= thresholds.answer
    clear_lead = (best - runner_up >= thresholds.margin) | (best >= thresholds.certain)
    not_out_of_scope = best - out_of_scope >= thresholds.out_of_scope_margin
    return close_enough, clear_lead, not_out_of_scope


TOO_FAR, TOO_CLOSE, OUT_OF_SCOPE = "too-far", "too-close-to-runner-up", "out-of-scope-exemplar"
JUDGE = "judge"
RULES = (JUDGE, TOO_FAR, TOO_CLOSE, OUT_OF_SCOPE)  # every rule an objection can name


def objections(evidence: Evidence, thresholds: Thresholds) -> tuple[Objection, ...]:
    """Why the best entry was not answered, each objection pointing staff at its own remedy: too far wants an
    alternate in the entry's words, too close wants the two entries' alternates told apart, and an out-of-scope
    exemplar names the exemplar to reword or remove. Under a judge, its verdict with every input comes first, then
    whichever of those three thresholds the entry also misses: they say which input is weakest. Empty when the best
    entry has earned an answer."""
    if not evidence.matches or decide(evidence, thresholds) is not None:
        return ()
    best = evidence.matches[0]
    runner_up = evidence.matches[1] if len(evidence.matches) > 1 else Match("", float("-inf"))
    close_enough, clear_lead, not_out_of_scope = _rules(best.score, runner_up.score, evidence.out_of_scope, thresholds)
    found = [] if thresholds.judge is None else [_verdict(evidence, thresholds.judge)]
    if not close_enough:
        found.append(
            Objection(
                TOO_FAR,
                "too far",
                f"the closest entry, {best.id}, scores {best.score:.3f}: an answer needs {thresholds.answer:.3f}",
            )
        )
    if not clear_lead:
        found.append(
            Objection(
                TOO_CLOSE,
                f"too close to {runner_up.id} ({runner_up.score:.3f})",
                f"the runner-up, {runner_up.id}, scores {runner_up.score:.3f} against {best.id}'s "
                f"{best.score:.3f}: an answer needs a lead of {thresholds.margin:.3f}",
            )
        )
    if not not_out_of_scope:
        exemplar, score = evidence.out_of_scope_text, evidence.out_of_scope
        found.append(
            Objection(
                OUT_OF_SCOPE,
                f"out-of-scope exemplar {_clip(exemplar)!r} ({score:.3f})",
                f"the out-of-scope exemplar {exemplar!r} scores {score:.3f} against {best.id}'s "
                f"{best.score:.3f}: an answer needs a lead of {thresholds.out_of_scope_margin:.3f}",
                exemplar,
                score,
            )
        )
    return tuple(found)


def _verdict(evidence: Evidence, judge: Judge) -> Objection:
    inputs = judge_inputs(evidence)
    score = judged(evidence, judge)
    return Objection(
        JUDGE,
        f"judged {score:+.2f}",
        f"the judge scores {evidence.matches[0].id} at {score:+.2f}: an answer needs 0 or more. It weighed the best "
        f"score {inputs['best']:.3f}, a lead of {inputs['lead']:.3f} over the runner-up and of "
        f"{inputs['out_of_scope_lead']:.3f} over the out-of-scope exemplars, {evidence.words} telling words, "
        f"{evidence.uncovered:.0%} of them not in the entry",
    )


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggestions(evidence: Evidence, thresholds: Thresholds, most: int) -> tuple[Match, ...]:
    """The entries to offer as "did you mean" when no answer was earned: best first, possibly none."""
    if (
        not evidence.matches
        or evidence.matches[0].score - evidence.out_of_scope < thresholds.clarify_out_of_scope_margin
    ):
        return ()
    return tuple(m for m in evidence.matches[:most] if m.score >= thresholds.clarify)
