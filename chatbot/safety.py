"""The emergency check: explicit patterns first, then closeness to emergency exemplars.

It runs before any retrieval. The patterns catch plain statements ("I can't breathe", "I want to
kill myself") whatever else the message says. The semantic half catches the indirect ones ("I
don't want to be here anymore") by comparing the message with the knowledge base's `emergency`
exemplars, and only when it is clearly closer to them than to the `not_emergency` ones ("can
ketamine cause seizures?"), so ordinary questions with scary words don't raise the alarm.
"""

from __future__ import annotations

import re

from chatbot.domain import Thresholds

_SELF = r"(?:i|i'm|i am|im|i've|i have|ive|i'll|i will|i feel|i keep|feeling|me)"
_SOMEONE = r"(?:my \w+|he|she|they|he's|she's|they're|someone|somebody|friend|husband|wife|son|daughter|mom|dad|partner)"
_PATTERNS = [
    # Suicide and self-harm, said by the patient about themselves.
    rf"\b{_SELF}\b[^.?!]{{0,40}}\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting)\s+(?:my ?self|me)\b",
    rf"\b{_SELF}\b[^.?!]{{0,30}}\bsuicid",
    r"\b(?:want|wanna|going|gonna|ready|plan|planning|trying)\s+(?:to\s+)?(?:die|end (?:it|it all|my life|things)|take my (?:own )?life)\b",
    r"\bend(?:ing)? (?:it all|my life|my own life)\b",
    r"\b(?:don't|do not|dont) want to (?:live|be alive|be here|wake up|exist)\b",
    r"\b(?:better off dead|no reason to live|nothing to live for)\b",
    # Chest pain, breathing, seizures, overdose, unresponsive, anaphylaxis: happening now.
    rf"\b(?:{_SELF}|my|having|have)\b[^.?!]{{0,20}}\bchest\b[^.?!]{{0,15}}\b(?:pain|hurts?|hurting|tight|tightness|pressure|crushing|pounding)\b",
    r"\b(?:can ?not|can't|cant|couldn't|unable to|struggling to|hard to|trouble) ?breath",
    r"\b(?:not|isn't|isnt|stopped|stop|is not) breathing\b",
    rf"\b(?:{_SELF}|{_SOMEONE}|is|are|having|having a)\b[^.?!]{{0,15}}\b(?:having a seizure|seizing|convulsing)\b",
    r"\b(?:overdos(?:ed|ing)|od'?d|took (?:too many|too much|a whole|the whole|all (?:of )?(?:my|the|his|her)))\b",
    r"\b(?:won't|wont|will not|can't|cant|can not|cannot) wake (?:him|her|them|up)\b",
    r"\b(?:unresponsive|not responding|passed out|collapsed|turning blue|lips are blue)\b",
    rf"\b{_SOMEONE}\b[^.?!]{{0,15}}\b(?:is|went|are) unconscious\b",
    r"\b(?:throat|tongue|lips|face|mouth)\b[^.?!]{0,12}\b(?:swelling|swollen|closing|puffing)\b",
    r"\banaphyla",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def mentions_emergency(text: str) -> bool:
    """True when the (normalised) message states an emergency in so many words."""
    return _EMERGENCY.search(text) is not None


def sounds_like_emergency(emergency: float, not_emergency: float, thresholds: Thresholds) -> bool:
    """True when the message is close to an emergency exemplar and clearly closer to it than to any ordinary one."""
    return emergency >= thresholds.emergency and emergency - not_emergency >= thresholds.emergency_margin
