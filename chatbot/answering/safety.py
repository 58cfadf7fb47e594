"""The emergency check: explicit patterns first (English here, Spanish in `safety_es`, the plainest
phrasings of five more languages in `safety_other`), then closeness to emergency exemplars.

It runs before any retrieval. The patterns catch plain statements of an emergency happening now
("I can't breathe", "I want to kill myself") whatever else the message says. The semantic half
catches the indirect ones ("I don't want to be here anymore") by comparing the message with the
knowledge base's `emergency` exemplars, and only when it is clearly closer to them than to every
ordinary phrasing the knowledge base holds (its alternates, out-of-scope questions and the
`not_emergency` exemplars such as "can ketamine cause seizures?"), so ordinary questions with
scary words don't raise the alarm.
"""

from __future__ import annotations

import re

from chatbot.answering import safety_es, safety_other
from chatbot.answering.policy import Score
from chatbot.answering.tense import said_now
from chatbot.domain import Thresholds

_SELF = r"(?:i|i'm|i am|im|i've|i have|ive|i'll|i will|i feel|i keep|feeling|me)"
_PERSON = (
    r"(?:he|she|they|him|her|them|he's|she's|they're|someone|somebody"
    r"|(?:my |our |the )?(?:\w+ )?(?:husband|wife|partner|son|daughter|mom|mum|mother|dad|father"
    r"|friend|boyfriend|girlfriend|roommate|brother|sister|baby|child|kid"
    r"|grandma|grandpa|grandmother|grandfather|aunt|uncle))"
)
_PATTERNS = [
    # Suicide and self-harm, said by the patient about themselves.
    rf"\b{_SELF}\b[^.?!]{{0,40}}"
    r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning|shoot|shooting|hang|hanging)"
    r"\s+(?:my ?self|me)\b",
    r"\b(?:cut|cutting|slit|slitting|slashed) (?:my|her|his) wrists?\b",
    r"\b(?:want|wanna|going|gonna|ready|plan|planning|trying|deserve)\s+(?:to\s+)?die\b",
    rf"\b(?:{_SELF}|gonna|going to|want to|ready to|plan to|about to)\b[^.?!]{{0,30}}"
    r"\bend (?:it|it all|my life|my own life|things|everything)\b",
    r"\bend(?:ing)? it all\b",
    r"\b(?:do not|don't|dont) want to (?:live|be alive|be here|wake up|exist|go on)\b",
    r"\bbetter off (?:dead|without me)\b|\bno (?:point|reason) (?:in )?(?:going on|living|to live)\b"
    r"|\bnothing to live for\b",
    r"\b(?:can not|can't|cant|cannot) go on\b",
    r"\b(?:goodbye|suicide) (?:letters?|notes?)\b|\bthis is my last message\b",
    r"\b(?:going to|gonna|about to|want to) jump\b|\bstanding on (?:the|a) (?:bridge|ledge|roof|edge)\b",
    r"\b(?:gun|knife|rope)\b[^.?!]{0,40}\b(?:myself|use it on me)\b",
    r"\bthinking (?:about|of) (?:overdosing|killing myself|suicide|ending (?:it|my life)|taking (?:all|them all))\b",
    r"\b(?:have|got|bought|holding)\s+(?:the|a)\s+(?:rope|noose|gun)\b"
    r"|\b(?:rope|noose|gun) (?:is )?(?:ready|in my lap)\b|\bpills (?:all )?lined up\b",
    r"\b(?:letters?|notes?) (?:to|for) (?:my|the) "
    r"(?:kids|children|family|wife|husband|mom|mum|dad|parents|son|daughter)\b"
    r"|\bwhere they will find (?:them|it|me)\b",
    r"\bthis is goodbye\b"
    r"|\bwill not be (?:a burden|around|here)\b[^.?!]{0,25}\b(?:much longer|anymore|tomorrow|soon)\b",
    r"\b(?:writing|texting|messaging|calling|here|just wanted) to say goodbye\b"
    r"|\btonight is the night (?:that )?i\b[^.?!]{0,20}\b(?:end|die|do it|go)\b"
    r"|\b(?:decided|made up my mind)\b[^.?!]{0,40}\bend (?:it|it all|my life|everything)\b",
    # Said of someone else: "he says he's going to kill himself".
    r"\b(?:going to|gonna|about to|trying to|threatening to|wants to|says (?:he|she|they) (?:will|wants to))"
    r"\s+(?:kill|hurt|shoot|hang|cut)\s+(?:himself|herself|themselves|themself)\b",
    r"\bgarage\b[^.?!]{0,40}\bengine (?:is )?running\b|\bengine running\b[^.?!]{0,30}\bgarage\b",
    # Self-harm happening now, the patient's or someone else's.
    r"\b(?:cutting|scratching|slicing|stabbing|burning|hitting)\s+(?:her|his|their|my)\s+"
    r"(?:arms?|legs?|wrists?|skin|thighs?)\b|\busing it on my (?:arms?|legs?|wrists?|skin|thighs?)\b",
    r"\b(?:banging|hitting|slamming) (?:my|his|her|their) head (?:against|on|into)\b|\bcut (?:deeper|too deep)\b",
    # Overdose, taken or about to be.
    r"\b(?:took|swallowed|taken|ate|downed)\b[^.?!]{0,20}"
    r"\b(?:whole|entire|all|bunch|handful|too many|too much|bottle|\d{2,})\b",
    r"\b(?:take|swallow)\s+(?:all|them all|every one)\b",
    r"\b(?:sav(?:ed|ing)|stockpil\w*|hoard\w*)\s+(?:up\s+)?(?:my\s+)?(?:pills|meds|medications)\b|\bpills saved up\b",
    rf"\b(?:{_SELF}|just|gonna|going to|about to|want to)\s+(?:\w+\s+)?(?:overdosed|overdosing|overdose|od'?d|od)\b",
    r"\b(?:is|has|just)\s+(?:overdosing|overdosed|od'?d)\b",
    r"\b(?:he|she|they|my \w+|someone|somebody)\s+(?:just\s+)?(?:overdosed|od'?d)\b",
    r"\b(?:kid|child|son|daughter|baby|toddler|year old|grandson|granddaughter)\b"
    r"[^.?!]{0,30}\b(?:got into|ate|swallowed|drank)\b"
    r"[^.?!]{0,30}\b(?:pills|medications|medicine|tablets|bottle|patches)\b",
    r"\b(?:took|taken|had)\s+(?:extra|double|triple)\b[^.?!]{0,30}\b(?:\d+|bunch|lot|many)\b"
    r"|\bmixed my \w+ with\b[^.?!]{0,40}\bon purpose\b",
    # Chest pain, heart attack, stroke: happening now.
    r"\bcrushing\b[^.?!]{0,20}\bchest\b|\bchest\b[^.?!]{0,10}\bcrushing\b",
    r"\belephant\b[^.?!]{0,20}\bchest\b|\bclutching (?:his|her|my|their) chest\b"
    r"|\bchest (?:is|feels) (?:so |really |very )?(?:tight|heavy)\b[^.?!]{0,40}\b(?:arm|jaw|sweat\w*|numb)\b",
    r"\b(?:pain|pressure|tightness)\b in (?:my|his|her) chest\b|\bchest (?:hurts|is hurting|is killing me)\b",
    r"\b(?:had|having|have|got|feel|feeling)\b[^.?!]{0,15}\bchest (?:pressure|tightness|pain)\b[^.?!]{0,40}"
    r"\b(?:jaw|arm|an hour|sweat\w*|right now)\b",
    r"\b(?:i have|i've got|i am having|i'm having|im having|having|got)\s+"
    r"(?:a\s+)?(?:bad\s+|severe\s+|sharp\s+|sudden\s+|terrible\s+)?chest pains?\b",
    r"\b(?:having|is having)\s+a\s+(?:heart attack|stroke|seizure)\b",
    r"\bface (?:is |looks |feels |seems )?droop|\bslurr(?:ed|ing)\b|\bslured\b|\bweakness on one side\b",
    r"\b(?:half|one side) of (?:my|his|her|their|the) (?:face|mouth)\b[^.?!]{0,25}\b(?:numb|droop\w*|crooked|sagging)\b"
    r"|\b(?:smile|mouth) (?:is |looks )?(?:crooked|lopsided|droop\w*)\b",
    r"\b(?:hand|arm|leg)\b[^.?!]{0,10}\b(?:went limp|went numb|stopped working|gave out)\b"
    r"|\bcan not find (?:her|his|my|their) words\b",
    r"\bwords (?:are )?(?:coming out|come out) (?:wrong|jumbled|garbled)\b"
    r"|\bsudden(?:ly)? (?:double vision|can not see|blind)\b",
    # A sudden turn for the worse after a treatment, or vital signs far out of range.
    r"\b(?:bp|blood pressure)\b[^.?!]{0,30}\b(?:1[89]\d|2\d\d)\b"
    r"|\b(?:heart rate|pulse)\b[^.?!]{0,30}\b(?:1[5-9]\d|2\d\d)\b",
    r"\b(?:vision|everything) (?:is )?going black\b|\b(?:going to|gonna|about to) (?:faint|pass out)\b"
    r"|\bfeel like (?:i am|i'm) dying\b",
    r"\bworst headache (?:of my life|ever)\b|\bheadache is the worst (?:ever|of my life)\b"
    r"|\bcan not (?:feel|move) my (?:arms?|legs?|body|face)\b",
    # Breathing, seizures, unresponsive, anaphylaxis, bleeding.
    r"\b(?:can not|can't|cant|cannot|unable to|struggling to)\s+breath",
    r"\bhaving (?:trouble|a hard time|difficulty) breathing\b"
    r"|\b(?:not|isn't|isnt|stopped|is not|barely|hardly) breathing\b",
    r"\bbreathing is (?:really |very |so )?(?:shallow|slow|labored|laboured)\b"
    r"|\b(?:gasping|choking) for (?:air|breath)\b",
    r"\b(?:i am|i'm|im|like i am|like i'm) suffocating\b|\bevery breath is a struggle\b"
    r"|\bchoking\b[^.?!]{0,30}\b(?:can not|can't|cannot) (?:talk|breathe|speak)\b|\bno pulse\b",
    r"\btwitching and (?:making|foaming|gurgling)\b|\bgurgling (?:sounds|noises)\b"
    r"|\bjerking (?:uncontrollably|all over)\b",
    r"\b(?:seizing|convulsing|having a seizure|foaming at (?:the )?mouth|jerking on the (?:floor|ground|bed))\b",
    # Said of a person: "my pain is not responding to opioids" is a question for the clinic, not an emergency.
    rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(?:unresponsive|not responding|(?:will|does) not respond)\b"
    r"|\bnot respond(?:ing)? (?:to (?:me|us|my voice|anything i do)|when i)\b",
    r"\b(?:won't|wont|will not|can't|cant|can not|cannot) wake (?:him|her|them)(?: up)?\b",
    r"\b(?:won't|wont|will not|isn't|isnt|is not) (?:wake|waking) up\b",
    r"\b(?:on the floor|collapsed)\b[^.?!]{0,30}\bnot (?:waking|moving|answering|breathing)\b",
    r"\bturning (?:blue|grey|gray)\b"
    r"|\b(?:lips|face|fingers|fingertips|fingernails)\s+(?:are|is|look|looks|looking|went|have gone|turned)\s+"
    r"(?:\w+\s+)?(?:blue|grey|gray|purple)\b|\b(?:just|has|is)\s+(?:passed out|collapsed)\b",
    r"\b(?:throat|tongue|lips|face|mouth|eyes?)\b[^.?!]{0,25}\b(?:swelling|swollen|closing)\b|\banaphyla"
    r"|\b(?:hives|welts) (?:all over|everywhere)\b"
    r"|\btongue (?:feels |is )?(?:huge|thick)\b|\bhives\b[^.?!]{0,60}\bthroat\b|\bthroat\b[^.?!]{0,60}\bhives\b",
    r"\bbleeding\b[^.?!]{0,20}\b(?:won't|will not|wont|can not|can't) stop\b|\bstop the bleeding\b"
    r"|\bbleeding (?:a lot|heavily|badly)\b|\bblood everywhere\b",
    r"\b(?:vomiting|throwing up|coughing up|coughing|puking|pooping|peeing)\s+(?:up\s+)?(?:\w+\s+){0,2}blood\b"
    r"|\bgushing blood\b|\bblood (?:is )?(?:gushing|spurting|pouring)\b",
    r"\bhit (?:his|her|my|their) head\b[^.?!]{0,40}\b(?:confused|throwing up|vomiting|passed out|not making sense)\b",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
