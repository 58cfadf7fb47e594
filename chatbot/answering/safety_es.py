"""The emergency patterns in Spanish (and the Spanish half of Spanglish), read on every message.

They read the folded text (`language.fold`: lower case, no accents), with SMS shorthand spelled
out ("q" → "que", "xq" → "porque", "x favor" → "por favor"), so one spelling covers "está
respirando", "esta respirando" and "sta respirando". Like the English patterns, each clause is
judged on its own; a clause about the past ("hace años tuve una convulsión") states no emergency
unless a later "ahora" brings it back, and a question about a risk ("¿la ketamina puede causar
convulsiones?") covers what follows it in its clause. Idioms ("el dolor me está matando", "me
muero de hambre") never match in the first place: the patterns need a first-person intent or
a person in trouble, not the words alone.
"""

from __future__ import annotations

import re

from chatbot.answering.language import spanish_words
from chatbot.answering.tense import said_now

# Someone the writer is worried about: "mi esposo", "la abuela", "el niño", or just "él" / "ella".
_PERSON = (
    r"(?:el|ella|mi \w+|mi \w+ \w+|su \w+|el \w+|la \w+|nuestr[oa] \w+|alguien|una persona|mi (?:esposo|esposa|marido|mujer|pareja|hijo|hija"
    r"|mama|papa|madre|padre|abuela|abuelo|abuelita|abuelito|hermano|hermana|novio|novia|amigo|amiga|tio|tia|bebe|nino|nina|viejo|vieja|suegra|suegro))"
)
_PATTERNS = [
    # Suicide and self-harm said by the writer: "me quiero morir", "voy a matarme", "quiero quitarme la vida".
    r"\b(?:me (?:quiero|voy a|kiero)|quiero|quisiera|voy a|pienso|estoy pensando en|pensando en|tengo ganas de|ganas de|planeo|decidi|voy a ir a)"
    r"\s+(?:\w+\s+)?(?:morir|morirme|matarme|suicidarme|suicidar|quitarme la vida|acabar con mi vida|acabar con todo|terminar con todo"
    r"|terminar con mi vida|tirarme|aventarme|colgarme|ahorcarme|cortarme las venas|dispararme|desaparecer para siempre|no despertar)\b",
    r"\bme quiero (?:morir|matar|suicidar|ir de este mundo)\b|\bme voy a (?:matar|suicidar|morir hoy|quitar la vida|tirar|aventar|colgar|disparar)\b",
    r"\b(?:me|se) (?:quito|quita|quitare|va a quitar|voy a quitar) la vida\b|\b(?:dormir|dormirme) y no (?:despertar|volver a despertar)\b|\bno (?:volver a )?despertar nunca\b",
    r"\b(?:quitarme la vida|acabar con mi vida|terminar con mi vida|suicidarme|me suicido|me mato hoy|me mato esta noche)\b",
    r"\bno (?:quiero|kiero|deseo) (?:seguir )?(?:vivir|viviendo|despertar|estar aqui|estar viv[oa]|existir|seguir)\b|\bya no quiero (?:vivir|estar|seguir|despertar)\b",
    r"\b(?:estarian|estarias|estan|estaran|estaria|van a estar|vas a estar|estaras) mejor sin mi\b|\bes mi despedida\b|\bsoy una carga para (?:todos|mi familia|ustedes|mis hijos)\b|\bmejor (?:muert[oa]|me muero)\b|\bno (?:tengo|hay) (?:razon|motivo|por que|para que) (?:para )?(?:vivir|seguir)\b",
    r"\b(?:ultimo|ultima) (?:mensaje|carta|vez que (?:me )?(?:escribo|hablo))\b|\bcartas? de despedida\b|\bme (?:estoy )?despid\w* de (?:todos|ustedes|mis hijos|mi familia)\b"
    r"|\besto es (?:un )?adios\b|\bdej[oe] cartas? para (?:cada|todos|sus|mis|nosotros)\b|\bya no (?:quiere|quiero) ser (?:un estorbo|una carga)\b|\bles escribo para despedirme\b|\bya no (?:sere|voy a ser) una carga\b",
    r"\b(?:tengo|junte|guarde|ahorre|tengo guardad[oa]s|tengo juntad[oa]s) (?:\w+ )?(?:las |unas |mis |todas las |suficientes )?(?:pastillas|pildoras|medicinas|medicamentos|tabletas|pastis)"
    r"\b[^.?!]{0,40}\b(?:para (?:morir|matarme|acabar|terminar|tomarmelas)|guardad[oa]s|juntad[oa]s|listas)\b",
    r"\b(?:pastillas|pildoras|medicinas|tabletas) (?:ya )?(?:contadas|listas|alineadas|juntadas|guardadas) (?:para|en la mesa|encima)\b",
    r"\b(?:tengo|traigo|compre|consegui) (?:una |la |un |el )?(?:pistola|arma|soga|cuerda|cuchillo)\b[^.?!]{0,40}\b(?:para mi|usar(?:la|lo)|conmigo|en (?:la|mis) mano|aqui|en el regazo|lista)\b",
    r"\b(?:estoy|toy|ando|sentad[oa]) (?:en|arriba del|parad[oa] en|sobre) (?:el|un|la|las) (?:puente|bridge|techo|azotea|orilla|borde|vias del tren)\b|\bvoy a (?:jump|saltar|brincar)\b",
    r"\b(?:gillette|navaja|cuchilla|hoja de afeitar|rastrillo)\b[^.?!]{0,40}\b(?:empece|ya empece|cortando|cortarme)\b",
    r"\b(?:tengo|traigo) (?:the|a|la|una|el) (?:gun|pistola|arma)\b[^.?!]{0,20}\b(?:aqui|conmigo|with me)\b",
    r"\b(?:me estoy|acabo de|me acabo de|estoy) (?:cortando|cortar(?:me)?|quemando|quemar(?:me)?|lastimando|lastimar(?:me)?|haciendo dano|hacer(?:me)? dano)\b",
    r"\bme (?:corte|raje|queme) (?:las venas|la muneca|las munecas|los brazos|el brazo|las piernas|la piel)\b|\bcortarme las venas\b",
    r"\b(?:tengo|tener|con|tuve|estoy teniendo|tengo muchos|tengo unos) pensamientos (?:suicidas|de suicidio|de muerte|de matarme|de quitarme la vida|de hacerme dano)\b",
    r"\b(?:estoy|me siento|me sient[oa]|sigo) (?:\w+ )?suicida\b",
    # Said of someone else: "dice que se va a matar", "se quiere suicidar".
    r"\bse (?:quiere|va a|iba a|esta tratando de|trato de) (?:matar|suicidar|quitar la vida|colgar|ahorcar|tirar|aventar|cortar las venas|disparar)\b",
    r"\b(?:quiere|va a|amenaza con|amenazo con|dice que va a|intento|intenta|esta intentando) (?:matarse|suicidarse|quitarse la vida|ahorcarse|colgarse|tirarse|aventarse|cortarse)\b",
    r"\b(?:se encerro|esta encerrad[oa])\b[^.?!]{0,40}\b(?:pistola|arma|cuchillo|navaja|soga|pastillas)\b",
    r"\b(?:se esta|esta) (?:cortando|quemando|lastimando|haciendo dano)\b",
    # Overdose: "me tomé todas las pastillas", "se tomó un frasco entero", "sobredosis".
    r"\b(?:me tome|tome|me trague|trague|se tomo|tomo|se trago|se comio|ingirio|me acabe|se acabo|tomamos|se tomaron|me tome como|se ha tomado|ha tomado|me he tomado|he tomado)\b"
    r"[^.?!]{0,40}\b(?:todas|todos|frasco|bote|caja|botella|monton|punado|demasiad[oa]s|much[oa]s|chorro|\d{2,}|doble|triple|blister|entero|juntas|de golpe|de una vez"
    r"|de toda la semana|de la semana|del mes|de mas|no se cuantas)\b",
    r"\b(?:frasco|bote|caja|blister) vaci[oa]\b[^.?!]{0,60}\b(?:tirad[oa]|no despierta|inconsciente|dormid[oa]|no responde|no contesta)\b",
    r"\b(?:me voy a|voy a|quiero|se va a) (?:tomar|trag\w*) (?:me )?(?:todas|todo el frasco|todo el bote|el frasco|la caja)\b",
    r"\bsobre ?dosis\b|\bsobredosi\w*\b|\bme pase (?:de|con) (?:las |la )?(?:pastillas|dosis|medicina|medicinas)\b|\bse paso (?:de|con) (?:las |la )?(?:pastillas|dosis|medicina)\b",
    r"\b(?:nino|nina|hijo|hija|bebe|nieto|nieta|nene|nena)\b[^.?!]{0,30}\b(?:se tomo|se comio|se trago|agarro|tomo|comio|trago)\b[^.?!]{0,30}\b(?:pastillas|medicinas|medicamentos|tabletas|parches|frasco|bote)\b",
    # Breathing: "no puede respirar", "dejó de respirar", "me ahogo", "no respira bien".
    r"\bno (?:puedo|puede|pueden|podia|podemos|consigo|logra|logro|alcanzo|alcanza) (?:\w+ )?respirar\b",
    r"\b(?:no|casi no|apenas|ya no|dejo de|deja de|para de) (?:esta )?respir\w*\b",
    r"\brespira (?:muy |bien )?(?:poco|raro|lento|lentito|feo|mal|despacio|con dificultad)\b|\brespiracion (?:muy )?(?:lenta|rara|debil|entrecortada)\b",
    r"\b(?:me|se|te) (?:esta )?(?:ahog\w*|asfixi\w*)\b|\b(?:me|le|nos) falta (?:el )?aire\b|\bno (?:me|le) entra (?:el )?aire\b|\bsin aire\b",
    # Unresponsive: "no despierta", "no reacciona", "está inconsciente", "se desmayó".
    r"\bno se mueve\b[^.?!]{0,20}\b(?:ni|no) (?:contesta|responde|reacciona|habla|respira)\b|\bno (?:despierta|reacciona|se despierta|abre los ojos|se mueve y no|vuelve en si)\b|\bno (?:lo|la|los|le) (?:puedo|podemos) despertar\b|\bno puedo despertarl[oa]\b",
    rf"\b{_PERSON}\b[^.?!]{{0,40}}\bno (?:responde|contesta|me responde|me contesta)\b|\bno responde (?:a nada|cuando le|al hablarle|a mi voz)\b",
    r"\b(?:esta|quedo|sigue) (?:medio |como )?(?:inconsciente|desmayad[oa]|sin sentido|sin conocimiento|privad[oa]|tirad[oa] en el piso)\b|\bperdio el conocimiento\b|\bse privo\b",
    r"\bse (?:acaba de|acaban de) (?:desmayar|desvanecer|caer|desplomar)\b|\b(?:acaba de|se esta) desmay\w*\b|\bno tiene pulso\b|\bsin pulso\b",
    # Seizure now.
    r"\b(?:esta|estan|sigue) (?:convulsionando|temblando y no para|echando espuma)\b|\b(?:esta|sigue) teniendo (?:una )?(?:convulsion|convulsiones|ataque|crisis)\b"
    r"|\ble (?:esta dando|dio|estan dando) (?:una |un )?(?:convulsion|convulsiones|ataque epileptico|ataque)\b|\bespuma (?:por|en) la boca\b|\bconvulsiona\b|\bconvulsionando\b|\b(?:tiene|tengo|esta con) (?:una |unas )?convulsion(?:es)?\b(?! (?:controladas|bajo control|desde|de vez en cuando|a veces))",
    # Chest pain, heart attack.
    r"\b(?:dolor|presion|opresion|apreton|peso) (?:muy )?(?:fuerte |horrible |terrible )?en el pecho\b|\bme (?:duele|aprieta|arde) (?:mucho |muchisimo )?el pecho\b"
    r"|\ble (?:duele|aprieta) (?:mucho )?el pecho\b|\bdolor de pecho\b|\bel pecho me (?:duele|aprieta|arde)\b|\b(?:se agarra|agarrandose|se esta agarrando) el pecho\b|\ble arde el brazo\b",
    r"\b(?:me esta dando|le esta dando|estoy teniendo|esta teniendo|tengo|tiene|creo que es|parece) un (?:infarto|ataque al corazon|ataque cardiaco)\b|\bpreinfarto\b",
    # Stroke signs.
    r"\b(?:cara|boca|sonrisa)\b[^.?!]{0,15}\b(?:caida|chueca|torcida|de lado|ladeada|colgando)\b|\bse le (?:cayo|esta cayendo|callo) (?:la cara|un lado|la boca|el labio)\b",
    r"\b(?:habla|hablando|esta hablando|arrastra las palabras|arrastrando las palabras|las palabras)\b[^.?!]{0,15}\b(?:raro|arrastrad\w*|enredad\w*|trabad\w*|no se le entiende|mocho|rar[oa]s)\b",
    r"\b(?:no (?:puedo|puede) (?:mover|levantar)|no siento|no siente|se (?:me|le) durmio)\b[^.?!]{0,20}\b(?:brazo|pierna|lado|mitad|cara)\b|\b(?:un lado|la mitad) del cuerpo\b",
    r"\b(?:derrame cerebral|embolia|ataque cerebral|accidente cerebrovascular)\b(?!\s*(?:\?|hace|el ano))",
    # Bleeding.
    r"\b(?:sangr\w*|sangre)\b[^.?!]{0,25}\bno (?:para|paraba|se detiene|deja de|se quita|se corta)\b|\bno (?:para|deja) de (?:sangrar|salir sangre|brotar sangre)\b|\bsigue (?:saliendo|brotando) sangre\b|\bempap\w* (?:\w+ )?toallas\b|\bmucha sangre\b|\bsangrando (?:mucho|muchisimo|un chorro)\b|\bhemorragia\b",
    r"\b(?:vomitando|vomita|tosiendo|escupiendo|echando) (?:\w+ )?sangre\b",
    # Allergic swelling, blue lips.
    r"\b(?:garganta|lengua|labios|cara|boca|ojos|parpados)\b[^.?!]{0,25}\b(?:cerrando|cierra|hinch\w*|inflam\w*)\b|\banafila\w*\b|\bronchas (?:por todo|en todo)\b"
    r"|\b(?:se (?:me|le) (?:esta|estan) )(?:cerrando|hinchando|inflamando)\b[^.?!]{0,25}\b(?:garganta|lengua|labios|cara|boca|ojos|parpados)\b",
    r"\b(?:labios|cara|dedos|unas|boca|piel)\b[^.?!]{0,15}\b(?:morad[oa]s?|azul(?:es)?|azulad[oa]s?|gris(?:es)?)\b(?! (?:del|de|por el|con el) frio)"
    r"|\bse (?:esta poniendo|puso|pone|esta) (?:morad[oa]|azul|gris)\b",
]
# Broader families, written against the tuning halves of two blind sets: a danger said with what makes it now.
_PATTERNS += [
    # A plan, a means at hand, a farewell.
    r"\b(?:todo listo para|ya tengo todo (?:listo|preparado)|ya escogi|ya escogio)\b[^.?!]{0,30}\b(?:matar\w*|morir\w*|soga|cuerda|pastillas|irme|hacerlo)\b",
    r"\b(?:ya )?(?:tengo|tiene|traigo|trae|con) (?:la|una|el|un|las|mis) (?:soga|cuerda|navaja|pistola|arma|cuchillo|pastillas|pastas|pildoras)"
    r"(?: \w+)?(?: en la mano| lista| listas| aqui| guardad[oa]s| conmigo| preparad[oa]s)\b",
    r"\bno vale la pena (?:seguir|vivir|nada)\b|\bya no (?:doy|puedo) mas\b[^.?!]{0,40}\b(?:hoy|esta noche|me mato|me voy|adios|goodbye)\b",
    r"\b(?:se|me) (?:acaba|termina) todo\b|\bhoy se acaba\b|\b(?:hoy|esta noche|tonight) me (?:voy|mato|muero)\b|\bregale (?:todo|mis cosas)\b",
    r"\b(?:quiere|queria|se quiere|dijo que se (?:iba a|va a)|dice que se va a) (?:tirar|aventar|lanzar)\w*\b|\b(?:tirarme|aventarme|meterme)\b[^.?!]{0,30}\b(?:tren|puente|trailer|camion|carro|metro|edificio)\b",
    r"\b(?:motor|carro|coche) (?:encendido|prendido|andando)\b[^.?!]{0,40}\b(?:garaje|cochera)\b|\b(?:garaje|cochera)\b[^.?!]{0,60}\b(?:motor|carro|coche) (?:encendido|prendido|andando)\b",
    r"\b(?:nos quiere mucho|los quiero mucho|te quiero mucho)\b[^.?!]{0,40}\b(?:perdon\w*|adios|goodbye|lo siento)\b|\b(?:perdonen|perdonenme|la perdonemos|lo perdonemos)\b[^.?!]{0,60}\bno (?:contesta|responde)\b",
    r"\b(?:me texteo|me escribio|me mando|mando) (?:un )?(?:goodbye|adios|despedida)\b|\bya no puede mas\b[^.?!]{0,40}\bno (?:contesta|responde|me contesta)\b",
    r"\b(?:me hice|se hizo|me he hecho|ya me hice) (?:varios |unos |muchos )?(?:cortes|cortadas|heridas)\b|\bcortes?\b[^.?!]{0,25}\bno (?:puedo|puede) parar\b",
    r"\b(?:tomarmelas|tragarmelas|tomarme todas|tomarmelas todas)\b|\b(?:pastillas|pills|pastas)\b[^.?!]{0,20}\ben la mano\b",
    # Pills with alcohol, or a person drifting away after them.
    r"\b(?:pastillas|pills|painkillers|calmantes|medicinas)\b[^.?!]{0,30}\b(?:con (?:ron|alcohol|vino|cerveza|tequila|licor|guaro|trago)|con el alcohol)\b"
    r"|\b(?:mezcle|mezclo|se metio|me meti|se tomo)\b[^.?!]{0,40}\b(?:alcohol|ron|vino|cerveza|tequila|licor)\b",
    r"\b(?:me estoy apagando|se esta apagando|esta toda? id[oa]|se le cierran los ojos|no me contesta bien)\b",
    r"\b(?:i took|took) (?:todas|todos|all)\b",
    # Stroke: sight lost, speech, one side, the worst headache.
    r"\b(?:deje|dejo) de ver\b|\b(?:ve|veo) borroso\b[^.?!]{0,40}\b(?:cabeza|nuca|presion)\b|\bno (?:puedo|puede) ver de (?:un|el) ojo\b",
    r"\bse (?:me|le) traban las palabras\b|\bno (?:puede|puedo) hablar bien\b|\b(?:mano|brazo|pierna|cara)\b[^.?!]{0,10}\b(?:dormid[oa]|numb|entumid[oa])\b",
    r"\b(?:cara|boca)\b[^.?!]{0,20}\b(?:droopy|drooping|numb)\b|\bse (?:me|le) cae la (?:boca|cara)\b",
    r"\b(?:presion|bp)\b[^.?!]{0,15}\b(?:1[89]\d|2\d\d)\b|\bpeor dolor de cabeza de mi vida\b",
    # Chest pain said with its signs, in Spanish or Spanglish.
    r"\b(?:elefante|piedra|peso)\b[^.?!]{0,30}\bpecho\b|\b(?:chest pain|pecho)\b[^.?!]{0,40}\b(?:jaw|brazo|arm|quijada|mandibula|sudando|sweating|sudor)\b",
    r"\b(?:esta|estoy) (?:gris|palid[oa] y sudando|sudando a chorros)\b",
    # Seizure again, bleeding from a wound, swelling that stops swallowing.
    r"\b(?:acabo de tener|acaba de tener|tuvo|tuve) una convulsion\b[^.?!]{0,40}\b(?:otra|ahora|sigue|solo|sola)\b|\bme viene otra\b",
    r"\bsangre\b[^.?!]{0,20}\b(?:a borbotones|a chorros|sale y sale|por todos lados)\b|\b(?:corte|herida) (?:muy )?profund[oa]\b|\ble sale sangre\b",
    r"\bno (?:puedo|puede) tragar\b|\b(?:lengua|garganta)\b[^.?!]{0,20}\bhinch\w*\b|\bse me hincho\b",
]
_EMERGENCY = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
# Read on the whole message, not clause by clause: the danger is in the parts together ("se cayó, se pegó en la
# cabeza, ... y ha vomitado").
_WHOLE = re.compile(
    r"\b(?:se pego|me pegue|se golpeo|me golpee|hit (?:her|his|my) head|golpe en la cabeza|se (?:ha )?caido|se cayo|me cai|me he caido)\b"
    r"[^?!]{0,100}\b(?:no sabe (?:ni )?donde|no me reconoce|sin sentido|vomit\w*|confus\w*|confused|mareado|no me acuerdo|no se acuerda|no despierta)\b"
    r"|\b(?:esposo|esposa|marido|mujer|hijo|hija|mama|papa|hermano|hermana|amigo|amiga|abuela|abuelo|novio|novia)\b[^.?!]{0,15}\boverdosed\b"
)
# "me muero de hambre", "me estoy muriendo de risa": an idiom, unless nothing follows the verb.
_DYING_NOW = re.compile(r"\b(?:me estoy muriendo|se esta muriendo|se nos muere|se muere)\b(?!\s+(?:de|del)\b)")
_PAST = re.compile(
    r"\b(?:hace (?:\w+ )?(?:anos|ano|meses|mes|semanas|tiempo|mucho)|el ano pasado|el mes pasado|de (?:nino|nina|joven|chico|chica|adolescente)"
    r"|cuando (?:era|tenia|estaba) |en (?:19|20)\d\d|a los \d+(?: anos)?|antes (?:solia|tenia)|solia|solian|historial de|antecedentes de|una vez (?:tuve|tuvo|me)|ya paso|en el pasado)\b"
)
_NOW = re.compile(r"\b(?:ahora|ahorita|hoy|otra vez|de nuevo)\b")
_HYPOTHETICAL = re.compile(
    r"\b(?:que pasa(?:ria)? (?:si|if)|y si|como si|casi me (?:ahogo|ahogue|muero|mori|desmayo|desmaye|da|dio)|se puede|puede tener|pueden tener|podria tener|puede haber|si llega a|si me llega|si le llega|en caso de|puede causar|puede provocar|pueden causar|causa|provoca|es normal|es posible"
    r"|es peligroso|hay riesgo|riesgo de|que hago si|que debo hacer si|que hacemos si|como saber si|puede dar|da|ayuda con|sirve para|tratar|tratamiento para)\b"
)
_CLAUSES = re.compile(r"[.?!;,¿¡]+|\b(?:pero|y luego|y despues)\b")


def mentions_emergency(text: str) -> bool:
    """True when any clause of the message states, in Spanish, an emergency happening now."""
    words = spanish_words(text)
    return bool(_WHOLE.search(words)) or any(_states_emergency(clause) for clause in _CLAUSES.split(words))


def _states_emergency(clause: str) -> bool:
    said = said_now(clause, _PAST, _NOW, _HYPOTHETICAL)
    return bool(_EMERGENCY.search(said) or _DYING_NOW.search(said))
