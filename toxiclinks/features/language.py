"""Language of a page: what it declares, else a vote of common function words (offline, no model to download)."""

from __future__ import annotations

import re
from collections import Counter

#: the most frequent function words of each language, chosen to be rare in the others
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is that for it with as was on are be this by at from have not or which".split()),
    "de": frozenset("der die und das ist nicht mit den von zu auf für sich ein eine dem des auch es im wird".split()),
    "fr": frozenset("le la les et des est une pour dans que qui pas sur sont avec du au par plus ce".split()),
    "es": frozenset("el la los las y que en es por una para con del se no al lo como más pero".split()),
    "it": frozenset("il di che la e è per una sono non gli del della con anche le ma si più nel".split()),
    "nl": frozenset("de het een en van is dat niet op te zijn met voor maar ook er aan bij dan".split()),
    "pt": frozenset("o a de que e do da em um para é com não uma os no se na por mais".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str, declared: str = "") -> str:
    """The page's language: its declaration when given, else the language whose function words it uses most.

    Returns "" when the text is too short to tell.

    >>> detect_language("Der Wasserkocher ist nicht für den Tee, sondern für die Suppe und das Ei.")
    'de'
    >>> detect_language("anything", declared="fr")
    'fr'
    >>> detect_language("Kettle")
    ''
    """
    if declared:
        return declared
    words = [word.lower() for word in _WORD.findall(text[:20000])]
    if len(words) < 8:
        return ""
    votes = Counter({language: sum(word in stopwords for word in words) for language, stopwords in STOPWORDS.items()})
    (best, count), *rest = votes.most_common()
    runner_up = rest[0][1] if rest else 0
    return best if count >= 3 and count > 1.5 * runner_up else ""
