"""Training, writing and reading the emergency n-gram models (`chatbot.answering.ngrams`), one per language.

Trained by `chatbot build` and kept in the index version built from the same knowledge base, so each model
always matches the exemplars the semantic check compares with: the Spanish one on the `spanish_emergency`
exemplars against the `spanish_not_emergency` ones, the English one on the `emergency` exemplars against every
ordinary phrasing an English message is compared with (`chatbot.domain.ordinary_in_english`: the entries' keys,
the out-of-scope questions and the `not_emergency` exemplars). scikit-learn (already installed with
sentence-transformers, which builds need anyway) is imported here only, at build time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from chatbot.answering.language import ENGLISH, SPANISH
from chatbot.answering.ngrams import NgramModel, features, ngrams
from chatbot.domain import EMERGENCY, SPANISH_EMERGENCY, SPANISH_NOT_EMERGENCY, ordinary_in_english

FORMAT = 1
# Each language's model, by its file name in an index version.
FILES = {ENGLISH: "english-emergency-ngrams.json", SPANISH: "spanish-emergency-ngrams.json"}
# Chosen by leave-one-writer-out over the three blind Spanish sets' tuning halves (README, "Spanish"): a weak
# penalty (C=100) and balanced classes caught the most held-out writers' emergencies per false alarm. The English model
# takes the same setting, not chosen for it.
C = 100.0


def train(keys: Sequence[tuple[str, str]]) -> dict[str, NgramModel]:
    """The model of each language the semantic emergency check reads, by language, from every (label, text) an index
    holds (`chatbot.kb.index.keys_of`): so each model learns from exactly the keys the nearest-exemplar check meets."""

    def labelled(wanted: str) -> list[str]:
        return [text for label, text in keys if label == wanted]

    return {
        ENGLISH: fit(labelled(EMERGENCY), [text for label, text in keys if ordinary_in_english(label)]),
        SPANISH: fit(labelled(SPANISH_EMERGENCY), labelled(SPANISH_NOT_EMERGENCY)),
    }


def fit(emergency: Sequence[str], ordinary: Sequence[str]) -> NgramModel:
    """A logistic regression telling the emergency messages from the ordinary ones."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    texts = [*emergency, *ordinary]
    labels = [1] * len(emergency) + [0] * len(ordinary)
    counts = [ngrams(text) for text in texts]
    seen_in = Counter(gram for count in counts for gram in count)
    idf = {gram: math.log((1 + len(texts)) / (1 + df)) + 1 for gram, df in seen_in.items()}
    column = {gram: i for i, gram in enumerate(sorted(idf))}
    rows, cols, values = [], [], []
    for row, count in enumerate(counts):
        for gram, weight in features(count, idf).items():
            rows.append(row)
            cols.append(column[gram])
            values.append(weight)
    matrix = csr_matrix((values, (rows, cols)), shape=(len(texts), len(column)))
    fitted = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(matrix, labels)
    coef = {gram: float(fitted.coef_[0][i]) for gram, i in column.items()}
    return NgramModel(idf, coef, float(fitted.intercept_[0]))


def write_all(models: dict[str, NgramModel], folder: Path) -> dict[str, Path]:
    """Write each language's model into `folder` under its file name in an index version (`FILES`)."""
    for lang, model in models.items():
        write(model, folder / FILES[lang])
    return {FILES[lang]: folder / FILES[lang] for lang in models}


def write(model: NgramModel, path: Path) -> None:
    ngram = {gram: [round(model.idf[gram], 6), round(model.coef[gram], 6)] for gram in sorted(model.idf)}
    payload = {"format": FORMAT, "intercept": model.intercept, "ngrams": ngram}
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def read(path: Path) -> NgramModel:
    """The model written by `write`.

    Raises:
        ValueError: the file is not a model of this format.
    """
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"{path.name} is not an n-gram model of format {FORMAT}")
    ngram = raw["ngrams"]
    return NgramModel(
        {gram: float(pair[0]) for gram, pair in ngram.items()},
        {gram: float(pair[1]) for gram, pair in ngram.items()},
        float(raw["intercept"]),
    )
