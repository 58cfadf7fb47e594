"""The emergency patterns in Spanish (and the Spanish half of Spanglish), read on every message.

They read the folded text (`language.fold`: lower case, no accents), with SMS shorthand spelled
out ("q" → "que", "xq" → "porque", "x favor" → "por favor"), so one spelling covers "está
respirando", "esta respirando" and "sta respirando". Like the English patterns, each clause is
judged on its own; a clause about the past ("hace años tuve una convulsión") states no emergency
unless a later "ahora" brings it back, and a question about a risk ("¿la ketamina puede causar
convulsiones?") covers what follows it in its clause. Idioms ("el dolor me está matando", "me
muero de hambre") never match in the first place: the patterns need a first-person intent or
a person in trouble, not the words alone. A few dangers are only said by two clauses together
("se cayó en el baño, no contesta"; "no puedo más. adiós."): those are read on the whole message.
"""

from __future__ import annotations

import re

from chatbot.answering.language import spanish_words
from chatbot.answering.tense import said_now


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# Someone the writer is worried about: "mi esposo", "la abuela", "el niño", or just "él" / "ella".
_KIN = _any(
    "esposo", "esposa", "marido", "mujer", "pareja", "hijo", "hija", "mama", "papa", "madre", "padre", "abuela",
    "abuelo", "abuelita", "abuelito", "hermano", "hermana", "novio", "novia", "amigo", "amiga", "tio", "tia", "bebe",
    "nino", "nina", "viejo", "vieja", "suegra", "suegro", "nieto", "nieta", "primo", "prima", "cunado", "cunada",
    "sobrino", "sobrina", "vecino", "vecina", "hno", "hna", "chamaco", "chamaca", "cipote", "cipota", "nene", "nena",
    "senora", "senor", "jefe", "jefa", "companero", "companera", "roommate", "ex",
)  # fmt: skip
_PERSON = rf"(?:el|ella|mi \w+|mi \w+ \w+|su \w+|el \w+|la \w+|nuestr[oa] \w+|alguien|una persona|mi {_KIN})"
# "me voy a tirar a dormir" is a nap.
_LAZY = r"(?! (?:a dormir|a descansar|en la cama|un rato|en el sofa|al sofa))"
# What someone means to do to themselves: "me quiero morir", "voy a matarme", "pienso estrellarme".
_TO_ONESELF = _any(
    "morir", "morirme", "matarme", "suicidarme", "suicidar", "quitarme la vida", "acabar con mi vida",
    "acabar con todo", "terminar con todo", "terminar con mi vida", f"tirarme{_LAZY}", f"aventarme{_LAZY}", "colgarme",
    "ahorcarme", "cortarme las venas", "dispararme", "pegarme un tiro", "darme un tiro", "volarme la cabeza",
    "envenenarme", "estrellarme", "desangrarme", "desaparecer para siempre", "no despertar", "irme de este mundo",
    "dejar de existir", "cortarme(?! (?:el|la|los|las|un|una) )", "lastimarme", "hacerme dano",
)  # fmt: skip
_INTENT = _any(
    "me (?:quiero|voy a|kiero)", "quiero", "quisiera", "voy a", "pienso", "estoy pensando en", "pensando en",
    "(?<!no )(?<!no tengo )(?<!no tenia )(?<!las )ganas de", "planeo", "decidi", "he decidido", "voy a ir a",
    "estoy (?:a punto de|por)", "necesito", "un plan para", "(?:la )?(?:forma|manera) de", "como",
)  # fmt: skip
# "me quiero morir con el precio", "me quiero morir de la vergüenza": an idiom; "... de dolor" is not excused.
_IDIOM_AFTER = r"(?!\s+(?:con|de|del)\b(?!\s+(?:una vez|verdad|dolor|este dolor|tanto dolor)\b))"
# Double vision: alone it can be the infusion's; sudden, or with a headache like no other, a bleed's or a stroke's.
_DOUBLE = r"(?:veo|ve|viendo) doble"
_PILLS = _any("pastillas", "pildoras", "medicinas", "medicamentos", "tabletas", "pastis", "pastas", "remedios", "pills")
_MEANS = _any("soga", "cuerda", "navaja", "gillette", "cuchilla", "pistola", "arma", "cuchillo", "escopeta", "rifle")
_POISON = _any(
    "cloro", "veneno", "raticida", "matarratas", "lejia", "insecticida", "anticongelante", "destapacanos",
    "gasolina", "thinner", "plaguicida", "pesticida", "mata ?ratas", "mata ?cucarachas", "amoniaco", "acido muriatico",
)  # fmt: skip
_PATTERNS = [
    # Suicide and self-harm said by the writer: "me quiero morir", "voy a matarme", "quiero quitarme la vida".
    rf"(?<!no )(?<!nunca )(?<!no me )(?<!nunca me )\b{_INTENT}\s+(?:\w+\s+)?{_TO_ONESELF}\b{_IDIOM_AFTER}",
    r"(?<!no )\bme quiero (?:morir|matar|suicidar|ir de este mundo)\b" + _IDIOM_AFTER,
    # Asking why death does not come ("xq no me muero" got the complaint reply), or that nobody would miss them.
    rf"\b(?:porque|por que) no me (?:muero|mato|muera)\b{_IDIOM_AFTER}"
    r"|\bnadie me (?:extranaria|va a extranar|extranara)\b",
    r"(?<!no )\bme voy a (?:matar|suicidar|morir hoy|quitar la vida|colgar|disparar|envenenar|estrellar)\b"
    r"(?! (?:el|la) (?:telefono|llamada))"
    rf"|\bme voy a (?:tirar|aventar)\b{_LAZY}",
    r"\b(?:me|se) (?:quito|quita|quitare|va a quitar|voy a quitar) la vida\b|\bno (?:volver a )?despertar nunca\b"
    r"|\b(?:dormir|dormirme) y no (?:despertar|volver a despertar)\b",
    r"\b(?:quitarme la vida|acabar con mi vida|terminar con mi vida|suicidarme|me suicido)\b"
    r"|\bme mato (?:hoy|esta noche)\b",
    r"\bno (?:quiero|kiero|deseo) (?:seguir )?(?:vivir|viviendo|despertar|estar aqui|estar viv[oa]|existir|seguir)\b"
    r"|\bya no quiero (?:vivir|estar|seguir|despertar)\b",
    r"\b(?:estarian|estarias|estan|estaran|estaria|van a estar|vas a estar|estaras) mejor sin mi\b|\bes mi despedida\b"
    r"|\bsoy una carga para (?:todos|mi familia|ustedes|mis hijos)\b|\bmejor (?:muert[oa]|me muero)\b"
    r"|\bno (?:tengo|hay) (?:razon|motivo|por que|para que) (?:para )?(?:vivir|seguir)\b",
    r"\besta (?:vez|noche) no (?:voy a|va a) fallar\b"
    r"|\bya lo intente\b[^.?!]{0,40}\b(?:esta vez|esta noche|hoy|otra vez)\b",
    r"\b(?:tengo|tener|con|tuve|estoy teniendo|tengo muchos|tengo unos) pensamientos"
    r" (?:suicidas|de suicidio|de muerte|de matarme|de quitarme la vida|de hacerme dano)\b",
    r"\b(?:estoy|me siento|me sient[oa]|sigo) (?:\w+ )?suicida\b",
    # Said indirectly: tired of living, no sense in it, wishing not to wake.
    r"\bcansad[oa] de vivir\b|\bno (?:le )?(?:encuentro|veo|tiene) sentido (?:a )?(?:la vida|vivir|seguir|nada)\b"
    r"|\bpara que seguir\b|\bdormir para siempre\b|\b(?:me|irme) (?:voy|ir) para siempre\b"
    r"|\bojala (?:me muera|me muriera|no despierte|no despertara|no amanezca|no amaneciera)\b"
    r"|\bquiero desaparecer\b(?! (?:del mapa|unos|un rato|de aqui|de la oficina|de las redes))",
    # A farewell: "adiós a todos", "este es mi último mensaje", "mañana ya no voy a estar".
    r"\b(?:ultimo|ultima) (?:mensaje|msj|msg|carta|vez que (?:me )?(?:escribo|hablo))\b|\bcartas? de despedida\b"
    r"|\b(?:nota|mensaje) de despedida\b"
    r"|\b(?:esta|es|era|sera) la ultima vez que (?:hablabamos|hablamos|nos (?:vemos|veiamos|hablamos))\b",
    r"\b(?:me (?:\w+ )?despid\w*|despedirme|a despedir(?:me)?) de (?:todos|ustedes|mis hijos|mi familia|ti|usted)\b"
    r"|\badios (?:a todos|para siempre)\b|\bme despido para siempre\b|\bles escribo para despedirme\b",
    r"\besto es (?:un )?adios\b|\bdej[oe] (?:una )?(?:cartas?|nota) (?:para|a) (?:cada|todos|sus|mis|nosotros|su|mi)\b"
    r"|\b(?:escribi|deje) (?:las|mis|unas) cartas (?:para|a)\b"
    r"|\b(?:nota|carta)\b[^.?!]{0,30}\b(?:lo|la|los) perdon\w*\b",
    r"\bya no (?:quiere|quiero) ser (?:un estorbo|una carga)\b"
    r"|\bya no (?:sere|voy a ser) (?:una carga|un problema|una molestia|un estorbo)\b"
    r"|\b(?:ya no|no) me (?:van a|vas a) (?:volver a )?ver\b|\bnunca mas me (?:van|vas) a ver\b"
    r"|\bultima vez que (?:les|te|le) (?:escribo|hablo)\b|\bperdon\w* por todo\b(?! (?:el|lo|la|esto|eso)\b)",
    r"\bya no (?:voy a|vaya a|va a) estar(?=\s*(?:$|[,.!;]|y\b|para (?:cuidar|ver|ayudar|ustedes|ti|mis)|mas\b"
    r"|(?:aqui|con ustedes)\s*(?:$|[,.!;])))|\bcuando (?:yo )?(?:ya )?no este(?=\s*(?:$|[,.!;]|y\b))",
    r"\bcuid(?:a|e|en|ar) (?:a |de )?(?:mis? \w+|los ninos)\b[^.?!]{0,20}\b(?:por mi|cuando (?:yo )?no este)\b"
    r"|\bregal\w* (?:todas )?(?:sus|mis|todas sus|todas mis) cosas\b|\bregale (?:todo|mis cosas)\b",
    r"\besto se acaba hoy\b",
    # A plan or a means at hand.
    r"\b(?:tengo|junte|guarde|ahorre|tengo guardad[oa]s|tengo juntad[oa]s) (?:\w+ )?"
    rf"(?:las |unas |mis |todas las |suficientes )?{_PILLS}"
    r"\b[^.?!]{0,40}\b(?:para (?:morir|matarme|acabar|terminar|tomarmelas)|guardad[oa]s|juntad[oa]s|listas)\b",
    rf"\b{_PILLS} (?:ya )?(?:contadas|listas|alineadas|juntadas|guardadas) (?:para|en la mesa|encima)\b",
    r"\b(?:tengo|traigo|compre|consegui) (?:una |la |un |el )?(?:pistola|arma|soga|cuerda|cuchillo)\b"
    r"[^.?!]{0,40}\b(?:para mi|usar(?:la|lo)|conmigo|en (?:la|mis) mano|aqui|en el regazo|lista)\b",
    r"\b(?:ya )?(?:compre|consegui|tengo|prepare|amarre|colgue) (?:la|una) (?:soga|cuerda)\b(?! (?:al cuello|para))"
    r"|\bsoga\b[^.?!]{0,20}\b(?:lista|amarrada|colgada|en el cuello)\b",
    rf"\b(?:estoy|sigo|ando|me encerre|se encerro|esta)\b[^.?!]{{0,30}}\bcon (?:la|una|el|un|mi|su) {_MEANS}\b",
    r"\b(?:estoy|toy|ando|sentad[oa]) (?:en|arriba del|parad[oa] en|sobre) (?:el|un|la|las)"
    r" (?:puente|bridge|techo|azotea|orilla|borde|vias? del tren)\b|\bvoy a (?:jump|saltar|brincar)\b",
    r"\b(?:gillette|navaja|cuchilla|hoja de afeitar|rastrillo)\b[^.?!]{0,40}\b(?:empece|ya empece|cortando|cortarme)\b",
    r"\b(?:tengo|traigo) (?:the|a|la|una|el) (?:gun|pistola|arma)\b[^.?!]{0,20}\b(?:aqui|conmigo|with me)\b",
    r"\b(?:me estoy|acabo de|me acabo de|estoy) (?:cortando|cortar(?:me)?|quemando|quemar(?:me)?|lastimando"
    r"|lastimar(?:me)?|haciendo dano|hacer(?:me)? dano)\b",
    r"\bhasta sangrar\b"
    r"|\bme (?:corte|corto|raje|queme) (?:las venas|la muneca|las munecas|los brazos|el brazo|las piernas|la piel)\b"
    r"|\bcortarme las venas\b",
    # Said of someone else: "dice que se va a matar", "se quiere suicidar", "las voces le dicen que se mate".
    r"\bse (?:quiere|va a|iba a|esta tratando de|trato de) (?:matar|suicidar|quitar la vida|colgar|ahorcar|tirar"
    r"|aventar|cortar las venas|disparar|envenenar)\b|\bse quiere morir\b" + _IDIOM_AFTER,
    r"\b(?:quiere|va a|amenaza con|amenazo con|dice que va a|intento|intenta|esta intentando|pensando en|piensa"
    r"|habla de|hablando de|hablo de|planea|decidio|(?<!las )ganas de)"
    r" (?:matarse|suicidarse|quitarse la vida|ahorcarse|colgarse|tirarse|aventarse|cortarse|envenenarse|dispararse"
    r"|morirse)\b" + _IDIOM_AFTER,
    r"\b(?:ya )?no quiere (?:seguir )?(?:vivir|viviendo|despertar|estar aqui|existir)\b",
    r"\b(?:se encerro|esta encerrad[oa])\b[^.?!]{0,40}\b(?:pistola|arma|cuchillo|navaja|soga|pastillas)\b",
    r"\b(?:se esta|esta) (?:cortando|quemando|lastimando|haciendo dano)\b",
    r"\bvoces\b[^.?!]{0,30}\b(?:se mate|matar\w*|se lastime|se muera|hacer\w* dano|me tire|se tire|me aviente)\b",
    # Violence: a weapon in someone's hand, a threat to kill.
    rf"\bamenaz\w*\b[^.?!]{{0,30}}\b(?:{_MEANS}|machete|matar\w*)\b|\besta armad[oa]\b",
    rf"\b(?:afuera|adentro|en la puerta|aqui)\b[^.?!]{{0,30}}\bcon (?:un|una|el|la|su) {_MEANS}\b",
    r"\b(?:dice que|grita que|amenaza con|quiere) (?:\w+ )?matar a\b"
    r"|\bva a matar (?:al|a la|a los|a su|a todos|a alguien)\b",
    # Overdose: "me tomé todas las pastillas", "se tomó un frasco entero", "sobredosis", a poison swallowed.
    r"\b(?:me tome|tome|me trague|trague|se tomo|tomo|se trago|se comio|ingirio|me acabe|se acabo|tomamos"
    r"|se tomaron|me tome como|se ha tomado|ha tomado|me he tomado|he tomado|me inyecte|se inyecto)\b"
    r"[^.?!]{0,40}\b(?:todas(?! las (?:noches|mananas|tardes|semanas))"
    r"|todos(?! los (?:dias|meses|lunes|martes|miercoles|jueves|viernes|sabados|domingos))|frasco|bote|caja"
    r"|botella|monton|punado|demasiad[oa]s|much[oa]s|chorro|\d{2,}"
    r"|doble|triple|blister|entero|entera|completa|completo|juntas|diez|quince|veinte|treinta|cuarenta|cincuenta"
    r"|de golpe|de una vez|de toda la semana|de la semana|del mes|de mas"
    r"|no se cuantas)\b",
    r"\b(?:ya )?(?:me|se) (?:tome|tomo|trague|trago) todo\b"
    r"(?=\s*(?:$|[,.!]|y\b|lo que|ya\b|el frasco|la caja|el bote))",
    r"\b(?:me |se )?(?:tome|tomo|trague|trago|bebi|bebio|tomarme|tomarse|tragarme|comio|comi)\b"
    rf"[^.?!]{{0,25}}\b{_POISON}\b",
    r"\b(?:frasco|bote|caja|blister) vaci[oa]\b[^.?!]{0,60}\b(?:tirad[oa]|no despierta|inconsciente|dormid[oa]"
    r"|no responde|no contesta)\b",
    r"\b(?:me voy a|voy a|quiero|se va a|pienso) (?:tomar|trag\w*) (?:me )?(?:todas|todo el frasco|todo el bote"
    r"|el frasco|la caja|todo lo que)\b",
    r"\bsobre ?dosis\b|\bsobredosi\w*\b|\bme pase (?:de|con) (?:las |la )?(?:pastillas|dosis|medicina|medicinas)\b"
    r"|\bse paso (?:de|con) (?:las |la )?(?:pastillas|dosis|medicina)\b",
    rf"\b(?:nino|nina|hijo|hija|bebe|nieto|nieta|nene|nena|cipote|cipota|chamaco|chamaca)\b[^.?!]{{0,30}}"
    rf"\b(?:se tomo|se comio|se trago|agarro|tomo|comio|trago)\b[^.?!]{{0,30}}\b(?:{_PILLS}|parches|frasco|bote)\b",
    rf"\bse (?:trago|comio) (?:las|unas|varias|todas|un monton de|sus|mis)\b[^.?!]{{0,15}}\b{_PILLS}\b"
    rf"|\bse tomo (?:las|unas) {_PILLS} de (?:la|el|su|mi) {_KIN}\b",
    # Breathing: "no puede respirar", "dejó de respirar", "me ahogo", "no respira bien", "está boqueando".
    r"\bno (?:puedo|puede|pueden|podia|podemos|consigo|logra|logro|alcanzo|alcanza) (?:\w+ )?(?:respirar|breathe?)\b",
    r"\b(?:no|casi no|apenas|ya no|dejo de|deja de|para de) (?:esta )?respir\w*\b",
    r"\brespira (?:muy |bien )?(?:poco|raro|lento|lentito|feo|mal|despacio|con dificultad)\b"
    r"|\brespira como (?:boque|pescado|ronc|si se ahog|ahogad)"
    r"|\brespiracion (?:muy )?(?:lenta|rara|debil|entrecortada)\b",
    r"\b(?:estoy|esta|estan) (?:ahogando|asfixiando)(?:me|se)?\b(?! en\b)|\bno (?:me|le) llega (?:el )?aire\b"
    r"|\b(?:silba|silbido|chilla)\b[^.?!]{0,20}\b(?:pecho|respir\w*)\b|\brespir\w* con (?:un )?silbido\b"
    r"|\besta choking\b",
    r"\b(?:me|se|te) (?:esta )?(?:ahog\w*|asfixi\w*)\b|\b(?:me|le|nos) falta (?:el )?aire\b"
    r"|\bno (?:me|le) entra (?:el )?aire\b|\bsin aire\b",
    r"\bboque(?:ando|a|o|aba)\b|\b(?:me|le) cuesta (?:mucho )?respirar\b|\bjalando aire\b",
    r"\b(?:se|me|le) (?:esta |estaba )?(?:atragant\w*|ator\w*)\b[^.?!]{0,30}\b(?:con|garganta|no puede|no respira"
    r"|toser|hablar|comida|carne|pedazo|hueso)\b|\bse esta atragantando\b",
    # Unresponsive: "no despierta", "no reacciona", "está inconsciente", "se desmayó", "se desplomó".
    r"\bno se mueve\b[^.?!]{0,20}\b(?:ni|no) (?:contesta|responde|reacciona|habla|respira)\b"
    r"|\bno (?:despierta|reacciona|se despierta|abre los ojos|se mueve y no|vuelve en si)\b"
    r"(?! (?:facil\w*|rapido|temprano|a tiempo|tan facil|de buen humor|con (?:la )?alarma)\b)"
    r"|\bno (?:lo|la|los|le) (?:puedo|podemos) despertar\b|\bno puedo despertarl[oa]\b"
    r"|\bno (?:hay (?:forma|manera) de|logro|logramos|consigo|podemos) despertarl[oa]\b|\besta como muert[oa]\b",
    rf"\b{_PERSON}\b[^.?!]{{0,40}}\bno (?:responde|contesta|me responde|me contesta)\b"
    r"|\bno responde (?:a nada|cuando le|al hablarle|a mi voz)\b",
    r"\b(?:esta|quedo|sigue) (?:medio |como )?(?:inconsciente|desmayad[oa]|sin sentido|sin conocimiento|privad[oa]"
    r"|tirad[oa] en el (?:piso|suelo))\b|\bperdio el conocimiento\b|\bse privo\b|\bse (?:\w+ )?desplom\w*\b",
    r"\bse (?:acaba de|acaban de) (?:desmayar|desvanecer|caer|desplomar)\b|\b(?:acaba de|se esta) desmay\w*\b"
    r"|\bno tiene pulso\b|\bsin pulso\b|\bno (?:le )?(?:encuentro|siento) (?:el|su) pulso\b",
    # Seizure now.
    r"\b(?:esta|estan|sigue) (?:convulsionando|temblando y no para|echando espuma)\b"
    r"|\b(?:esta|sigue) teniendo (?:una )?(?:convulsion|convulsiones|ataque|crisis)\b"
    r"|\ble (?:esta dando|dio|estan dando) (?:una |un )?(?:convulsion|convulsiones|ataque epileptico|ataque)\b"
    r"|\bespuma (?:por|en) la boca\b|\bconvulsiona\b|\bconvulsionando\b",
    r"\b(?:tiene|tengo|esta con) (?:una |unas )?convulsion(?:es)?\b"
    r"(?! (?:controladas|bajo control|desde|de vez en cuando|a veces))",
    r"\bties[oa]\b[^.?!]{0,30}\b(?:tembl\w*|sacud\w*|no para|no responde)\b|\btembl\w*\b[^.?!]{0,30}\bties[oa]\b"
    r"|\b(?:se le pusieron|tiene|con) los ojos en blanco\b|\bse le (?:voltearon|fueron para atras) los ojos\b",
    # Chest pain, heart attack.
    r"\b(?:dolor|presion|opresion|apreton|peso) (?:muy )?(?:fuerte |horrible |terrible )?en el pecho\b"
    r"|\bme (?:duele|aprieta|arde) (?:mucho |muchisimo )?el pecho\b",
    r"\ble (?:duele|aprieta) (?:mucho )?el pecho\b|\bdolor de pecho\b|\bel pecho me (?:duele|aprieta|arde)\b"
    r"|\b(?:se agarra|agarrandose|se esta agarrando) el pecho\b|\ble arde el brazo\b",
    r"\b(?:me esta dando|le esta dando|estoy teniendo|esta teniendo|tengo|tiene|creo que es|parece)"
    r" un (?:infarto|ataque al corazon|ataque cardiaco)\b|\bpreinfarto\b",
    r"\bsiento que me (?:muero|voy a morir)\b(?! (?:de|del)\b)",
    # Stroke signs.
    r"\b(?:cara|boca|sonrisa)\b[^.?!]{0,15}\b(?:caida|chueca|torcida|de lado|ladeada|colgando)\b"
    r"|\bse (?:me|le) (?:cayo|esta cayendo|callo|torcio|chueco|ladeo) (?:la cara|un lado|la boca|el labio)\b",
    r"\b(?:habla|hablando|esta hablando|arrastra las palabras|arrastrando las palabras|las palabras)\b[^.?!]{0,15}"
    r"\b(?:raro|arrastrad\w*|enredad\w*|trabad\w*|no se le entiende|mocho|rar[oa]s)\b",
    r"\b(?:no (?:puedo|puede) (?:mover|levantar)|no siento|no siente|se (?:me|le) durmio)\b[^.?!]{0,20}"
    r"\b(?:brazo|pierna|lado|mitad|cara)\b|\b(?:un lado|la mitad) del cuerpo\b",
    r"\b(?:derrame cerebral|embolia|ataque cerebral|accidente cerebrovascular)\b(?!\s*(?:\?|hace|el ano))",
    r"\bde (?:repente|golpe|la nada)\b[^.?!]{0,30}\bno (?:puede|puedo) (?:hablar|caminar|ver|mover|levantar)\b"
    r"|\bhabla como borrach[oa]\b|\bno (?:me|le) salen (?:bien )?las palabras\b|\bconvulsion\w* (?:que )?no para\b",
    # "se me cierra la garganta cuando como maní" is an allergy told, not a throat closing now.
    r"\bse (?:me|le) (?:cerro|esta cerrando) la garganta\b"
    r"|\bse (?:me|le) cierra la garganta\b(?!\s+(?:cuando|si|con)\b)",
    # Bleeding.
    r"\b(?:sangr\w*|sangre)\b[^.?!]{0,25}\bno (?:para|paraba|se detiene|deja de|se quita|se corta)\b"
    r"|\bno (?:para|deja) de (?:sangrar|salir sangre|brotar sangre)\b|\bsigue (?:saliendo|brotando) sangre\b",
    r"\bempap\w* (?:\w+ )?toallas\b|\bmucha sangre\b|\bhemorragia\b|\bcharco de sangre\b"
    r"|\b(?:me estoy|se esta|estoy|esta|se estan) desangrando\b"
    r"|\bsangrando (?:un monton|much\w*|bastante|demasiado|sin parar|a chorros|un chorro|como loc[oa]|horrible)\b",
    r"\b(?:vomitando|vomita|tosiendo|escupiendo|echando) (?:\w+ )?sangre\b",
    # Allergic swelling, blue lips.
    r"\b(?:garganta|lengua|labios|cara|boca|ojos|parpados)\b[^.?!]{0,25}\b(?:cerrando|cierra|hinch\w*|inflam\w*)\b"
    r"|\banafila\w*\b|\bronchas (?:por todo|en todo)\b",
    r"\b(?:se (?:me|le) (?:esta|estan) )(?:cerrando|hinchando|inflamando)\b[^.?!]{0,25}"
    r"\b(?:garganta|lengua|labios|cara|boca|ojos|parpados)\b",
    r"\bno (?:puedo|puede) (?:pasar|tragar) (?:ni )?(?:la )?saliva\b|\b(?:cara|labios|boca|lengua)\b[^.?!]{0,20}"
    r"\bcomo (?:un )?globo\b",
    r"\b(?:labios|cara|dedos|unas|boca|piel)\b[^.?!]{0,15}\b(?:morad[oa]s?|azul(?:es)?|azulad[oa]s?|gris(?:es)?)\b"
    r"(?! (?:del|de|por el|con el) frio)|\bse (?:esta poniendo|puso|pone|esta) (?:morad[oa]|azul|gris)\b",
]
# Broader families, written against the tuning halves of the blind sets: a danger said with what makes it now.
_PATTERNS += [
    # Said so plainly that the tense is in the words: "se cortó las venas", "le dio un paro", "estoy en crisis".
    r"\bse (?:ahorco|disparo|pego un tiro|dio un tiro|corto las venas|corto las munecas)\b|\bestoy en (?:una )?crisis\b"
    r"|\b(?:lo|la) encontre (?:tirad[oa]|en el (?:piso|suelo)|inconsciente|desmayad[oa]|sin respirar|colgad[oa])\b",
    r"\b(?:le|me) (?:dio|esta dando|acaba de dar) un (?:derrame|infarto|paro|embolia)\b"
    r"|\bparo (?:cardiaco|respiratorio|cardiorespiratorio)\b"
    r"|\bno (?:da|tiene) (?:senales|signos) (?:de vida|vitales)\b",
    r"\b(?:me voy a|siento que me voy a|se va a|me estoy por) desmayar\b" + _IDIOM_AFTER,
    r"\bno esta breathing\b|\b(?:esta|quedo) (?:unconscious|unresponsive)\b",
    # A plan, a means at hand, a farewell.
    r"\b(?:todo listo para|ya tengo todo (?:listo|preparado)|ya escogi|ya escogio)\b[^.?!]{0,30}"
    r"\b(?:matar\w*|morir\w*|soga|cuerda|pastillas|irme|hacerlo)\b",
    r"\b(?:ya )?(?:tengo|tiene|traigo|trae|con) (?:la|una|el|un|las|mis) (?:soga|cuerda|navaja|pistola|arma|cuchillo"
    r"|pastillas|pastas|pildoras)(?: \w+)?(?: en la mano| lista| listas| aqui| guardad[oa]s| conmigo| preparad[oa]s)\b",
    r"\bno vale la pena (?:seguir|vivir|nada)\b"
    r"|\bya no (?:doy|puedo) mas\b[^.?!]{0,40}\b(?:hoy|esta noche|me mato|me voy|adios|goodbye)\b",
    r"\b(?:se|me) (?:acaba|termina) todo\b|\bhoy se acaba\b|\b(?:hoy|esta noche|tonight) me (?:voy|mato|muero)\b"
    r"|\bregale (?:todo|mis cosas)\b",
    r"\b(?:quiere|queria|se quiere|dijo que se (?:iba a|va a)|dice que se va a) (?:tirar|aventar|lanzar)\w*\b"
    r"|\b(?:tirarme|aventarme|meterme)\b[^.?!]{0,30}\b(?:tren|puente|trailer|camion|carro|metro|edificio)\b",
    r"\b(?:motor|carro|coche) (?:encendido|prendido|andando)\b[^.?!]{0,40}\b(?:garaje|cochera)\b"
    r"|\b(?:garaje|cochera)\b[^.?!]{0,60}\b(?:motor|carro|coche) (?:encendido|prendido|andando)\b",
    r"\b(?:nos quiere mucho|los quiero mucho|te quiero mucho)\b[^.?!]{0,40}\b(?:perdon\w*|adios|goodbye|lo siento)\b"
    r"|\b(?:perdonen|perdonenme|la perdonemos|lo perdonemos)\b[^.?!]{0,60}\bno (?:contesta|responde)\b",
    r"\b(?:me texteo|me escribio|me mando|mando) (?:un )?(?:goodbye|adios|despedida)\b"
    r"|\bya no puede mas\b[^.?!]{0,40}\bno (?:contesta|responde|me contesta)\b",
    r"\b(?:me hice|se hizo|me he hecho|ya me hice) (?:varios |unos |muchos )?(?:cortes|cortadas|heridas)\b"
    r"|\bcortes?\b[^.?!]{0,25}\bno (?:puedo|puede) parar\b",
    r"\b(?:tomarmelas|tragarmelas|tomarme todas|tomarmelas todas)\b"
    r"(?! (?:alla|aqui|ahi|alli|antes|despues|con (?:agua|comida|jugo|leche)|a la hora"
    r"|en (?:la|su) (?:clinica|cita|consulta|sala|infusion))\b)"
    r"|\b(?:pastillas|pills|pastas)\b[^.?!]{0,20}"
    r"\ben la mano\b",
    # Pills with alcohol, or a person drifting away after them.
    r"\b(?:pastillas|pills|painkillers|calmantes|medicinas)\b[^.?!]{0,30}"
    r"\b(?:con (?:ron|alcohol|vino|cerveza|tequila|licor|guaro|trago)|con el alcohol)\b"
    r"|\b(?:mezcle|mezclo|se metio|me meti|se tomo)\b[^.?!]{0,40}\b(?:alcohol|ron|vino|cerveza|tequila|licor)\b",
    r"\b(?:me estoy apagando|se esta apagando|esta toda? id[oa]|se le cierran los ojos|no me contesta bien)\b",
    r"\b(?:i took|took) (?:todas|todos|all (?:las|los|mis|de|mi))\b",
    # Stroke: sight lost, speech, one side, the worst headache.
    r"\b(?:deje|dejo) de ver\b|\b(?:ve|veo) borroso\b[^.?!]{0,40}\b(?:cabeza|nuca|presion)\b"
    r"|\bno (?:puedo|puede) ver de (?:un|el) ojo\b",
    r"\bse (?:me|le) traban las palabras\b|\bno (?:puede|puedo) hablar bien\b"
    r"|\b(?:mano|brazo|pierna|cara)\b[^.?!]{0,10}\b(?:dormid[oa]|numb|entumid[oa])\b",
    r"\b(?:cara|boca)\b[^.?!]{0,20}\b(?:droopy|drooping|numb)\b|\bse (?:me|le) cae la (?:boca|cara)\b",
    r"\b(?:presion|bp)\b[^.?!]{0,15}\b(?:1[89]\d|2\d\d)\b|\bpeor dolor de cabeza de (?:mi|su|toda mi|toda su) vida\b",
    rf"\b(?:de (?:golpe|repente)|repentinamente)\b[^.?!]{{0,40}}\b{_DOUBLE}\b",
    # Chest pain said with its signs, in Spanish or Spanglish.
    r"\b(?:elefante|piedra|peso)\b[^.?!]{0,30}\bpecho\b"
    r"|\b(?:chest pain|pecho)\b[^.?!]{0,40}\b(?:jaw|brazo|arm|quijada|mandibula|sudando|sweating|sudor)\b",
    r"\b(?:esta|estoy) (?:gris|palid[oa] y sudando|sudando a chorros)\b",
    # Seizure again, bleeding from a wound, swelling that stops swallowing.
    r"\b(?:acabo de tener|acaba de tener|tuvo|tuve) una convulsion\b[^.?!]{0,40}\b(?:otra|ahora|sigue|solo|sola)\b"
    r"|\bme viene otra\b",
    r"\bsangre\b[^.?!]{0,20}\b(?:a borbotones|a chorros|sale y sale|por todos lados)\b"
    r"|\b(?:corte|cortada|herida|tajo) (?:muy |bien )?(?:profund[oa]|hond[oa])\b|\ble sale sangre\b"
    r"|\b(?:me|se) (?:corte|corto|raje|rajo)\b[^.?!]{0,40}\b(?:hond[oa]|profund[oa])\b"
    r"|\bse (?:me |le )?ve (?:el hueso|la grasa|lo de adentro|el musculo|la carne|lo blanco)\b",
    r"\bno (?:puedo|puede) tragar\b|\b(?:lengua|garganta)\b[^.?!]{0,20}\bhinch\w*\b|\bse me hincho\b"
    r"(?! (?:un poco|un poquito|poquito|tantito|algo)\b)"
    r"(?! (?:el |la |los |las |mi |mis )?(?:brazo|mano|pie|pierna|tobillo|rodilla|dedo|via)s?\b)",
]
# Calls for help said outright, a last night, a gun loaded: "auxilio", "urgente ambulancia", "esta es mi última noche".
_PATTERNS += [
    r"\bauxilio\b|\b(?:manden|mande|necesito|necesitamos|llamen|pidan|urgente) (?:una |la )?ambulancia\b"
    r"|\bambulancia urgente\b|\b(?:que alguien llame|alguien llame|llamen|llame usted) al 911\b",
    r"\b(?:es|sera) mi ultima noche\b|\bcargue (?:la|el|mi|una) (?:escopeta|pistola|arma|rifle|revolver)\b",
]
_EDGE = r"(?:orilla|borde|filo|cornisa|barandal|baranda)"
_OVER = r"(?:rio|puente|edificio|azotea|techo|acantilado|barranco|barranca|precipicio|presa|vias?|balcon)"
_LEDGE = r"(?:techo|puente|edificio|balcon|azotea|ventana|terraza|carro|coche|tren|metro|camion|trailer|piso \d+)"
_HUNG_FROM = r"(?:closet|armario|ropero|cuarto|bano|garaje|cochera|arbol|viga|techo|puerta|regadera|escalera|sotano)"
# Means and places that are never an idiom, which the idiom guard (`_IDIOM_AFTER`: "me quiero morir de la vergüenza")
# used to excuse: "tirarme del techo", "ahorcarme con el cinturón". "Colgar" alone is hanging up the phone.
_PATTERNS += [
    r"\bme (?:quiero|voy a) (?:ahorcar|colgar|envenenar|disparar|cortar las venas)\b(?! (?:el|la) (?:telefono|llamada))"
    r"|\b(?:ahorcar(?:me|se)?|colgar(?:me|se))\b[^.?!]{0,20}\bcon (?:el|la|un|una|mi|su)"
    r" (?:cinturon|cuerda|soga|sabana|cable|cordon|corbata|bufanda|cadena)\b",
    rf"\b(?:tirar|aventar|lanzar)(?:me|se)? (?:del|de la|de un|de una|desde (?:el|la|un|una)|por la) {_LEDGE}\b",
    rf"\bse (?:colgo|ahorco) (?:en|de|del|de la|de un|de una) (?:el |la |un |una )?{_HUNG_FROM}\b",
    # At the edge of a river, a bridge, a roof: "estoy en el carro en la orilla del río".
    rf"\b(?:estoy|toy|ando|sigo|sentad[oa]|parad[oa])\b[^.?!]{{0,25}}\b(?:en|sobre) (?:la|el) {_EDGE}"
    rf" (?:del|de la|de un|de una|de las) {_OVER}\b",
    r"\btirad[oa] en (?:el|la) (?:piso|suelo|bano|cocina|calle|regadera|ducha)\b[^?]{0,60}"
    r"\bno (?:me )?(?:habla|contesta|responde|reacciona|se mueve)\b",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# Read on the whole message, not clause by clause: a bare cry for help ("¡ayuda!", "socorro", after a hello too: "hola
# socorro" got the greeting), which a clause of a longer message ("ayuda, no encuentro la entrada") is not, or a
# danger in the parts together ("se cayó, se pegó en la cabeza, ... y ha vomitado"; "se desmayó en la sala de espera,
# no responde"; "no puedo más. adiós.").
_FELL = (
    r"(?:se pego|me pegue|se golpeo|me golpee|hit (?:her|his|my) head|golpe en la cabeza|se (?:ha )?caido|se cayo"
    r"|me cai|me he caido)"
)
_COLLAPSED = (
    r"(?:se (?:\w+ )?(?:desmayo|desplomo|desvanecio|privo|cayo|ha caido)"
    r"(?! (?:la|el) (?:llamada|sistema|pagina|linea|internet|senal|app|conexion|sitio))"
    r"|tirad[oa]|desmayad[oa]|en el (?:piso|suelo)"
    r"|passed out|collapsed)"
)
# Seeing or hearing what is not there ("habla con gente que no existe"), and a danger with it: out on the road, a
# weapon, nobody able to hold them. Either alone may be a side effect asked about.
_SEES_THINGS = (
    r"(?:habla|hablando|platica|platicando|ve|viendo|oye|oyendo|escucha|escuchando|contesta|contestando) (?:con |a )?"
    r"(?:gente|personas|cosas|voces|alguien|gente muerta|muertos) que no (?:existe|existen|esta|estan|hay|son reales)"
)
_OUT_OF_HAND = (
    r"(?:carretera|autopista|avenida"
    r"|no (?:lo|la|los) (?:puedo|podemos|pude|pudimos) (?:controlar|calmar|detener|sujetar)"
    r"|agresiv\w*|violent\w*|cuchillo|machete|se quiere (?:salir|tirar|aventar))"
)
_WHOLE = re.compile(
    rf"\b{_FELL}\b[^?!]{{0,100}}\b(?:no sabe (?:ni )?donde|no me reconoce|sin sentido|vomit\w*|confus\w*|confused"
    r"|mareado|no me acuerdo|no se acuerda|no despierta)\b"
    rf"|\b{_KIN}\b[^.?!]{{0,15}}\b(?:overdosed|od'?d|collapsed)\b"
    rf"|\b{_COLLAPSED}\b[^?]{{0,80}}\bno (?:responde|contesta|reacciona|despierta|se mueve|respira|abre|me contesta)\b"
    r"|\bno (?:puedo|aguanto|doy) mas\b[^?]{0,20}\badios\b"
    r"|\b(?:los|las) (?:amo|quiero) (?:mucho )?a todos\b[^?]{0,60}\b(?:adios|perdon\w*|me voy|gracias por todo)\b"
    r"|\b(?:adios|perdon\w*|gracias por todo)\b[^?]{0,60}\b(?:los|las) (?:amo|quiero) (?:mucho )?a todos\b"
    r"|\bno es culpa de\b[^?]{0,60}\b(?:ya me voy|adios|me despido|perdon\w*)\b"
    r"|\bya no importa\b[^?]{0,60}\b(?:no voy a estar|cancel\w* (?:todas )?mis citas|adios)\b"
    r"|\bhoy es el dia\b[^?]{0,40}\b(?:soga|cuerda|pastillas|adios|me voy|me mato|lo hago|hacerlo)\b"
    r"|^\W*(?:(?:(?:hola\W+)?(?:buenas|buenos dias|buenas tardes|buenas noches)|hola|oiga|oigan|hi|hello)\W+)?"
    r"(?:ayuda|socorro|ayudenme|ayudame|emergencia|es una emergencia|ambulancia|me muero)"
    r"(?:\W+(?:por favor|porfa|urgente|rapido|ya))*\W*$"
    # Hopelessness as the whole message ("no tengo esperanza" got the goodbye reply); said of pain inside a
    # question, the same words are not an emergency.
    r"|^\W*(?:(?:ya )?no (?:tengo|hay) (?:mas )?esperanzas?|(?:estoy |me siento )?sin esperanzas?|me rindo|ya me rendi"
    r"|odio mi vida|(?:estoy |me siento )?(?:tan |muy )?(?:cansad[oa]|hart[oa]) de todo|soy una carga"
    r"(?: para (?:todos|mi familia))?|que sentido tiene (?:vivir|la vida|seguir|todo esto))\W*$"
    r"|\bno creo llegar\b[^?]{0,40}\b(?:me voy a tomar|tomarme|matarme|adios)\b"
    rf"|\b{_SEES_THINGS}\b[^?]{{0,100}}\b{_OUT_OF_HAND}\b|\b{_OUT_OF_HAND}\b[^?]{{0,100}}\b{_SEES_THINGS}\b"
    # The headache of a bleed in the brain, over a comma or two: "un dolor de cabeza de golpe, el peor que he tenido, y
    # veo doble". Told as past ("fue el peor"), it is a history.
    r"|\b(?:dolor de cabeza|(?:me|le) duele (?:mucho )?la cabeza)\b(?:(?!\b(?:fue|era|tuve|tuvo)\b)[^?]){0,60}"
    rf"\b(?:(?:el|lo) peor que (?:he|ha|haya) (?:tenido|sentido)|{_DOUBLE})\b"
)
# "me muero de hambre", "me estoy muriendo de risa": an idiom, unless nothing follows the verb. "Alguien se muere"
# in a film is a story.
_DYING_NOW = re.compile(
    r"(?<!alguien )(?<!donde )(?<!gente )(?<!uno )\b(?:me estoy muriendo|se esta muriendo|se nos muere|se muere)\b"
    # "... de un infarto" is no idiom.
    r"(?!\s+(?:de|del)\b(?!\s+(?:una |un )?(?:infarto|sobre ?dosis|derrame|hemorragia|paro|ataque)))"
)
_PAST = re.compile(
    r"\b(?:hace (?:\w+ )?mucho|hace (?:\w+ ){0,3}(?:anos|ano|meses|mes|semanas|tiempo)|el ano pasado|el mes pasado"
    r"|la semana pasada"
    r"|la vez pasada"
    r"|de (?:nino|nina|joven|chico|chica|adolescente)|cuando (?:era|tenia|estaba) |a los \d+(?: anos)?"
    r"|(?:en|del|desde) (?:el )?(?:ano )?(?:19|20)\d\d"
    r"|antes (?:solia|tenia)|solia|solian|historial de|antecedentes de|una vez (?:tuve|tuvo|me)|ya paso|en el pasado"
    r")\b"
)
# Habit: "cada vez que", "a veces", "cuando toso": a clause about what happens now and then states nothing now.
_HABIT = re.compile(
    r"\b(?:siempre que|cada vez que|a veces|de vez en cuando|cuando (?:toso|estornudo|me rio|me agacho|hago ejercicio)"
    r"|al toser|de (?:tanto )?toser|por (?:la|el) (?:tos|catarro|gripe|gripa|resfriado|resfrio)"
    # "se atraganta mucho con la comida desde chiquito", "se atraganta con las pastillas grandes": how it goes.
    r"|desde (?:chiquit[oa]|pequen[oa]|nin[oa]|bebe|siempre)|de toda la vida"
    r"|(?:se|me) atragant(?:a|o|an) (?:mucho|seguido|facil\w*)"
    r"|con (?:las|los) (?:pastillas|pildoras|tabletas|capsulas) grandes"
    # "cuando camina mucho", "cuando subo escaleras": what exertion does, said in the present, in any person.
    r"|cuando (?:camina|camino|caminamos|sube|subo|corre|corro|se agacha|tose|se rie|se para|me paro|se levanta"
    r"|me levanto|se acuesta|me acuesto|hace (?:esfuerzo|ejercicio)|hago esfuerzo|se pone nervios[oa]"
    r"|me pongo nervios[oa]|se estresa|me estreso|se agita|me agito)"
    # "me dan ataques de ansiedad": attacks that come and go.
    r"|(?:me|le|nos|les) dan (?:ataques|crisis)|(?:me|le) (?:dan|da) (?:crisis|ataques) de (?:ansiedad|panico))\b"
)
_PAST_OR_HABIT = re.compile(f"{_PAST.pattern}|{_HABIT.pattern}")
_NOW = re.compile(r"\b(?:ahora|ahorita|hoy|otra vez|de nuevo)\b")
_HYPOTHETICAL = re.compile(
    r"\b(?:que pasa(?:ria)? (?:si|if)|y si|como si|casi me (?:ahogo|ahogue|muero|mori|desmayo|desmaye|da|dio"
    r"|atraganto|atragante)|se puede|puede tener|pueden tener|podria tener|puede haber|si llega a|si me llega"
    r"|si le llega|en caso de|puede causar|puede provocar|pueden causar|causa|provoca|es normal|es posible"
    r"|es peligroso|hay (?:riesgo|peligro)|(?:riesgo|peligro) de"
    r"|que hago si|que debo hacer si|que hacemos si|como saber si|puede dar|da"
    r"|ayuda con|sirve para|tratar|tratamiento para|es (?:cierto|verdad) que|(?:la|lo|se) usan? para"
    r"|(?:vi|vimos|lei|en) (?:una|un|la|el) (?:pelicula|serie|video|noticia|articulo)"
    r"|cuando (?:se|me|uno) (?:corta|corto|pega|pego|lastima|lastimo)"
    # "¿puede la ketamina causar un derrame?", "¿me pueden dar una sobredosis sin querer?"
    r"|(?:puede|pueden|podria|podrian)(?: \w+){0,3} (?:causar\w*|provocar\w*|producir\w*|generar\w*|desencadenar\w*"
    r"|dar(?:me|le|nos|te)? (?:un|una))"
    # "uno siente que se muere": anyone, not someone now.
    r"|uno (?:siente|se siente|cree|piensa|nota|puede)|(?:le|les) da a uno)\b"
)
_NEVER = re.compile(r"(?!)")
# A question about what will happen ("¿me voy a quedar inconsciente durante la infusión?") states nothing now.
_ASKS_AHEAD = re.compile(
    r"\b(?:me voy a|me va a|voy a)\b[^?]*\b(?:durante|infusion|ketamina|tratamiento|sesion|cita)\b[^?]*\?\s*$"
)
# Laughing, which makes a joke of a wish on a condition not met now ("jaja me voy a tirar por la ventana si vuelvo a
# hablar con el seguro") or of an urge that came and went ("me dieron ganas de tirarme por la ventana cuando vi la fila
# jajaja"): those are figures of speech. Laughing alone excuses nothing.
_JOKING = re.compile(r"\b(?:ja(?:ja)+|je(?:je)+|jsjs\w*|lol|xd)\b")
_FIGURE_OF_SPEECH = re.compile(
    r"\bsi (?:vuelvo a|me vuelven a|tengo que volver a|me toca otra vez|otra vez)\b"
    r"|\bme (?:dieron|dio|daban|entraron) ganas de\b"
)
_CLAUSES = re.compile(r"(?<=[.?!;,¿¡])|[.!;,¡]+|\b(?:pero|y luego|y despues)\b")
_SENTENCES = re.compile(r"(?<=[.?!;])")
_EACH = [re.compile(p) for p in _PATTERNS]

# Twins read on the whole message, each for one family of patterns, which they take out of every clause before the
# patterns read it. A death told as news ("mi tío murió de sobredosis") or a fear named ("me da miedo una sobredosis")
# is never an emergency now.
_DANGER_NAMED = (
    r"(?:una |un |el |la )?(?:sobre ?dosis|infarto|derrame(?: cerebral)?|embolia|paro (?:cardiaco|respiratorio)"
    r"|ataque (?:al corazon|cardiaco)|convulsion(?:es)?|hemorragia|anafilaxia|suicidio)"
)
_TOLD = re.compile(
    rf"\b(?:se )?(?:murio|murieron|fallecio|fallecieron|perdio la vida|perdieron la vida) (?:de|por|a causa de|tras)"
    rf" {_DANGER_NAMED}\b|\bmiedo (?:a|de) (?:que (?:me|le) de )?{_DANGER_NAMED}\b"
)
# A chest pain that is old or left over ("un dolor de pecho viejo por la fibromialgia", "le quedó dolor en el pecho
# después del covid"): this clinic's patients live with pain, and a pain they have had for long is no emergency now.
_LASTING = re.compile(
    r"\b(?:le|me|les) (?:quedo|quedaron|ha quedado|dejo) (?:un |una |el |la )?(?:dolor|molestia|presion|opresion)\w*"
    r" (?:de|en el) pecho\b"
    r"|\b(?:dolor|molestia|presion|opresion)\w* (?:de|en el) pecho (?:\w+ ){0,2}(?:viej[oa]|cronic[oa]|de siempre"
    r"|de toda la vida|muscular)\b"
)
# "me dio un dolor en el pecho pero fui al doctor y era gastritis": a chest pain a doctor has already seen and named.
# Only the pain is taken out, and only when no "ahora" follows: an arm gone numb, a cold sweat, or a pain that is back
# ("pero ahora me duele el pecho otra vez") still counts.
_DIAGNOSED = re.compile(
    r"\b(?:fui|fue|fuimos|ya fui|lo llevamos|la llevamos|me vio|lo vio|la vio|me revis\w*|lo revis\w*|la revis\w*)\b"
    r"[^.?!]{0,40}\b(?:doctor|doctora|medico|medica|urgencias|hospital|cardiologo|cardiologa)\b[^.?!]{0,40}"
    r"\b(?:es|era|fue|resulto(?: ser)?|dijo que (?:es|era|fue)|dijeron que (?:es|era|fue)) (?:solo |nada mas |puro )?"
    r"(?:gastritis|bronquitis|reflujo|acidez|agruras|gases|colitis|ansiedad|estres|muscular|un musculo|costocondritis"
    r"|nada)\b"
)
_CHEST_PAIN = re.compile(
    r"\b(?:dolor|molestia|presion|opresion|apreton|peso)\w* (?:muy )?(?:fuerte |horrible |terrible )?"
    r"(?:de|en el) pecho\b"
    r"|\bme (?:duele|dolia|dolio|aprieta|arde) (?:mucho |muchisimo )?el pecho\b"
)
# "dice que ya se quiere morir con tanto dolor, pero es su forma de hablar": a wish to die said, and in the same
# message said not to be meant. Only the wish is taken out: a plan, a means or a body in trouble still counts.
_NOT_MEANT = re.compile(
    r"(?<!no )\b(?:es|era) (?:su|mi|una|nomas una|solo una) (?:forma|manera) de (?:hablar|decir)\b"
    r"|(?<!no )\bes (?:un|solo un|nomas un) decir\b"
    r"|\blo (?:dice|digo|dijo|decia) (?:por (?:decir|el dolor|hablar)|de broma|sin pensar)\b"
    r"|\bno lo (?:dice|digo|dijo|decia) en serio\b"
    r"|\bno (?:de|es de|es que se quiera|con (?:la )?intencion de|tiene (?:la )?intencion de|piensa)"
    r" (?:hacerse|lastimarse|matarse)(?: dano| nada)?\b"
)
_WISH = re.compile(
    r"\b(?:me quiero|se quiere|quiero|quiere) morir(?:me|se)?\b|\bme quiero ir de este mundo\b"
    r"|\b(?:ya )?no (?:quiero|quiere|queria) (?:seguir )?(?:vivir|viviendo|estar|seguir)\b"
)
# "trabajo de seguridad y ando con mi pistola, ¿dónde la dejo?": a weapon carried for work, asked about.
_FOR_WORK = re.compile(
    r"\btrabaj\w* (?:de|como|en) (?:seguridad|security|guardia|vigilante|policia|escolta|custodio)\b"
    r"|\bsoy (?:policia|guardia|vigilante|escolta|oficial|militar|soldado|agente|de seguridad)\b"
    r"|\bpor (?:mi|el) trabajo\b"
    r"|\b(?:la|lo) (?:dejo|guardo|puedo (?:dejar|guardar|traer|meter))\b|\b(?:dejarla|dejarlo|guardarla|guardarlo)\b"
    r"|\b(?:permiso|licencia) (?:de|para) (?:portacion|portar|armas)\b"
)
_CARRIED = re.compile(
    r"\b(?:ando|estoy|vengo|voy|traigo|tengo|llevo|cargo|porto|andar|traer|llevar) (?:con )?(?:mi|la|el|una|un)"
    r" (?:pistola|arma|escopeta|rifle|navaja|cuchillo)\b"
)
# "hace dos años tuve una reacción alérgica, se me hinchó la cara": a past set at the start of a sentence covers what
# it goes on to tell in the past tense, until an "ahora"; a state said in the present ("no respira") still counts.
# A question about heredity sets that past for the whole message.
_PRETERITE = re.compile(
    r"\b(?:hincho|hincharon|inflamo|dio|dieron|tuvo|tuve|desmayo|desmaye|cayo|privo|desplomo|intente|puso|ahorco"
    r"|convulsiono)\b"
)
_HEREDITY = re.compile(r"\b(?:hereditari\w*|se hereda|genetic\w*|corre en la familia|antecedentes familiares)\b")


# Suicidal thoughts come back ("volvieron esos pensamientos" got the identity reply, "volvieron los pensamientos de
# suicidio" a "did you mean"), or a past attempt is told beside its return ("hace años intenté matarme y me siento
# igual"): read on the whole message, since a past event excuses its clause.
_THOUGHTS = (
    r"(?:pensamientos|ideas)(?: (?:oscur[oa]s|mal[oa]s|fe[oa]s|suicidas|negativ[oa]s"
    r"|de (?:suicidio|muerte|matarme|morir\w*|quitarme la vida|hacerme dano)))?"
)
_RELAPSE = re.compile(
    r"\b(?:volvieron|regresaron|han vuelto|volvio|vuelven|regresan|tengo otra vez|tengo de nuevo|vuelvo a tener"
    r"|otra vez tengo|de nuevo tengo|volvi a tener)\s+(?:los |las |esos |esas |mis |estos |estas |unos |unas )?"
    rf"{_THOUGHTS}\b|\b(?:esos|esas|mis|los|las) {_THOUGHTS} (?:volvieron|regresaron|han vuelto|otra vez|de nuevo)\b"
    r"|\b(?:intente|trate de|quise) (?:matarme|suicidarme|quitarme la vida)\b[^?]{0,80}"
    r"\b(?:me siento (?:igual|como (?:antes|entonces|esa vez))|lo estoy pensando|estoy pensando en (?:eso|hacerlo)"
    r"|otra vez|de nuevo)\b"
)


def mentions_emergency(text: str) -> bool:
    """True when any clause of the message states, in Spanish, an emergency happening now."""
    words = spanish_words(text)
    if _RELAPSE.search(words) or _WHOLE.search(said_now(words, _PAST, _NOW, _NEVER)):
        return True
    joking = bool(_JOKING.search(words))
    twins = [_TOLD, _LASTING]
    if _NOT_MEANT.search(words):
        twins.append(_WISH)
    if _FOR_WORK.search(words):
        twins.append(_CARRIED)
    diagnosed = _DIAGNOSED.search(words)
    if diagnosed and not _NOW.search(words, diagnosed.end()):
        twins.append(_CHEST_PAIN)
    heredity = bool(_HEREDITY.search(words))
    for sentence in _SENTENCES.split(words):
        in_past = heredity
        for clause in _CLAUSES.split(sentence):
            if _states_emergency(clause, joking, twins, in_past):
                return True
            past = _PAST.search(clause)
            if past and not _NOW.search(clause, past.end()):
                in_past = True
            elif _NOW.search(clause):
                in_past = False
    return False


def _states_emergency(clause: str, joking: bool, twins: list[re.Pattern[str]], in_past: bool) -> bool:
    if _ASKS_AHEAD.search(clause) or (joking and _FIGURE_OF_SPEECH.search(clause)):
        return False
    said = said_now(clause.replace("?", " ").replace("¿", " "), _PAST_OR_HABIT, _NOW, _HYPOTHETICAL)
    for twin in twins:
        said = twin.sub(" ", said)
    if _DYING_NOW.search(said):
        return True
    if not _EMERGENCY.search(said):
        return False
    if not in_past or _NOW.search(said):
        return True
    # In a past already set: only a danger told in the present tense counts.
    return any(found and not _PRETERITE.search(found.group(0)) for found in (each.search(said) for each in _EACH))
