"""The plainest emergencies in languages we do not answer in: Portuguese, French, German, Vietnamese, Chinese,
Italian, Tagalog, Haitian Creole, Russian, Arabic and Korean.

We cannot read these languages as well as English or Spanish, so these patterns catch only what
is said in so many words (wanting to die or kill oneself, not breathing, too many pills, chest
pain, unconscious). Whatever they miss still gets the bilingual reply, which gives 911 and 988.
They read the folded text (no accents: phones often drop them). The patterns in other scripts are
folded the same way when compiled, so Korean syllables and Arabic letters with hamza meet the
message's folded letters.
"""

from __future__ import annotations

import re

from chatbot.answering.language import fold

_PATTERNS = [
    # Portuguese
    r"\b(?:quero|vou|queria|penso em|pensando em) (?:me )?(?:morrer|matar|suicidar)\b|\bme matar\b|\bsuicidar\b"
    r"|\bnao quero mais viver\b|\b(?:vou|quero) acabar com tudo\b",
    r"\bnao (?:consigo|consegue|esta|ta|tá) (?:respirar|respirando)\b"
    r"|\bnao (?:esta |ta )?respira\b|\bparou de respirar\b|\bfalta de ar\b",
    r"\b(?:tomei|tomou|engoliu|engoli)\b[^.?!]{0,25}\b(?:muitos|todos|todas|demais|cartela|frasco|caixa)\b",
    # ("infarto", "inconsciente" and "ataque cardiaco" are Spanish too: safety_es reads them with their tense.)
    r"\bdor (?:forte )?no peito\b|\b(?:desmaiou|desmaiado|desmaiada|nao acorda|nao responde)\b|\bconvulsao\b",
    # French
    r"\bje (?:veux|vais) (?:mourir|me tuer|me suicider|en finir)\b|\bme suicider\b|\ben finir avec la vie\b",
    r"\b(?:peux|peut|arrive|arrivons|pouvons) (?:pas|plus) (?:a )?respirer\b|\bne respire (?:pas|plus)\b"
    r"|\bj'etouffe\b|\bil etouffe\b",
    r"\b(?:ai|a|as) (?:pris|avale)\b[^.?!]{0,30}\b(?:trop|toute? (?:la|le|les)"
    r"|(?:tous|toutes) (?:mes|ses|les)(?! (?:jours|soirs|matins|nuits|semaines))|boite"
    r"|flacon)\b|\bsurdose\b",
    # ("inconsciente" alone is Spanish, and "¿me voy a quedar inconsciente?" a question: French says "est inconscient".)
    r"\bdouleur (?:a|dans) la poitrine\b|\bmal a la poitrine\b|\best inconsciente?\b"
    r"|\b(?:ne se reveille pas|ne repond pas|ne reagit (?:pas|plus))\b|(?<!failli faire une )\bcrise cardiaque\b"
    r"|\ben convulsion\b|\bconvulse\b",
    # German
    r"\bich (?:will|mochte|werde) (?:sterben|mich umbringen|mich toten|nicht mehr leben)\b"
    r"|\bmich umbringen\b|\bselbstmord\b|\bbringe mich um\b",
    r"\b(?:kann|kann er|kann sie|konnen) nicht (?:mehr )?atmen\b|\batmet nicht\b|\bkeine luft\b|\bbekomme keine luft\b",
    r"\bzu viele (?:tabletten|pillen|medikamente)\b|\b(?:alle|ganze packung|ganze flasche) (?:tabletten|pillen)\b"
    r"|\buberdosis\b",
    r"\bbrustschmerz\w*\b|\bschmerzen in der brust\b|\bbewusstlos\b|\breagiert nicht\b"
    r"|\blippen (?:sind |werden )?blau\b|\bwacht nicht (?:mehr )?auf\b|\bherzinfarkt\b|\bkrampfanfall\b",
    # Vietnamese (folded: accents and đ dropped)
    r"(?<!dau )(?<!met )\bmuon (?:chet|tu tu)\b|\btu tu\b|\bket thuc cuoc doi\b|\bkhong muon song\b",
    r"\bkhong (?:the )?tho (?:duoc)?\b|\bkho tho\b|\bngung tho\b|\bngat tho\b",
    r"\buong qua nhieu thuoc\b|\buong het (?:ca )?(?:lo|vi|hop)? ?thuoc\b|\bqua lieu\b",
    r"\bdau nguc\b|\bbat tinh\b|\bngat xiu\b|\bkhong tinh\b|\bdot quy\b|\bnhoi mau\b",
    # Italian
    r"\b(?:voglio|vorrei|sto per) (?:morire|uccidermi|suicidarmi|ammazzarmi|farla finita)\b"
    r"|\bmi (?:voglio|vorrei) (?:uccidere|ammazzare|suicidare)\b|\bnon voglio piu vivere\b",
    r"\bnon (?:riesco|riesce|posso|puo) (?:piu )?(?:a )?respirare\b|\bnon respira\b|\bha smesso di respirare\b",
    r"\b(?:ha|ho) preso (?:troppe|tutte le) (?:pillole|pastiglie|compresse)\b|\bdolore al petto\b|\be svenut[oa]\b"
    r"|\bnon si sveglia\b|\be incosciente\b|\bnon reagisce\b",
    # Tagalog
    r"\bgusto (?:ko nang|ko ng|kong|ko na) (?:mamatay|magpakamatay)\b|\bmagpapakamatay\b|\bmagpakamatay\b"
    r"|\bpapatayin ko (?:ang )?sarili ko\b|\bayo?ko na(?:ng)? mabuhay\b|\bayaw ko na(?:ng)? mabuhay\b",
    r"\bhindi (?:na )?(?:ako |siya |sya |sila )?(?:na )?(?:makahinga|humihinga)\b"
    r"|\bhirap (?:na )?(?:huminga|sa paghinga)\b",
    r"\bnawalan ng malay\b|\bwalang malay\b|\bhindi (?:na )?(?:magising|nagigising)\b"
    r"|\b(?:masakit|naninikip) ang dibdib\b"
    r"|\buminom (?:siya |ako )?ng (?:maraming|sobrang) gamot\b|\bininom (?:niya |ko )?lahat ng gamot\b",
    # Haitian Creole (folded: "tèt" is "tet")
    r"\b(?:vle|pral|ap) (?:mouri|touye tet (?:mwen|li))\b|\btouye tet (?:mwen|li)\b",
    r"\b(?:m|mwen|li|l) pa (?:ka )?respire\b|\bpa (?:ka )?respire (?:anko|ditou)\b",
    r"\bendispoze\b|\bpedi konesans\b|\b(?:li|l) pa (?:reveye|reponn)\b|\bdoule nan pwatrin\b"
    r"|\b(?:bwe|pran) twop (?:grenn|medikaman|konprime)\b",
    # Chinese
    r"想死|自杀|自殺|不想活|轻生|輕生|了结|了結|结束(?:自己的)?生命",
    r"喘不过气|喘不過氣|喘不上气|喘不上氣|噎住了|(?:脸|臉)(?:色)?(?:发|發)紫|不能呼吸|无法呼吸|無法呼吸|没有呼吸|沒有呼吸|停止呼吸|呼吸困难|呼吸困難",
    r"吃了(?:太多|很多|一整瓶|整瓶|所有的?)药|吃了(?:太多|很多)藥|过量|過量"
    # "把所有的药都吃了": all the pills, put before the verb.
    r"|把(?:所有|全部|一整瓶|整瓶)的?(?:药|藥)(?:片)?都?吃(?:了|掉)",
    r"胸口痛|胸痛|胸口很痛|胸口剧痛|冒冷汗|晕倒|暈倒|不醒|嘴唇发紫|嘴唇發紫|昏迷|失去知觉|失去知覺|叫不醒"
    r"|没有反应|沒有反應|抽搐|(?<!差点)(?<!差點)(?:心脏病发作|心臟病發作)|中风|中風",
]
# Russian, Arabic and Korean, written as a patient writes them and folded like the message (see the docstring).
_WRITTEN = [
    "хочу умереть|покончить с собой|убить себя|убью себя|не хочу жить",
    "не могу дышать|не дышит|задыхаюсь|задыхается|перестал(?:а)? дышать",
    "без сознания|потерял(?:а)? сознание|не приходит в себя|боль в груди|передозировк|выпил(?:а)? все таблетки",
    "أريد أن أموت|اريد ان اموت|أريد الموت|أريد الانتحار|سأنتحر|سوف أنتحر|أقتل نفسي|لا أريد أن أعيش",
    "لا أستطيع التنفس|لا يستطيع التنفس|لا تستطيع التنفس|لا يتنفس|لا تتنفس|ما يتنفس|ما تتنفس|مش قادر أتنفس",
    "فاقد الوعي|فاقدة الوعي|فقد الوعي|فقدت الوعي|مغمى عليه|مغمى عليها|ألم في الصدر|جرعة زائدة",
    "죽고 싶|자살하고 싶|자살할 거|목숨을 끊|살고 싶지 않",
    "숨을 못 쉬|숨을 쉴 수 없|숨이 안 쉬어|숨을 안 쉬|숨을 쉬지 않|숨이 막혀|호흡이 없",
    "의식이 없|의식을 잃|깨어나지 않|안 깨어나|가슴이 너무 아파|가슴이 아파|가슴 통증|약을 너무 많이 먹|과다복용",
]
_EMERGENCY = re.compile("|".join([*(f"(?:{p})" for p in _PATTERNS), *(f"(?:{fold(p)})" for p in _WRITTEN)]))


def mentions_emergency(text: str) -> bool:
    """True when the message states one of the plainest emergencies in one of these languages."""
    return bool(_EMERGENCY.search(fold(text)))
