"""Spam vocabulary: words of the trades that buy links most, in English, German and French.

Sources: the categories Google's spam policies and the web-spam literature name
(gambling, pharmacy, adult, payday loans, essay mills, replicas, miracle diets).
A page or anchor is scored by the share of its words found here, so one
mention in a long article weighs little. Words are lowercased stems matched as
whole words; keep them specific (no "free", "best", "online").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SPAM_WORDS: frozenset[str] = frozenset(
    """
    casino casinos poker roulette blackjack slots slot jackpot betting bet365 bookmaker sportsbook
    sportwetten wetten spielautomaten spielothek glücksspiel paris pari jeux
    viagra cialis levitra sildenafil tadalafil pharmacy pharmacie apotheke xanax tramadol
    oxycodone valium phentermine steroids
    porn porno xxx escort escorts sex camgirl webcam erotik dating
    payday loan loans lender kredit kredite sofortkredit schnellkredit prêt crédit
    essay essays dissertation homework ghostwriter ghostwriting hausarbeit
    replica replicas rolex counterfeit
    diet weightloss slimming keto abnehmen diät
    crypto bitcoin forex binary
    seo backlinks backlink
    """.split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


def spam_word_fraction(text: str) -> float:
    """Share of the words of ``text`` that are spam vocabulary (0 when there are no words).

    >>> spam_word_fraction("Best online casino bonus: casino slots today")
    0.42857142857142855
    >>> spam_word_fraction("")
    0.0
    """
    # Lowercased before it is cut when ASCII (the same words); else word by word, as lowercasing may add a
    # combining mark that would cut a word in two ("İ").
    words = _WORD.findall(text.lower()) if text.isascii() else [word.lower() for word in _WORD.findall(text)]
    if not words:
        return 0.0
    return sum(map(SPAM_WORDS.__contains__, words)) / len(words)


def spam_word_fractions(texts: Sequence[str]) -> np.ndarray:
    """``spam_word_fraction`` of many texts, counted only for those that hold a spam word at all.

    Which do is found column-wise in Arrow: an ASCII text whose lowercased
    words include a spam word holds it as a substring (the others are counted
    whatever they hold).

    >>> spam_word_fractions(["Best online casino bonus: casino slots today", "", "Glücksspiel heute"])
    array([0.42857143, 0.        , 0.5       ])
    """
    fractions = np.zeros(len(texts))
    plain = np.fromiter((text.isascii() for text in texts), dtype=bool, count=len(texts))
    holds = pc.match_substring_regex(pa.array(texts, type=pa.string()), _any_spam_word(), ignore_case=True)
    for row in np.flatnonzero(holds.to_numpy(zero_copy_only=False) | ~plain).tolist():
        fractions[row] = spam_word_fraction(texts[row])
    return fractions


@functools.cache
def _any_spam_word() -> str:
    return "|".join(sorted(re.escape(word) for word in SPAM_WORDS if word.isascii()))
