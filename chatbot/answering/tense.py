"""What part of a clause states something happening now: the rule the emergency patterns of every language share."""

from __future__ import annotations

import re


def said_now(clause: str, past: re.Pattern[str], now: re.Pattern[str], hypothetical: re.Pattern[str]) -> str:
    """The part of `clause` that can state an emergency happening now; "" when none can.

    A past marker ("years ago", "hace años") excuses the clause, unless a later "now" ("ahora") brings it
    back: only what follows that counts. A hypothetical ("what if", "qué pasa si") covers only what follows
    it, so what comes before it still counts.
    """
    found = past.search(clause)
    if found:
        again = now.search(clause, found.end())
        if again is None:
            return ""
        clause = clause[again.end() :]
    hypothetical_at = hypothetical.search(clause)
    return clause[: hypothetical_at.start()] if hypothetical_at else clause
