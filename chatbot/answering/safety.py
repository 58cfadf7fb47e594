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
import unicodedata

from chatbot.answering import safety_es, safety_other
from chatbot.answering.language import fold
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
# "i could kill myself for forgetting", "i have been killing myself at work": idioms. Not "for being a burden".
_IDIOM = (
    r"(?!\s+(?:for (?:forgetting|missing|losing|leaving|not (?:bringing|booking|calling|remembering))|laughing"
    r"|at (?:work|the gym)|with (?:work|chores)|working|to pay))"
)
_PATTERNS = [
    # Suicide and self-harm, said by the patient about themselves.
    # "i am at work and my neck is killing me": a pain, not the patient, is what kills there.
    rf"\b{_SELF}\b[^.?!]{{0,40}}"
    r"\b(?:kill|(?<!is )(?<!are )(?<!was )(?<!were )killing|hurt|hurting|harm|harming|cut|cutting|burn|burning"
    rf"|shoot|shooting|hang|hanging)\s+(?:my ?self|me)\b{_IDIOM}",
    r"\b(?:cut|cutting|slit|slitting|slashed) (?:my|her|his) wrists?\b",
    r"\b(?:want|wanna|going|gonna|ready|plan|planning|trying|deserve)\s+(?:to\s+)?die\b",
    rf"\b(?:{_SELF}|gonna|going to|want to|ready to|plan to|about to)\b[^.?!]{{0,30}}"
    r"\bend (?:it|it all|my life|my own life|things|everything)\b",
    r"\bend(?:ing)? it all\b",
    r"\b(?:do not|don't|dont) want to (?:live|be alive|be here|wake up|exist|go on)\b",
    r"\bbetter off (?:dead|without me)\b|\bno (?:point|reason) (?:in )?(?:going on|living|to live)\b"
    r"|\bnothing to live for\b",
    # Asking what living is for, or saying everyone would be better off, with nothing after it: "whats the point of
    # living" drew the clinic's "goal" answer. "What is the point of the first infusion" asks about the treatment, and
    # "everyone would be better off if you opened earlier" is about the office.
    r"\b(?:what is|whats|what's) the point (?:of|in) (?:living|life|being alive|going on|waking up)\b(?!\s+insurance)"
    r"|\bwhy am i (?:even |still )?alive\b|\b(?:life|my life) is (?:pointless|meaningless|not worth living)\b"
    r"|\bnot worth living\b"
    r"|\b(?:everyone|everybody|they|my family|my kids|the world) (?:would|will) be better off"
    r"(?:\s+if i (?:was|were) (?:gone|dead|not here|not around))?\s*$",
    r"\b(?:give|giving|gave|given) up on (?:life|living)\b(?!\s+insurance)"
    r"|\b(?:nobody|no one|noone) (?:would|will|is going to) (?:miss|notice|care if) (?:me|i am gone|i was gone)\b"
    r"(?!\s+if i (?:skip|miss|cancel)\w*)",
    r"\b(?:can not|can't|cant|cannot) go on\b",
    r"\b(?:goodbye|suicide) (?:letters?|notes?)\b|\bthis is my last message\b",
    # "done with life insurance" is paperwork; a goodbye "forever" or "final" is for good.
    r"\b(?:done|finished) with (?:life|living)\b(?!\s+insurance)|\b(?:goodbye|good bye|bye) forever\b(?!\s+to\b)"
    r"|\bmy (?:final|last) goodbye\b|\bfinal goodbye\b(?!\s+to\b)",
    r"\b(?:going to|gonna|about to|want to) jump\b|\bstanding on (?:the|a) (?:bridge|ledge|roof|edge)\b",
    r"\b(?:gun|knife|rope)\b[^.?!]{0,40}\b(?:myself|use it on me)\b",
    r"\bthinking (?:about|of) (?:overdosing|killing myself|suicide|ending (?:it|my life)|taking (?:all|them all))\b",
    r"\b(?:have|got|bought|holding)\s+(?:the|a)\s+(?:rope|noose|gun)\b"
    r"|\b(?:rope|noose|gun) (?:is )?(?:ready|in my lap)\b|\bpills (?:all )?lined up\b",
    r"\b(?:letters?|notes?) (?:to|for) (?:my|the) "
    r"(?:kids|children|family|wife|husband|mom|mum|dad|parents|son|daughter)\b"
    r"|\bwhere they will find (?:them|it|me)\b",
    r"\bthis is goodbye\b"
    r"|\bwill not be (?:a burden|around|here)\b[^.?!]{0,25}\b(?:much longer|anymore|tomorrow|soon)\b"
    # "I won't be a problem anymore. Thank you for trying to help me." Said of a pain ("it will not be a problem
    # anymore"), it is hope; said of oneself, a farewell.
    r"|\bi will not be a (?:problem|bother|burden)\b[^.?!]{0,25}"
    r"\b(?:anymore|any more|much longer|to anyone|for anyone)\b",
    r"\b(?:writing|texting|messaging|calling|here|just wanted) to say goodbye\b"
    r"|\btonight is the night (?:that )?i\b[^.?!]{0,20}\b(?:end|die|do it|go)\b"
    r"|\b(?:decided|made up my mind)\b[^.?!]{0,40}\bend (?:it|it all|my life|everything)\b",
    r"\b(?:planning|plan|going|gonna|about|ready|decided|want|trying) to take (?:my|his|her|their) own life\b",
    r"\bi am (?:standing |sitting )?(?:at|on) the edge of (?:the|a) "
    r"(?:quarry|bridge|cliff|roof|building|river|lake|tracks|platform|ledge|parking garage)\b",
    # Voices that command: "the voices are telling me to jump".
    r"\bvoices?\b[^.?!]{0,50}\b(?:telling|tell|tells|told|want|wants) me to "
    r"(?:jump|kill|hurt|die|end|cut|hang|shoot|drown|overdose|take (?:all|them))\b",
    # Said of someone else: "he says he's going to kill himself".
    r"\b(?:going to|gonna|about to|trying to|threatening to|wants to|says (?:he|she|they) (?:will|wants to))"
    r"\s+(?:kill|hurt|shoot|hang|cut)\s+(?:himself|herself|themselves|themself)\b",
    r"\bgarage\b[^.?!]{0,40}\bengine (?:is )?running\b|\bengine running\b[^.?!]{0,30}\bgarage\b",
    # Self-harm happening now, the patient's or someone else's.
    r"\b(?:cutting|scratching|slicing|stabbing|burning|hitting)\s+(?:her|his|their|my)\s+"
    r"(?:arms?|legs?|wrists?|skin|thighs?)\b|\busing it on my (?:arms?|legs?|wrists?|skin|thighs?)\b",
    r"\b(?:banging|hitting|slamming) (?:my|his|her|their) head (?:against|on|into)\b|\bcut (?:deeper|too deep)\b",
    # Overdose, taken or about to be.
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
    r"\b(?:worst headache|headache is the worst) (?:of my life|ever|(?:i have|i|she has|he has) ever (?:had|felt))\b"
    r"|\b(?:headache|head (?:is )?(?:pounding|hurts|hurting))\b[^.?!]{0,40}\b(?:seeing|see|sees) double\b"
    r"|\bcan not (?:feel|move) my (?:arms?|legs?|body|face)\b",
    # Breathing, seizures, unresponsive, anaphylaxis, bleeding.
    # "I can not breathe through my nose" is a cold.
    r"\b(?:can not|can't|cant|cannot|unable to|struggling to)\s+breath"
    r"(?!e?\s+(?:through|thru|out of|with)\s+(?:my|his|her|their|the|your|one)\s+(?:nose|nostril))",
    r"\bhaving (?:trouble|a hard time|difficulty) breathing\b"
    r"|\b(?:not|isn't|isnt|stopped|is not|barely|hardly) breathing\b",
    r"\bbreathing is (?:really |very |so )?(?:shallow|slow|labored|laboured)\b"
    r"|\b(?:gasping|choking) for (?:air|breath)\b",
    # Too short of breath to talk: "wheezing so badly I can only get out one word at a time".
    r"\bwheezing so (?:bad|badly|hard)\b|\bcan only (?:get out|say|speak|manage|talk in) (?:one|a few|two) words?\b",
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
    # Also said in a Spanish-English mix: "mi mom is on the floor y no se mueve".
    r"\b(?:on the (?:floor|ground)|collapsed)\b[^.?!]{0,30}"
    r"(?:\bnot (?:waking|moving|answering|breathing)|\bwon'?t (?:wake|move|answer|respond)|\bunresponsive"
    r"|\bno se (?:mueve|despierta)|\bno (?:responde|contesta|respira))\b",
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
    # A lethal act on oneself, said without "I" ("kill myself tonight", "tried to hang myself, going to try
    # again"), or done by someone else just now ("my son shot himself"); "i could kill myself for forgetting"
    # and "killing myself at the gym" are idioms.
    r"\b(?:kill|killing|hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|suffocate|strangle)\s+myself\b"
    + _IDIOM,
    r"\b(?:shot|hanged|hung|stabbed|poisoned|strangled)\s+(?:himself|herself|themselves|themself)\b",
    # How someone means to die: the water, traffic, a height.
    r"\b(?:walk|walking|swim|swimming|drive|driving|step|stepping|run|running|throw myself)\s+"
    r"(?:(?:my|the|his|her|their) (?:car|truck)\s+)?(?:out\s+)?"
    r"(?:into|in front of|off)\s+(?:the|a)\s+(?:lake|river|sea|ocean|traffic|train|bus|truck|bridge|cliff)\b",
    r"\b(?:standing|sitting|up|out) on (?:top of )?(?:the|a) (?:overpass|railing|balcony railing|cliff|cliff edge)\b"
    r"|\b(?:jump|jumping) (?:off|from) (?:the|a|this) (?:bridge|roof|overpass|balcony|building|cliff|ledge)\b",
    r"\b(?:gun|rifle|pistol|knife|blade|razor)\b[^.?!]{0,80}\b(?:use|using|turn|turning|point|pointing) "
    r"(?:it|them) on (?:myself|me)\b",
    r"\bno point (?:in )?(?:waking up|being alive|being here|living anymore)\b|\bby the time you read this\b"
    r"|\bso (?:someone|somebody|they|you|people|my \w+) (?:can |will |could )?finds? (?:me|my body)\b"
    r"|\b(?:found|find) my body\b",
    # Overdose: everything in the cabinet, or pills on top of heavy drinking.
    r"\b(?:drank|drunk|had|finished)\s+(?:a fifth|a whole bottle|the whole bottle|a bottle of \w+"
    r"|(?:\d+|several|many|like \d+) (?:drinks|beers|shots))\b[^.?!]{0,30}\b(?:took|popped|swallowed)\b",
    r"\b(?:took|popped|swallowed)\b[^.?!]{0,30}\b(?:pills|percocets?|oxys?|xanax|valium|tablets)\b[^.?!]{0,20}"
    r"\b(?:with|and|on top of|plus)\s+"
    r"(?:a fifth|a whole bottle|the whole bottle|a bottle of|vodka|whiskey|alcohol|booze)\b",
    # A seizure said to be happening now; "a seizure now and then" is a habit.
    r"\b(?:seizure|seizures|seizing|convulsing|convulsions|fitting)\s+(?:right\s+)?now\b(?!\s+and\s+(?:then|again))",
    # A cry for help in two or three words to start with: "overdose help", "stroke please", "heart attack 911".
    r"^\W*(?:help\W+)?(?:overdose|seizure|stroke|heart attack|not breathing|bleeding)\W*"
    r"(?:help|please|911|now|hurry)\b",
    # A whole message that is a cry for help and nothing else: "911", "SOS", "emergency!", "please hurry". In a
    # sentence these words ask about the clinic ("what if there is an emergency?"), so only the whole message counts,
    # a hello before it aside ("hi 911" got the greeting).
    r"^\W*(?:(?:hi|hello|hey|hola)(?:\W+there)?\W+)?(?:please\W+)?"
    r"(?:sos|911|mayday|emergency|(?:it is|it's|its|this is) an emergency|ambulance|hurry"
    r"|(?:call|get|send) (?:911|an ambulance|help)|unconscious)(?:\W+(?:please|now|help|hurry|asap|quick|911))*\W*$",
    r"\b(?:please|someone|somebody)\s+call\s+(?:911|an ambulance)\b"
    r"|\b(?:we|i)\s+(?:just\s+)?called\s+(?:911|an ambulance)\b"
    r"|\bambulance is (?:on (?:the|its) way|coming)\b",
    # Stroke signs: a weak or dead side, words that will not come out; "i can not talk right now" is busy.
    r"\b(?:can not|unable to)\s+(?:move|feel|lift)\s+(?:my|his|her|their)\s+(?:left|right)\s+(?:arm|leg|side|hand)\b"
    r"|\b(?:left|right) side (?:of (?:my|his|her|their) (?:face|body) )?(?:is |went |has gone |feels )?"
    r"(?:numb|weak|droop\w*|dead|limp)\b",
    r"\b(?:can not|unable to)\s+(?:talk|speak)\s+(?:right|properly|straight|clearly)\b(?!\s+(?:now|away))"
    r"|\b(?:can not|unable to) get (?:my|his|her|the) words out\b",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
# Hopelessness as the whole message: "no hope", "i give up", "i hate my life" got the fallback or "did you mean", and
# "im so tired of everything" the clinic's answer on tiredness after treatment. The same words are said of pain
# beside a question ("i hate my life with this back pain. will ketamine help?"), so only a message that is nothing
# else counts, not a clause of one.
_HOPELESS = re.compile(
    r"^\W*(?:(?:i|i have) (?:just |really )?(?:give up|gave up|given up)(?: on (?:everything|myself))?"
    r"|(?:i have |i got |there is |there's |theres |there )?no (?:more )?hope(?: left| anymore)?"
    r"|(?:(?:i feel|i am|i am feeling|feeling|i have been feeling|i have felt) )?(?:so |completely |totally |very "
    r"|really |just )?hopeless(?: and (?:alone|helpless|lost))?|i am (?:just |such )?a burden"
    r"(?: to (?:everyone|everybody|my family|them))?|i (?:really )?hate my life"
    r"|i am (?:so )?tired of (?:it all|everything)"
    r"|what is (?:even the point|the point (?:anymore|of anything|of it all|of trying)))\W*$",
    re.IGNORECASE,
)
# Suicidal thoughts come back: "those thoughts are back", "having dark thoughts again" got the fallback or "did you
# mean", and so did a past attempt told beside its return ("i tried to kill myself years ago and im thinking about it"),
# since a past event excuses its clause. Read on the whole message; a past attempt with nothing of now ("i attempted
# years ago, will ketamine help?") is no emergency.
_THOUGHTS_BACK = (
    r"(?:suicidal|dark|bad|those|these|the|my old|death|dying|morbid) (?:thoughts?|feelings?|urges?|ideas?)"
    r"(?: (?:are|is|have|has|came|come|keep coming|coming|creeping)(?: right)? back| again)"
    r"|(?:having|have|had|get|getting|got) (?:those|these|dark|suicidal|bad|the same|my old)"
    r" (?:thoughts?|feelings?|urges?) (?:again|back)"
)
_RELAPSE = re.compile(
    rf"\b(?:{_THOUGHTS_BACK})\b"
    r"|(?:\battempted(?=\s*[,.;]| suicide| to (?:kill|end))|\bmy (?:suicide )?attempt|\bsuicide attempt"
    r"|\btried to (?:kill|end|hurt) (?:myself|my life|it all)|\boverdosed on purpose"
    r"|\b(?:was|been|felt|used to be) suicidal)\b[^?]{0,80}"
    r"\b(?:(?:feel|feeling|felt) (?:that way|the same(?: way)?|like (?:that|then|before))(?: again)?"
    r"|(?:the )?same (?:feelings?|thoughts?|urges?)|(?:thinking|think) about (?:it|doing it|trying)(?! for)"
    r"|want to (?:do it|try) again|(?:it is|its) happening again)\b",
    re.IGNORECASE,
)
# Taking everything at once is an overdose; taking all of one's usual morning medication is a routine question
# ("how do i swallow all my morning pills with a sip of water"), unless a bottle or a count says otherwise.
_INTAKE = re.compile(
    r"\b(?:took|swallowed|taken|ate|downed)\b[^.?!]{0,20}"
    r"\b(?:whole|entire|all|bunch|handful|too many|too much|bottle|\d{2,})\b"
    r"|\b(?:take|swallow)\s+(?:all|them all|every one)\b"
    r"|\b(?:took|swallowed|taken|ate|downed)\s+(?:everything|every (?:pill|tablet|single one|last one))\b",
    re.IGNORECASE,
)
_ROUTINE = re.compile(
    r"\b(?:morning|usual|regular|daily|normal|evening|nightly|bedtime|prescribed|scheduled|current|other"
    r"|blood pressure)"
    r" (?:pills|meds|medications|medicines|medication|tablets|doses?|vitamins|supplements)\b"
    r"|\bas (?:usual|prescribed|directed|instructed|normal)\b"
    r"|\b(?:how|can|should|may|do|when) (?:do |should |can |may )?i (?:take|swallow)\b",
    re.IGNORECASE,
)
_BINGE = re.compile(r"\b(?:whole|entire|bottle|handful|too many|too much|\d{2,})\b", re.IGNORECASE)
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
    r"|when (?:i|he|she) was (?:a |an |younger|young|little|\d+)|when they were (?:a |younger|young|little|\d+)"
    r"|at (?:age )?\d+ years old)\b"
    # "I had an allergic reaction to morphine once": once, at the end of its clause, is some time before now.
    r"|(?<!\bat )(?<!\ball )\b(?:only |just )?once(?: or twice)?\s*$",
    re.IGNORECASE,
)
# A hypothetical ("what if I can't breathe during it") only covers what follows it in its clause:
# "my dad took a whole bottle of pills in case you need to know" is still an overdose.
_HYPOTHETICAL = re.compile(
    r"\b(?:what if|what happens if|in case"
    r"|can ketamine cause|does ketamine cause|could ketamine cause|will ketamine cause"
    r"|what should (?:\w+ ){1,2}do if|would you (?:be able to )?(?:tell|know) if"
    # "what you'd do if I stopped breathing": what someone would do, or a past-tense "if", is a supposition.
    r"|what (?:would|will|do|does|did) (?:you|they|y'all|the \w+|your \w+) do if|what (?:you|they)(?:'d| would) do if"
    r"|what (?:would|will) happen if|in the event (?:that|of)"
    r"|if (?:i|he|she|they|someone|somebody|my \w+) (?:ever|were to|was to|stopped|started|went into|suddenly)"
    # Fear of what may come: "i am scared i will stop breathing while sedated", "nightmares that i won't wake up".
    r"|(?:scared|afraid|worried|terrified|nervous|fear|nightmares?|dreams?)\s+"
    r"(?:that\s+)?(?:i|he|she|they|it|my \w+)\s*"
    r"(?:'ll|will|might|would|could|may|is going to|am going to)"
    r"|(?:i|we) (?:heard|read|saw) "
    r"(?:that|online|somewhere|about|on (?:the )?(?:news|tiktok|reddit|facebook|youtube)))\b",
    re.IGNORECASE,
)
# "To be clear i am not suicidal", "i am not going to hurt myself", "i'm not having a heart attack": a denial states
# no emergency in its clause.
_DENIAL = re.compile(
    r"\b(?:not|never|no longer|nor)\b(?:\s+\w+){0,2}?\s+su[ie]?c[ie]?d"
    r"|\bnot (?:going to|gonna|planning to|trying to) (?:hurt|kill|harm|end)\b"
    r"|\bnot having (?:a|an) (?:heart attack|stroke|seizure|allergic reaction|emergency)\b"
    r"|\bno (?:plans?|intention|intent|thoughts?) (?:to|of) (?:hurt|kill|harm|end|suicide|dying)",
    re.IGNORECASE,
)
# A story to check ("my friend said she stopped breathing at another clinic, is that true") states nothing now.
_RUMOUR = re.compile(r"\bis (?:that|it|this) (?:really |actually )?true\W*$", re.IGNORECASE)
# A past clause excuses the fragments after it in its sentence ("i had a reaction once, hives all over"), until one
# of them says now. A clause with a subject of its own says its own tense: "my dad had a heart attack in 2019, he
# is not breathing" is the story of a relative who is not breathing now.
_PRESENT = re.compile(
    r"\b(?:now|today|tonight|again|currently|at the moment|this (?:morning|afternoon|evening))\b", re.IGNORECASE
)
_OWN_SUBJECT = re.compile(
    r"^\s*(?:and |so |then )?(?:i|i'm|im|i've|he|he's|hes|she|she's|shes|they|they're|we|we're|you|it|it's|its"
    r"|(?:my|his|her|their|our) \w+)\b",
    re.IGNORECASE,
)
# Each clause is judged on its own, so "I want to kill myself, can ketamine cause this?" is not
# excused by its second half.
_SENTENCES = re.compile(r"[.?!]+|\b(?:but|(?<!now )and then)\b", re.IGNORECASE)
_COMMAS = re.compile(r"[;,]+")
# Someone saying goodbye for good: a final step ("i will be gone", "gave my dog away", "this is my last week")
# with a farewell or a second final step. One alone is ordinary ("i won't be around thursday"; "thanks for
# everything, goodbye"); a trip is not a farewell.
_FINAL_STEP = re.compile(
    r"\bwill not be (?:around|here)\b|\b(?:i'll|i will|ill) be gone\b|\bwill not need (?:them|it|any|my|the)\b"
    r"|\bthis is my last (?:day|week|night|message)\b(?!\s+(?:of|at|in|on|before|with|for)\b)"
    r"|\b(?:giving|gave|give|given) (?:away )?(?:all )?(?:of )?my "
    r"(?:things|stuff|belongings|possessions|dog|cat|pets?)\b"
    r"|\b(?:wrote|written|writing|left) (?:goodbye )?(?:letters|notes) (?:to|for) everyone\b"
    r"|\bi am (?:finished|done)\s*$|\b(?:took|swallowed|taken) (?:the|my|all (?:the|my)) (?:pills|meds|tablets)\b"
    r"|\b(?:arrangements|affairs) (?:are )?(?:made|in order)\b|\bdecided this is (?:it|my last)\b"
    r"|\b(?:give|offer) my (?:slot|spot|place|appointments?) to someone\b",
    re.IGNORECASE,
)
# "i will be gone by morning", or asking that nobody come ("if i don't answer tomorrow, don't send anyone"), needs no
# farewell beside it. Read on the clauses joined, since a comma may part the two halves of the second.
_GONE = re.compile(
    r"\b(?:i'll|i will|ill) be gone (?:before|by) (?:morning|tomorrow|tonight|then|the time|my next|the next|next)\b"
    r"|\bif i do not (?:answer|respond|reply|pick up|wake up)\b[^?!]{0,40}"
    r"\bdo not (?:send|call) (?:anyone|anybody|help|the police|an ambulance|911)\b",
    re.IGNORECASE,
)
_FAREWELL = re.compile(
    r"\b(?:goodbye|good bye|farewell|bye forever)\b|\bthank you for (?:everything|trying|all you (?:did|have done))\b"
    r"|\bsorry for everything\b|\byou (?:were|have been|all were) (?:so |very )?(?:kind|good) to me\b"
    r"|\bjust wanted (?:someone|somebody|you|people) to know\b"
    r"|\b(?:tell|let) (?:my \w+|them|her|him|everyone) (?:know )?(?:that )?i love\b",
    re.IGNORECASE,
)
_AWAY = re.compile(
    r"\b(?:vacation|holiday|trip|travel\w*|out of town|moving|business|conference|visiting|away for)\b"
    r"|\bpain (?:is|has) (?:gone|better)|\bpain free\b|\b(?:it|infusions?|treatment|ketamine) (?:really )?worked\b",
    re.IGNORECASE,
)
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
    """True when the whole (normalised) message is hopelessness, any clause of it states an emergency happening
    now in so many words, or its clauses together say goodbye for good."""
    said = _said_now(text)
    if _HOPELESS.match(text) or _RELAPSE.search(text) or any(_states_emergency(clause) for clause in said):
        return True
    if _AWAY.search(text):
        return False
    now = " . ".join(said)
    finals = {m.group(0) for m in _FINAL_STEP.finditer(now)}
    return bool(_GONE.search(now)) or (bool(finals) and (len(finals) > 1 or bool(_FAREWELL.search(now))))


