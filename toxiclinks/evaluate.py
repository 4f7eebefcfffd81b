"""Evaluate a model on labelled links: metrics as text, plots as PNG, and a self-contained HTML page.

Plots need matplotlib (``pip install 'toxiclinks[plots]'``); the metrics do not.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

from toxiclinks.errors import ToxiclinksError
from toxiclinks.files import write_atomic

PLOTS = ("roc", "precision_recall", "calibration")


def plot_pngs(labels: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, bytes]:
    """ROC curve, precision-recall curve and calibration plot, as PNG bytes."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ToxiclinksError("plots need matplotlib: pip install 'toxiclinks[plots]'") from None
    pngs: dict[str, bytes] = {}
    false_positive, true_positive, _ = roc_curve(labels, probability)
    precision, recall, _ = precision_recall_curve(labels, probability)
    bins = np.clip((probability * 10).astype(int), 0, 9)
    present = [b for b in range(10) if (bins == b).any()]
    for name in PLOTS:
        figure, axes = plt.subplots(figsize=(4.2, 4.0), dpi=110)
        if name == "roc":
            axes.plot(false_positive, true_positive, color="#b42318")
            axes.plot([0, 1], [0, 1], color="#98a2b3", linestyle="--", linewidth=1)
            axes.set(xlabel="false-positive rate", ylabel="true-positive rate", title="ROC curve")
        elif name == "precision_recall":
            axes.plot(recall, precision, color="#b42318")
            axes.set(xlabel="recall", ylabel="precision", title="Precision and recall", ylim=(0, 1.02))
        else:
            axes.plot([0, 1], [0, 1], color="#98a2b3", linestyle="--", linewidth=1)
            axes.plot(
                [probability[bins == b].mean() for b in present],
                [labels[bins == b].mean() for b in present],
                marker="o",
                color="#b42318",
            )
            axes.axvline(threshold, color="#475467", linewidth=1, linestyle=":")
            axes.set(
                xlabel="predicted probability",
                ylabel="share artificial",
                title="Calibration",
                xlim=(0, 1),
                ylim=(0, 1.02),
            )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        pngs[name] = buffer.getvalue()
    return pngs


def write_plots(pngs: dict[str, bytes], folder: Path) -> list[Path]:
    """Write the PNGs into ``folder`` (created when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in pngs.items():
        path = folder / f"{name}.png"
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        paths.append(path)
    return paths


def evaluation_html(metrics: dict[str, Any], pngs: dict[str, bytes], title: str) -> str:
    """A self-contained page: the metrics, the confusion matrix, the calibration table and the plots inline."""
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    images = "".join(
        f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        for name, data in pngs.items()
    )
    rows = "".join(
        f"<tr><td>{html.escape(str(row['bin']))}</td><td>{row['links']}</td><td>{row['mean_probability']:.2f}</td>"
        f"<td>{row['artificial_share']:.2f}</td></tr>"
        for row in metrics["calibration"]
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d232b}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border:1px solid #d8dee6;padding:.3rem .6rem}}
img{{margin:.3rem;border:1px solid #e3e8ee}}</style></head><body>
<h1>{html.escape(title)}</h1>
<table><tr><th>ROC AUC</th><th>PR AUC</th><th>threshold</th><th>precision</th><th>recall</th>
<th>false positives on natural links</th><th>Brier</th><th>calibration error</th></tr>
<tr><td>{metrics["roc_auc"]:.3f}</td><td>{metrics["pr_auc"]:.3f}</td><td>{metrics["threshold"]:.3f}</td>
<td>{metrics["precision"]:.3f}</td><td>{metrics["recall"]:.3f}</td><td>{metrics["false_positive_rate"]:.3f}</td>
<td>{metrics["brier"]:.3f}</td><td>{metrics["expected_calibration_error"]:.3f}</td></tr></table>
<h2>Confusion matrix</h2>
<table><tr><th></th><th>labelled natural</th><th>labelled artificial</th></tr>
<tr><th>predicted natural</th><td>{tn}</td><td>{fn}</td></tr>
<tr><th>predicted artificial</th><td>{fp}</td><td>{tp}</td></tr></table>
<h2>Calibration</h2>
<table><tr><th>probability</th><th>links</th><th>mean probability</th><th>share artificial</th></tr>{rows}</table>
<div>{images}</div>
</body></html>
"""


def write_evaluation_html(path: Path, metrics: dict[str, Any], pngs: dict[str, bytes], title: str) -> None:
    """Write the evaluation page atomically."""
    write_atomic(path, evaluation_html(metrics, pngs, title))
