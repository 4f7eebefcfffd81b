"""The HTML report: one self-contained file a user opens in any browser, offline."""

from __future__ import annotations

import html
from collections import Counter

import pandas as pd

from toxiclinks import __version__, schema
from toxiclinks.disavow import DisavowPlan

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
color:#1d232b;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;font-size:1.2rem}
.muted{color:#5b6673}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d8dee6;border-radius:8px;padding:.8rem 1.1rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%;font-size:13.5px}th,td{border-bottom:1px solid #e3e8ee;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f4f6f9}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.artificial{color:#b42318;font-weight:600}.natural{color:#067647}.unknown{color:#5b6673}
.bar{display:inline-block;height:.7rem;background:#d92d20;border-radius:2px;vertical-align:middle}
pre{background:#f4f6f9;padding:.8rem;border-radius:6px;overflow:auto}
td.url{word-break:break-all;max-width:28rem}
"""


def report_html(scores: pd.DataFrame, plan: DisavowPlan, export_name: str, features: pd.DataFrame | None = None) -> str:
    """Render the report: summary counts, the links most likely artificial first, what was not read,
    the anchors of the profile, and the disavow file's contents. Everything from pages and exports is escaped.
    """
    labels = Counter(scores[schema.LABEL])
    esc = html.escape
    cards = "".join(
        f'<div class="card"><b>{value:,}</b>{esc(name)}</div>'
        for name, value in (
            ("backlinks", len(scores)),
            ("artificial", labels.get(schema.LABEL_ARTIFICIAL, 0)),
            ("natural", labels.get(schema.LABEL_NATURAL, 0)),
            ("not read", labels.get(schema.LABEL_UNKNOWN, 0)),
            ("to disavow", int(scores[schema.DISAVOW].sum())),
        )
    )
    ordered = scores.sort_values(schema.PROBABILITY, ascending=False, na_position="last")
    rows = []
    for row in ordered.itertuples(index=False):
        probability = getattr(row, schema.PROBABILITY)
        shown = "" if pd.isna(probability) else f"{probability:.2f}"
        width = 0 if pd.isna(probability) else int(60 * probability)
        label = getattr(row, schema.LABEL)
        rows.append(
            "<tr>"
            f'<td class="url">{esc(getattr(row, schema.SOURCE_URL))}</td>'
            f"<td>{esc(str(getattr(row, schema.ANCHOR)))}</td>"
            f'<td class="num">{shown} <span class="bar" style="width:{width}px"></span></td>'
            f'<td class="{esc(label)}">{esc(label)}</td>'
            f"<td>{esc(str(getattr(row, schema.REASONS)))}</td>"
            f"<td>{esc(str(getattr(row, schema.DECISION)))}</td>"
            "</tr>"
        )
    anchors = Counter(a if a else "(empty)" for a in scores[schema.ANCHOR].astype(str))
    anchor_rows = "".join(
        f'<tr><td>{esc(anchor)}</td><td class="num">{count}</td>'
        f'<td><span class="bar" style="width:{int(300 * count / len(scores))}px"></span></td></tr>'
        for anchor, count in anchors.most_common(15)
    )
    unread = scores[scores[schema.LABEL] == schema.LABEL_UNKNOWN]
    unread_rows = (
        "".join(
            f'<tr><td class="url">{esc(getattr(r, schema.SOURCE_URL))}</td>'
            f"<td>{esc(getattr(r, schema.FETCH_STATUS))}</td></tr>"
            for r in unread.itertuples(index=False)
        )
        or '<tr><td colspan="2">every referring page was read</td></tr>'
    )
    disavow = esc("\n".join(plan.lines())) or "(empty)"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>toxiclinks report: {esc(export_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body>
<h1>Backlink audit</h1>
<p class="muted">{esc(export_name)} · toxiclinks {esc(__version__)}</p>
<div class="cards">{cards}</div>
<h2>Links, most likely artificial first</h2>
<table><thead><tr><th>Referring page</th><th>Anchor</th><th>Probability</th><th>Label</th><th>Reasons</th>
<th>Decision</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>Anchor texts of the profile</h2>
<table><thead><tr><th>Anchor</th><th>Links</th><th></th></tr></thead><tbody>{anchor_rows}</tbody></table>
<h2>Pages not read</h2>
<table><thead><tr><th>Referring page</th><th>Why</th></tr></thead><tbody>{unread_rows}</tbody></table>
<h2>Disavow file</h2>
<pre>{disavow}</pre>
</body></html>
"""
