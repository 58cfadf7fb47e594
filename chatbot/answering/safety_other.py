"""The plainest emergencies in languages we do not answer in: Portuguese, French, German, Vietnamese, Chinese.

We cannot read these languages as well as English or Spanish, so these patterns catch only what
is said in so many words (wanting to die or kill oneself, not breathing, too many pills, chest
pain, unconscious). Whatever they miss still gets the bilingual reply, which gives 911 and 988.
They read the folded text (no accents: phones often drop them); Chinese is matched as written.
"""

from __future__ import annotations

import re

from chatbot.answering.language import fold

_PATTERNS = [
    # Portuguese
    r"\b(?:quero|vou|queria|penso em|pensando em) (?:me )?(?:morrer|matar|suicidar)\b|\bme matar\b|\bsuicidar\b"
    r"|\bnao quero mais viver\b",
    r"\bnao (?:consigo|consegue|esta|ta|tá) (?:respirar|respirando)\b|\bnao (?:esta |ta )?respira\b"
    r"|\bparou de respirar\b|\bfalta de ar\b",
    r"\b(?:tomei|tomou|engoliu|engoli)\b[^.?!]{0,25}\b(?:muitos|todos|todas|demais|cartela|frasco|caixa)\b",
    # ("infarto", "inconsciente" and "ataque cardiaco" are Spanish too: safety_es reads them with their tense.)
    r"\bdor (?:forte )?no peito\b|\b(?:desmaiou|desmaiado|desmaiada|nao acorda|nao responde)\b|\bconvulsao\b",
    # French
    r"\bje (?:veux|vais) (?:mourir|me tuer|me suicider|en finir)\b|\bme suicider\b|\ben finir avec la vie\b",
    r"\b(?:je |il |elle )?(?:ne peux|ne peut|n'arrive|narrive) (?:pas|plus) (?:a )?respirer\b"
    r"|\bne respire (?:pas|plus)\b|\bj'etouffe\b|\bil etouffe\b",
    r"\b(?:ai|a|as) (?:pris|avale)\b[^.?!]{0,30}\b(?:trop|toute? (?:la|le|les)|boite|flacon)\b|\bsurdose\b",
    r"\bdouleur (?:a|dans) la poitrine\b|\bmal a la poitrine\b"
    r"|\b(?:inconscient|inconsciente|ne se reveille pas|ne repond pas|ne reagit (?:pas|plus))\b"
    r"|(?<!failli faire une )\bcrise cardiaque\b|\ben convulsion\b|\bconvulse\b",
    # German
    r"\bich (?:will|mochte|werde) (?:sterben|mich umbringen|mich toten|nicht mehr leben)\b|\bmich umbringen\b"
    r"|\bselbstmord\b|\bbringe mich um\b",
    r"\b(?:kann|kann er|kann sie|konnen) nicht (?:mehr )?atmen\b|\batmet nicht\b|\bkeine luft\b|\bbekomme keine luft\b",
    r"\bzu viele (?:tabletten|pillen|medikamente)\b|\b(?:alle|ganze packung|ganze flasche) (?:tabletten|pillen)\b"
    r"|\buberdosis\b",
    r"\bbrustschmerz\w*\b|\bschmerzen in der brust\b|\bbewusstlos\b|\breagiert nicht\b"
    r"|\blippen (?:sind |werden )?blau\b|\bwacht nicht (?:mehr )?auf\b|\bherzinfarkt\b|\bkrampfanfall\b",
    # Vietnamese (folded: accents and đ dropped)
    r"(?<!dau )\bmuon (?:chet|tu tu)\b|\btu tu\b|\bket thuc cuoc doi\b|\bkhong muon song\b",
    r"\bkhong (?:the )?tho (?:duoc)?\b|\bkho tho\b|\bngung tho\b|\bngat tho\b",
    r"\buong qua nhieu thuoc\b|\buong het (?:ca )?(?:lo|vi|hop)? ?thuoc\b|\bqua lieu\b",
    r"\bdau nguc\b|\bbat tinh\b|\bngat xiu\b|\bkhong tinh\b|\bdot quy\b|\bnhoi mau\b",
    # Chinese
    r"想死|自杀|自殺|不想活|轻生|輕生|了结|了結|结束(?:自己的)?生命",
    r"喘不过气|喘不過氣|不能呼吸|无法呼吸|無法呼吸|没有呼吸|沒有呼吸|停止呼吸|呼吸困难|呼吸困難",
    r"吃了(?:太多|很多|一整瓶|整瓶|所有的?)药|吃了(?:太多|很多)藥|过量|過量",
    r"胸口痛|胸痛|胸口很痛|胸口剧痛|冒冷汗|晕倒|暈倒|不醒|嘴唇发紫|嘴唇發紫|昏迷|失去知觉|失去知覺|叫不醒|没有反应|沒有反應|抽搐|(?<!差点)(?<!差點)(?:心脏病发作|心臟病發作)|中风|中風",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def mentions_emergency(text: str) -> bool:
    """True when the message states one of the plainest emergencies in one of these languages."""
    return bool(_EMERGENCY.search(fold(text)))