# Suicidal thoughts are an alarm when the patient has them now ("I'm suicidal", "suicidal thoughts right
# now", or a clause that starts with the word); as a topic ("does ketamine help suicidal depression?")
# the semantic check decides.
_SUICIDE = re.compile(r"\bsu[ie]?c[ie]?d", re.IGNORECASE)
_SUICIDAL_NOW = re.compile(
    r"\b(?:i am|i'm|im|i feel|feeling|feel|i have been|i've been|having|i have|i keep having|getting)\b"
    r"(?:\s+\w+){0,3}?\s+su[ie]?c[ie]?d"
    r"|su[ie]?c[ie]?d\w*(?:\s+\w+){0,2}\s+(?:right now|tonight|today)\b"
    r"|^\W*(?:(?:so|very|really|feeling|feel)\s+)?su[ie]?c[ie]?d\w*\b(?!\s+(?:depression|patients|people|risk))",
    re.IGNORECASE,
)
# A clause about the past ("I had a seizure years ago", "I used to cut myself") states no emergency
# now; the semantic check still sees the message.
_PAST = re.compile(
    r"\b(?:(?:years?|months?|weeks?) ago|a (?:long )?(?:time|while) ago"
    r"|last (?:year|month|spring|summer|fall|autumn|winter)|in (?:19|20)\d\d|in the past|used to"
    r"|as a (?:kid|child|teen|teenager)|in high school"
    r"|in my (?:teens|twenties|thirties|20s|30s)|history of|once in"
    r"|when (?:i|he|she) was (?:a |an |younger|young|little)|when they were (?:a |younger|young|little))\b",
    re.IGNORECASE,
)
# A hypothetical ("what if I can't breathe during it") only covers what follows it in its clause:
# "my dad took a whole bottle of pills in case you need to know" is still an overdose.
_HYPOTHETICAL = re.compile(
    r"\b(?:what if|what happens if|in case"
    r"|can ketamine cause|does ketamine cause|could ketamine cause|will ketamine cause"
    r"|what should (?:\w+ ){1,2}do if|would you (?:be able to )?(?:tell|know) if)\b",
    re.IGNORECASE,
)
# Each clause is judged on its own, so "I want to kill myself, can ketamine cause this?" is not
# excused by its second half.
_CLAUSES = re.compile(r"[.?!;,]+|\b(?:but|and then)\b", re.IGNORECASE)
# A past event covers only what comes before a "now": "he got home a while ago and now I can't wake him".
_NOW = re.compile(r"\bnow\b", re.IGNORECASE)


