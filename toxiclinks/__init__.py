"""toxiclinks: find the artificial backlinks in a link profile and write the disavow file.

The pipeline, one module per stage::

    exports.read_export -> fetch.fetch_pages -> features.build_features
        -> score.score_links -> disavow.decide / plan_disavow -> report.report_html

``scan`` runs them in order:

>>> from pathlib import Path
>>> import toxiclinks
>>> example = Path("data/example")
>>> result = toxiclinks.scan(example / "backlinks.csv",
...                          toxiclinks.Settings(pages_path=example / "pages.warc.gz", offline=True))
>>> len(result.scores), len(result.plan.domains)
(21, 7)

The names below are imported on first use, so ``import toxiclinks`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "Settings": "toxiclinks.settings",
    "ToxiclinksError": "toxiclinks.errors",
    "scan": "toxiclinks.pipeline",
    "write_outputs": "toxiclinks.pipeline",
    "read_export": "toxiclinks.exports",
    "read_disavow": "toxiclinks.disavow",
    "merge_disavow": "toxiclinks.disavow",
    "fetch_pages": "toxiclinks.fetch",
    "build_features": "toxiclinks.features",
    "load_model": "toxiclinks.model",
    "page_spam_probabilities": "toxiclinks.model",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'toxiclinks' has no attribute {name!r}")
