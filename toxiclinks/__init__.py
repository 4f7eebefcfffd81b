"""toxiclinks: find the artificial backlinks in a link profile and write the disavow file.

The pipeline, one module per stage::

    exports.read_export -> fetch.fetch_pages -> features.build_features
        -> score.score_links -> disavow.write_disavow / report.write_report

``pipeline.scan`` runs them in order.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
