"""What must hold before an edited knowledge base is published, beyond what loading checks.

Loading (`knowledge.load`) checks each file, entry and field, and that every answer is the page's
own words. One rule needs the encoder: no alternate of one entry may read like another entry's
(cosine above NEAR_TWIN). A question two entries both claim costs both of them their lead over the
runner-up, so patients asking it get the fallback, or the wrong entry. `chatbot check` and
`chatbot build` both apply it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answering.normalise import normalise
from chatbot.errors import Problem
from chatbot.kb import knowledge

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from chatbot.kb.encoder import Encoder
    from chatbot.kb.index import Index

NEAR_TWIN = 0.85  # all-MiniLM-L6-v2: above this, two wordings ask the same thing


def near_twins(kb: knowledge.KnowledgeBase, vectors: Mapping[str, NDArray[np.float32]]) -> list[Problem]:
    """Each alternate that reads like other entries' alternates, with all of them.

    The wording with the most twins is named first (an alternate put under the wrong entry reads like
    many of the right entry's), so one slip is one problem, not one per alternate it resembles; between
    wordings with as many twins, the one least like its own entry's other wordings (the slip reads unlike
    the entry it was put under). The page's own questions are exempt: they stay as the page has them.

    Args:
        vectors: every alternate's vector, as the index embeds it (normalised text, unit length).
    """
    # English wordings only: Spanish questions are scored by an encoder of their own (`CHATBOT_SPANISH_MODEL`), and the
    # English one, which learnt no Spanish, puts "¿Cuánto cuesta cada infusión?" beside "¿Cada cuánto se ponen las
    # infusiones?" (0.90).
    rows = [(entry, text) for entry in kb.entries for text in entry.alternates]
    if not rows:
        return []
    matrix = np.stack([vectors[text] for _, text in rows])
    cosines = matrix @ matrix.T
    pairs = {
        (int(a), int(b)) for a, b in np.argwhere(np.triu(cosines, k=1) > NEAR_TWIN) if rows[a][0].id != rows[b][0].id
    }
    owners = np.array([entry.id for entry, _ in rows])
    same = np.equal.outer(owners, owners)
    np.fill_diagonal(same, False)
    at_home = (cosines * same).sum(axis=1) / np.maximum(same.sum(axis=1), 1)
    problems = []
    while pairs:
        counts = Counter(row for pair in pairs for row in pair)
        worst = max(counts, key=lambda row: (counts[row], -at_home[row]))
        twins = sorted(
            (b if a == worst else a for a, b in pairs if worst in (a, b)), key=lambda row: -cosines[worst, row]
        )
        pairs = {pair for pair in pairs if worst not in pair}
        entry, text = rows[worst]
        alike = "; ".join(f"{rows[t][1]!r} of entry {rows[t][0].id!r} ({cosines[worst, t]:.2f})" for t in twins)
        problem = Problem(
            entry.source,
            entry.id,
            "alternates",
            f"{text!r} reads like {alike}: above the {NEAR_TWIN} cosine two entries' wordings may share. "
            "Keep it under the one entry that answers it",
        )
        problems.append(knowledge.at_wording(problem, text, kb.files))
    return [knowledge.located(problem, kb.files) for problem in problems]


def alternate_vectors(
    kb: knowledge.KnowledgeBase, encoder: Encoder, built: Index | None
) -> dict[str, NDArray[np.float32]]:
    """Every alternate's vector: taken from `built` (an index made with the same model) where it has the
    text, encoded otherwise, so a check after a small edit encodes only what changed."""
    known: dict[str, NDArray[np.float32]] = {}
    if built is not None:
        stored = built.vectors.reconstruct_n(0, built.vectors.ntotal)
        known = dict(zip(built.texts, stored, strict=True))
    missing = sorted({text for entry in kb.entries for text in entry.alternates} - known.keys())
    if missing:
        known.update(zip(missing, encoder.encode([normalise(text) for text in missing]), strict=True))
    return known