def states_emergency(question: str, text: str) -> bool:
    """True when the message states an emergency in any language we know, whatever language it was detected as."""
    return stated_in(question, text) is not None


def stated_in(question: str, text: str) -> str | None:
    """The language whose patterns say the message states an emergency (`en`, `es`, `other`), or None.

    `text` is the normalised English reading the English patterns expect; the Spanish and other-language
    patterns read the patient's own words, since English normalisation would garble them ("y" is "and" in
    Spanish, not "why"). A Spanish phrase inside an English message, or a Spanish message detected as
    Portuguese, is caught all the same; and a three-word message too short to detect ("mi esposo no
    respira") is answered in the language its emergency was said in.
    """
    if mentions_emergency(text):
        return "en"
    if safety_es.mentions_emergency(question):
        return "es"
    return "other" if safety_other.mentions_emergency(question) else None


def mentions_emergency(text: str) -> bool:
    """True when any clause of the (normalised) message states an emergency happening now in so many words."""
    return any(_states_emergency(clause) for clause in _CLAUSES.split(text))


def _states_emergency(clause: str) -> bool:
    said = said_now(clause, _PAST, _NOW, _HYPOTHETICAL)
    if _EMERGENCY.search(said):
        return True
    return bool(_SUICIDE.search(said) and _SUICIDAL_NOW.search(said.strip()))


def sounds_like_emergency(emergency: Score, not_emergency: Score, thresholds: Thresholds) -> Score:
    """True when the message is close to an emergency exemplar and clearly closer to it than to any ordinary
    phrasing. Elementwise on numpy arrays too, for calibration."""
    return (emergency >= thresholds.emergency) & (emergency - not_emergency >= thresholds.emergency_margin)