def _said_now(text: str) -> list[str]:
    """The part of each clause that can state something happening now (see `said_now`).

    A story to check ("..., is that true") and a denial ("i am not suicidal") say nothing now; a clause about
    the past also excuses the clauses after it in its sentence, until one of them says now.
    """
    said: list[str] = []
    for sentence in _SENTENCES.split(text):
        if _RUMOUR.search(sentence):
            continue
        past = False
        for clause in _COMMAS.split(sentence):
            if past and not _PRESENT.search(clause) and not _OWN_SUBJECT.search(clause):
                continue
            found = _PAST.search(clause)
            if found:
                past = _NOW.search(clause, found.end()) is None
            elif _PRESENT.search(clause):
                past = False
            if not _DENIAL.search(clause):
                said.append(said_now(clause, _PAST, _NOW, _HYPOTHETICAL))
    return said


def _states_emergency(said: str) -> bool:
    if _EMERGENCY.search(said):
        return True
    if _INTAKE.search(said) and (_BINGE.search(said) or not _ROUTINE.search(said)):
        return True
    return bool(_SUICIDE.search(said) and _SUICIDAL_NOW.search(said.strip()))


# Words that say nothing on their own, English and Spanish. A message of these alone ("please", "right now", "ya")
# brings the semantic nets only the company the words keep in emergencies ("right now i want to die"), and "now" alone
# got the emergency message. Nothing that can be the whole of a cry is here: not "help", "over", "done", "out",
# "alone", "nobody", "never", "no more".
# fmt: off
_FUNCTION_WORDS = frozenset([
    "a", "an", "the", "i", "im", "me", "my", "you", "u", "ur", "your", "it", "its", "this", "that", "there", "here",
    "is", "am", "are", "was", "be", "do", "does", "did", "have", "has", "can", "will", "would", "and", "or", "but",
    "so", "if", "then", "of", "to", "in", "on", "at", "for", "with", "now", "right", "rn", "just", "still", "yet",
    "again", "too", "very", "really", "please", "pls", "plz", "plis", "oh", "ah", "um", "uh", "well", "also", "even",
    "yes", "no", "not", "ok", "okay", "k",
    "el", "la", "los", "las", "un", "una", "y", "o", "pero", "que", "q", "de", "del", "en", "con", "por", "para",
    "mi", "te", "se", "lo", "le", "su", "yo", "tu", "ya", "ahora", "ahorita", "porfa", "favor", "x", "si",
    "muy", "mas", "este", "esta", "eso", "es", "son", "pues", "bueno",
])
# fmt: on
_TOKENS = re.compile(r"[^\W_]+|[^\w\s]")


