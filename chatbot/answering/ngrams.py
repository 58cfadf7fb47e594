"""The n-gram emergency nets, one model per language: a linear model over the message's character n-grams.

Hand-written patterns catch the wordings they were written from; a writer they never saw says the same
danger in other words ("se metió todo lo del frasco", "ya tengo la soga"). Pieces of words carry over
where whole patterns do not: "ahorc", "frasc", " pastill", "no resp". Each model is trained when the
index is built (`chatbot.kb.ngram_model`) on the knowledge base's emergency and ordinary exemplars of its
language; serving it is a sparse dot product, here, with no library beyond the standard one.

Features are sklearn's `char_wb` n-grams of the message as the Spanish patterns read it (`spanish_words`:
folded, shorthand spelled out; English text changes little beyond the folding, since words such as "q", "k" or
"x" are rare in it), weighted `(1 + log tf) * idf` and scaled to unit length: the training computes them with
these very functions, so serving and training cannot drift apart.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from chatbot.answering.language import spanish_words

SHORTEST, LONGEST = 2, 5


def ngrams(text: str) -> Counter[str]:
    """How often each character n-gram (2 to 5, within words padded by a space) occurs in the message."""
    counts: Counter[str] = Counter()
    for word in spanish_words(text).split():
        padded = f" {word} "
        for n in range(SHORTEST, LONGEST + 1):
            counts.update(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:  # a short word counts once, as the whole padded word
                break
    return counts


def features(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Each known n-gram's weight, `(1 + log tf) * idf`, scaled so that the weights have unit length."""
    weights = {gram: (1 + math.log(tf)) * idf[gram] for gram, tf in counts.items() if gram in idf}
    length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {gram: w / length for gram, w in weights.items()}


@dataclass(frozen=True)
class NgramModel:
    """A logistic regression over n-gram features: per n-gram its idf and its coefficient, and an intercept."""

    idf: dict[str, float]
    coef: dict[str, float]
    intercept: float

    def probability(self, text: str) -> float:
        """How likely the model holds it that `text` states an emergency, 0 to 1."""
        weights = features(ngrams(text), self.idf)
        z = self.intercept + sum(w * self.coef.get(gram, 0.0) for gram, w in weights.items())
        return 1 / (1 + math.exp(-z)) if z > -700 else 0.0