def carries_meaning(question: str) -> bool:
    """False for a message of function words and punctuation alone, which the semantic nets do not judge; an emoji
    or a number ("911") is meaning."""
    return any(
        token not in _FUNCTION_WORDS if token[0].isalnum() else unicodedata.category(token[0])[0] == "S"
        for token in _TOKENS.findall(fold(question))
    )


# A message that says the trouble is over ("it went away", "woke up fine", "ya está bien"): a report, which the
# semantic nets, weighing words, take for the emergency it tells of. Only the end of a symptom counts, not a sender
# playing it down ("not urgent, ..." comes before a crisis too), and only when nothing new follows it: "it went away but
# now i cant see out of one eye" and "it wore off and i want to sleep forever" are read by the nets as before.
_SETTLED = re.compile(
    r"\b(?:went|has gone|have gone) away\b|\bcleared up\b|\bwore off\b|\b(?:is|it is|its|was|are) (?:all )?gone now\b"
    r"|\bback to normal\b|\bwoke up fine\b|\bbreathing normally\b"
    # Spanish, on the folded text: "ya está bien", "ya se le pasó". Being home is not being well: "me cuesta respirar,
    # ya estoy en la casa" is an emergency.
    r"|\bya (?:esta|estoy|estamos|anda|ando|se siente|me siento) (?:bien|mejor)\b(?! de)"
    r"|\bya (?:se (?:me |le )?)?(?:quito|paso)\b",
    re.IGNORECASE,
)
# What can follow the end of a symptom and start something new: a contrast ("but now"), or a clause with a subject of
# its own ("... went away and i have the pills in front of me").
_TURN = re.compile(
    r"\b(?:but|however|except|though|although|then|now|tonight"
    r"|pero|sin embargo|aunque|luego|despues|ahora|esta noche)\b"
    r"|(?:\band\b|\by\b|[,;.!?])\s*(?:i|he|she|they|we|my|his|her|our|yo|el|ella|ellos|mi|mis|su|sus|tengo|estoy"
    r"|quiero|me)\b"
)


def settled(question: str, text: str) -> bool:
    """True when the message tells of trouble that is over, in English (`text`, normalised) or Spanish, and says
    nothing after that turns it around ("but now...")."""
    return any(
        (found := _SETTLED.search(reading)) is not None and not _TURN.search(reading, found.end())
        for reading in (text, fold(question))
    )


def sounds_like_emergency(emergency: Score, not_emergency: Score, ngrams: Score, thresholds: Thresholds) -> Score:
    """The semantic nets: true when the message is close to an emergency exemplar and clearly closer to it than to
    any ordinary phrasing, or when the n-gram model of its language is sure enough. Elementwise on numpy arrays too,
    for calibration.

    Either net alone alarms: a fresh writer's emergency that one of them misses, the other often catches (README,
    "The emergency check"), and a missed emergency costs more than an emergency message sent to an ordinary question.
    """
    close = (emergency >= thresholds.emergency) & (emergency - not_emergency >= thresholds.emergency_margin)
    return close | (ngrams >= thresholds.emergency_ngrams)
