"""The HTML report: one self-contained file (styles, charts and script inline) that opens offline in any browser.

Everything taken from pages and exports is escaped; the charts are inline SVG;
the tables sort on a click on their headers and filter as you type.
"""

from __future__ import annotations

import html
from collections import Counter

import numpy as np
import pandas as pd

from toxiclinks import __version__, schema
from toxiclinks.disavow import DisavowPlan, sites_of

_STYLE = """
:root{--red:#b42318;--green:#067647;--grey:#5b6673;--line:#e3e8ee;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232b}
main{max-width:1180px;margin:0 auto;padding:1.5rem 1.2rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{margin:2.2rem 0 .6rem;font-size:1.2rem}
.muted{color:var(--grey)}.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin-top:1rem}
.card{border:1px solid var(--line);border-radius:10px;padding:.7rem 1rem;min-width:8.5rem;background:#fff}
.card b{display:block;font-size:1.7rem;line-height:1.2}.card.bad b{color:var(--red)}.card.good b{color:var(--green)}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{border-bottom:1px solid var(--line);padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg);position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
th[data-sort]::after{content:" \\2195";color:#98a2b3}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.url{word-break:break-all;max-width:26rem}.artificial{color:var(--red);font-weight:600}
.natural{color:var(--green)}.unknown{color:var(--grey)}
.bar{display:inline-block;height:.65rem;background:var(--red);border-radius:2px;vertical-align:middle}
.tools{display:flex;gap:.6rem;margin:.4rem 0 .6rem}.tools input,.tools select{font:inherit;padding:.3rem .5rem;
border:1px solid #cfd6de;border-radius:6px}.tools input{flex:1}
details{border:1px solid var(--line);border-radius:8px;margin:.4rem 0;background:#fff}
summary{cursor:pointer;padding:.5rem .8rem;font-weight:600}details table{margin:0 0 .4rem}
pre{background:var(--bg);padding:.8rem;border-radius:8px;overflow:auto;max-height:24rem}
.charts{display:flex;gap:2rem;flex-wrap:wrap}.note{background:#fff7ed;border:1px solid #fed7aa;border-radius:8px;
padding:.5rem .8rem}
"""

_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th,column){
    th.dataset.sort='';
    th.addEventListener('click',function(){
      var body=table.tBodies[0],rows=Array.from(body.rows),up=th.dataset.dir!=='up';th.dataset.dir=up?'up':'down';
      rows.sort(function(a,b){var x=a.cells[column].dataset.value||a.cells[column].textContent,
        y=b.cells[column].dataset.value||b.cells[column].textContent,nx=parseFloat(x),ny=parseFloat(y);
        var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return up?c:-c;});
      rows.forEach(function(row){body.appendChild(row);});});});});
var search=document.getElementById('search'),label=document.getElementById('label');
function filter(){var q=search.value.toLowerCase(),l=label.value;
  document.querySelectorAll('#links tbody tr').forEach(function(row){
    row.hidden=!(row.textContent.toLowerCase().includes(q)&&(!l||row.dataset.label===l));});}
if(search){search.addEventListener('input',filter);label.addEventListener('change',filter);}
"""


#: rows shown in each table of the report; every link is in scores.csv whatever the size of the export
TABLE_ROWS = 5000
#: referring sites listed with their artificial links
SITE_ROWS = 500


#: the features ``ReportSummary.add`` looks at: the anchor classes, and each link's site
REPORT_FEATURES = ("anchor_class", "source_domain", "free_host")


class ReportSummary:
    """What the report shows, gathered chunk by chunk: memory is bounded by the table sizes, not the export.

    Counts, the score histogram and the anchor statistics cover every link;
    the tables keep the ``TABLE_ROWS`` links with the highest probability.
    Counts by anchor and by site are kept per chunk as arrays and summed
    together now and then (``_COMBINE_ROWS``): a Python loop over each chunk's
    distinct anchors and sites was a fifth of a million-link triage's writing.
    """

    def __init__(self, threshold: float | None = None) -> None:
        self.threshold = threshold
        self.total = 0
        self.labels: Counter[str] = Counter()
        self.disavowed = 0
        self.bins = [0] * 10
        self.anchor_classes: Counter[str] = Counter()
        self.unread_reasons: Counter[str] = Counter()
        self.top = pd.DataFrame()
        self.top_artificial = pd.DataFrame()
        self.unread = pd.DataFrame()
        self._anchor_counts: list[pd.Series] = []  #: links by anchor, spaces evened out, per chunk until combined
        self._site_counts: list[pd.DataFrame] = []  #: artificial links, highest probability, disavowed, by site

    def add(self, scores: pd.DataFrame, features: pd.DataFrame | None = None) -> None:
        """Add one chunk of the scores table (and its features, for the anchor classes)."""
        self.total += len(scores)
        _count_into(self.labels, scores[schema.LABEL])
        self.disavowed += int(scores[schema.DISAVOW].sum())
        probability = scores[schema.PROBABILITY].dropna().to_numpy(dtype=float)
        bins = np.clip((probability * 10).astype(int), 0, 9)
        for b, count in enumerate(np.bincount(bins, minlength=10)):
            self.bins[b] += int(count)
        if features is not None and "anchor_class" in features.columns:
            _count_into(self.anchor_classes, features["anchor_class"].dropna())
        self._anchor_counts.append(_evened_counts(scores[schema.ANCHOR].fillna("").astype(str)))
        artificial = (scores[schema.LABEL] == schema.LABEL_ARTIFICIAL).to_numpy()
        if artificial.any():
            chosen = scores[[schema.SOURCE_URL, schema.PROBABILITY, schema.DISAVOW]][artificial]
            sites = _sites(chosen, features)
            codes, distinct = pd.factorize(sites)
            highest = np.full(len(distinct), -np.inf)
            np.maximum.at(highest, codes, chosen[schema.PROBABILITY].to_numpy(dtype=float))
            per_site = {
                "links": np.bincount(codes, minlength=len(distinct)),
                "highest": highest,
                "disavowed": np.bincount(codes, chosen[schema.DISAVOW].to_numpy(dtype=float), minlength=len(distinct)),
            }
            self._site_counts.append(pd.DataFrame(per_site, index=pd.Index(distinct, dtype=object)))
            candidates = _above_last(self.top_artificial, chosen[schema.PROBABILITY])
            if candidates.any():
                new = scores.iloc[np.flatnonzero(artificial)[candidates]].assign(_site=sites.to_numpy()[candidates])
                self.top_artificial = _highest(self.top_artificial, new)
        if sum(map(len, self._anchor_counts)) + sum(map(len, self._site_counts)) > _COMBINE_ROWS:
            self._combine()
        unread = scores[scores[schema.LABEL] == schema.LABEL_UNKNOWN]
        self.unread_reasons.update(unread[schema.FETCH_STATUS].tolist())
        if len(self.unread) < TABLE_ROWS and len(unread):
            self.unread = pd.concat([self.unread, unread]).head(TABLE_ROWS)
        self.top = _highest(self.top, scores)

    def anchors(self) -> pd.Series:
        """Links by anchor text, spaces evened out (empty: "(empty)"), in order of first appearance."""
        self._combine()
        return self._anchor_counts[0] if self._anchor_counts else pd.Series(dtype="int64")

    def sites(self) -> pd.DataFrame:
        """By referring site, in order of first appearance: its artificial ``links``, their ``highest``
        probability, how many were ``disavowed``."""
        self._combine()
        if not self._site_counts:
            return pd.DataFrame({"links": [], "highest": [], "disavowed": []})
        return self._site_counts[0]

    def _combine(self) -> None:
        """Sum the chunks' counts into one table each (first appearance kept: groups in order of appearance)."""
        if len(self._anchor_counts) > 1:
            self._anchor_counts = [pd.concat(self._anchor_counts).groupby(level=0, sort=False).sum()]
        if len(self._site_counts) > 1:
            joined = pd.concat(self._site_counts).groupby(level=0, sort=False)
            self._site_counts = [joined.agg({"links": "sum", "highest": "max", "disavowed": "sum"})]


#: counts by anchor and by site kept per chunk, in rows, before they are summed together
_COMBINE_ROWS = 500_000


def _counts(values: pd.Series) -> pd.Series:
    """How many times each value occurs, values in order of first appearance."""
    codes, distinct = pd.factorize(values)
    return pd.Series(np.bincount(codes, minlength=len(distinct)), index=pd.Index(distinct, dtype=object))


def _evened_counts(anchors: pd.Series) -> pd.Series:
    """``_counts`` of the anchors with their spaces evened out (empty: "(empty)"), each chunk's distinct anchors
    evened as it is added: at the end of a million-row scan, evening the 134,000 distinct anchors cost 60 ms."""
    counts = _counts(anchors)
    evened = [" ".join(anchor.split()) or "(empty)" for anchor in counts.index.tolist()]
    return counts.groupby(np.asarray(evened, dtype=object), sort=False).sum()


def _sites(links: pd.DataFrame, features: pd.DataFrame | None) -> pd.Series:
    """``site_of`` each link's source: from the features' registered domain where it has one (all but links on
    shared platforms, whose site is their host)."""
    if features is None or not {"source_domain", "free_host"} <= set(features.columns):
        return pd.Series(sites_of(links[schema.SOURCE_URL].tolist()), index=links.index, dtype=object)
    sites = features.loc[links.index, "source_domain"].to_numpy(dtype=object, copy=True)
    on_platform = np.flatnonzero(features.loc[links.index, "free_host"].to_numpy(dtype=bool))
    if len(on_platform):
        sites[on_platform] = sites_of(links[schema.SOURCE_URL].iloc[on_platform].tolist())
    return pd.Series(sites, index=links.index, dtype=object)


def _count_into(counter: Counter[str], values: pd.Series) -> None:
    """Add each value's count to ``counter``, new values in order of first appearance (as ``update`` would)."""
    counts = _counts(values)
    for value, count in zip(counts.index.tolist(), counts.tolist(), strict=True):
        counter[value] += count


def _above_last(kept: pd.DataFrame, probability: pd.Series) -> np.ndarray:
    """Which of the new rows' probabilities could enter the ``TABLE_ROWS`` rows ``kept``: every one until the table
    is full, then those above its last row (a tie loses to it; any score beats an unscored last row)."""
    if len(kept) < TABLE_ROWS:
        return np.ones(len(probability), dtype=bool)
    last = kept[schema.PROBABILITY].iloc[-1]
    return (probability.notna() if pd.isna(last) else probability > last).to_numpy()


def _highest(kept: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The ``TABLE_ROWS`` rows with the highest probability of the rows ``kept`` so far and ``new`` ones (which
    come after them in the export): unscored last, ties in export order."""
    new = new[_above_last(kept, new[schema.PROBABILITY])]
    joined = pd.concat([table for table in (kept, new) if len(table)])
    return joined.sort_values(schema.PROBABILITY, ascending=False, na_position="last", kind="stable").head(TABLE_ROWS)


def report_html(
    scores: pd.DataFrame,
    plan: DisavowPlan,
    export_name: str,
    features: pd.DataFrame | None = None,
    threshold: float | None = None,
) -> str:
    """Render the report of one scores table (see ``render_report``)."""
    summary = ReportSummary(threshold)
    summary.add(scores, features)
    return render_report(summary, plan, export_name)


def render_report(summary: ReportSummary, plan: DisavowPlan, export_name: str) -> str:
    """Render the report: counts, the score distribution, artificial links by referring site, the links in a
    sortable and filterable table, the anchor texts of the profile, what was not read and why, and the disavow file.
    """
    esc = html.escape
    labels = summary.labels
    cards = "".join(
        f'<div class="card {kind}"><b>{value:,}</b>{esc(name)}</div>'
        for name, value, kind in (
            ("backlinks", summary.total, ""),
            ("artificial", labels.get(schema.LABEL_ARTIFICIAL, 0), "bad"),
            ("natural", labels.get(schema.LABEL_NATURAL, 0), "good"),
            ("not read", labels.get(schema.LABEL_UNKNOWN, 0), ""),
            ("links disavowed", summary.disavowed, "bad"),
            ("disavow lines", len(plan.domains) + len(plan.urls), ""),
        )
    )
    threshold = summary.threshold
    shown_threshold = f"{threshold:.2f}" if threshold is not None else "–"
    shown = (
        f'<p class="muted">The {len(summary.top):,} links most likely artificial of {summary.total:,}; '
        "every link is in the scores file.</p>"
        if summary.total > len(summary.top)
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>toxiclinks report: {esc(export_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body><main>
<h1>Backlink audit</h1>
<p class="muted">{esc(export_name)} · toxiclinks {esc(__version__)} · threshold {shown_threshold}</p>
<div class="cards">{cards}</div>
<h2>Score distribution</h2>
<div class="charts">{_histogram(summary.bins, threshold)}{_anchor_chart(summary.anchor_classes)}</div>
{_over_optimisation(summary.anchor_classes)}
<h2>Artificial links by referring site</h2>
{_by_site(summary)}
<h2>All links</h2>
{shown}<div class="tools"><input id="search" type="search" placeholder="Filter: URL, anchor, reason…">
<select id="label"><option value="">every label</option><option>artificial</option><option>natural</option>
<option>unknown</option></select></div>
{_links_table(summary.top)}
<h2>Anchor texts of the profile</h2>
{_anchor_table(summary.anchors(), summary.total)}
<h2>Pages not read</h2>
{_unread(summary)}
<h2>Disavow file</h2>
<pre>{esc(chr(10).join(plan.lines())) or "(empty)"}</pre>
<p class="muted">Probabilities come from the model named in the run; reasons are the signals that moved each link's
probability most. Links that pass no PageRank (nofollow, sponsored, ugc), links gone from their page, pages not read,
your own sites and your allowlist are never disavowed.</p>
</main><script>{_SCRIPT}</script></body></html>
"""


def _histogram(counts: list[int], threshold: float | None) -> str:
    """An SVG histogram of the probabilities in ten bins, artificial bars red, the threshold dashed."""
    top = max([*counts, 1])
    width, height, left, bottom = 420, 214, 34, 42
    bar = (width - left - 10) / 10
    parts = [
        f'<svg role="img" aria-label="score distribution" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="11" fill="#5b6673">'
    ]
    for b, count in enumerate(counts):
        h = (height - bottom - 12) * count / top
        x = left + b * bar
        colour = "#b42318" if threshold is not None and (b + 1) / 10 > threshold else "#98a2b3"
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - bottom - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" '
            f'fill="{colour}" rx="2"><title>{b / 10:.1f}–{(b + 1) / 10:.1f}: {count} links</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom - h - 3:.1f}" text-anchor="middle">{count}</text>'
            )
    for tick in range(0, 11, 2):
        parts.append(
            f'<text x="{left + tick * bar:.1f}" y="{height - bottom + 14}" text-anchor="middle">{tick / 10:.1f}</text>'
        )
    if threshold is not None:
        x = left + threshold * bar * 10
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="8" y2="{height - bottom}" stroke="#1d232b" '
            f'stroke-dasharray="4 3"/><text x="{x - 4:.1f}" y="16" text-anchor="end">threshold</text>'
        )
    caption = f'<text x="{left + 5 * bar:.1f}" y="{height - 8}" text-anchor="middle">probability artificial</text>'
    parts.append(caption + "</svg>")
    return "".join(parts)


_ANCHOR_CLASSES = ("brand", "url", "generic", "other", "partial", "exact", "empty")


def _anchor_chart(counts: Counter[str]) -> str:
    """An SVG bar chart of the anchor classes of the profile; money-keyword anchors in red."""
    if not counts:
        return ""
    total = max(sum(counts.values()), 1)
    rows = [(name, int(counts.get(name, 0))) for name in _ANCHOR_CLASSES]
    width, row_height = 360, 22
    parts = [
        f'<svg role="img" aria-label="anchor classes" width="{width}" height="{row_height * len(rows) + 24}" '
        f'font-size="12" fill="#1d232b"><text x="0" y="12" fill="#5b6673">anchor classes (share of read links)'
        "</text>"
    ]
    for number, (name, count) in enumerate(rows):
        y = 22 + number * row_height
        share = count / total
        colour = "#b42318" if name in ("exact", "partial") else "#475467"
        parts.append(
            f'<text x="0" y="{y + 12}">{name}</text><rect x="70" y="{y + 2}" width="{220 * share:.1f}" '
            f'height="13" fill="{colour}" rx="2"/><text x="{76 + 220 * share:.1f}" y="{y + 12}">'
            f"{share:.0%}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _over_optimisation(counts: Counter[str]) -> str:
    if not counts:
        return ""
    money = (counts.get("exact", 0) + counts.get("partial", 0)) / sum(counts.values())
    if money < 0.3:
        return ""
    return (
        f'<p class="note">{money:.0%} of the read links use keyword anchors (exact or partial match). Natural '
        "profiles are mostly brand, URL and generic anchors; a share this high is what link schemes leave.</p>"
    )


def _by_site(summary: ReportSummary) -> str:
    esc = html.escape
    sites = summary.sites()
    if not len(sites):
        return '<p class="muted">No link was labelled artificial.</p>'
    blocks = []
    rows_by_site = _rows_by_site(summary.top_artificial)
    ranked = sites.sort_values("highest", ascending=False, kind="stable")
    listed = ranked.head(SITE_ROWS)
    for site, count, highest, disavowed in zip(
        listed.index.tolist(),
        listed["links"].tolist(),
        listed["highest"].tolist(),
        listed["disavowed"].tolist(),
        strict=True,
    ):
        rows = "".join(rows_by_site.get(site, ()))
        count, disavowed = int(count), int(disavowed)
        blocks.append(
            f"<details><summary>{esc(str(site))} · {count} artificial link{'s' * (count > 1)}, "
            f"highest {highest:.2f}, {disavowed} disavowed</summary>"
            "<table><thead><tr><th>Referring page</th><th>Anchor</th><th>Probability</th><th>Reasons</th>"
            f"<th>Decision</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    if len(ranked) > SITE_ROWS:
        blocks.append(f'<p class="muted">…and {len(ranked) - SITE_ROWS:,} more sites: see the scores file.</p>')
    return "".join(blocks)


def _rows_by_site(top_artificial: pd.DataFrame) -> dict[str, list[str]]:
    """The table rows of the listed artificial links, by site, in the table's order (one pass over it)."""
    esc = html.escape
    rows: dict[str, list[str]] = {}
    if not len(top_artificial):
        return rows
    columns = ("_site", schema.SOURCE_URL, schema.ANCHOR, schema.PROBABILITY, schema.REASONS, schema.DECISION)
    for site, url, anchor, probability, reasons, decision in zip(
        *(top_artificial[column].tolist() for column in columns), strict=True
    ):
        rows.setdefault(site, []).append(
            f'<tr><td class="url">{esc(str(url))}</td><td>{esc(str(anchor))}</td>'
            f'<td class="num">{probability:.2f}</td><td>{esc(str(reasons))}</td><td>{esc(str(decision))}</td></tr>'
        )
    return rows


def _links_table(scores: pd.DataFrame) -> str:
    esc = html.escape
    rows = []
    columns = (schema.SOURCE_URL, schema.ANCHOR, schema.LABEL, schema.REASONS, schema.DECISION)
    probabilities = scores[schema.PROBABILITY].to_numpy(dtype=float, na_value=np.nan).tolist() if len(scores) else []
    # column by column, not itertuples: the report of a large export shows TABLE_ROWS links, 115 -> 63 ms
    for probability, url, anchor, label, reasons, decision in zip(
        probabilities, *(map(str, scores[column].tolist()) for column in columns), strict=True
    ):
        missing = probability != probability  # NaN
        value = -1.0 if missing else probability
        shown = "" if missing else f"{probability:.2f}"
        rows.append(
            f'<tr data-label="{esc(label)}"><td class="url">{esc(url)}</td><td>{esc(anchor)}</td>'
            f'<td class="num" data-value="{value}">{shown} <span class="bar" style="width:{int(50 * max(value, 0))}px">'
            f'</span></td><td class="{esc(label)}">{esc(label)}</td><td>{esc(reasons)}</td>'
            f"<td>{esc(decision)}</td></tr>"
        )
    return (
        '<table id="links" class="sortable"><thead><tr><th>Referring page</th><th>Anchor</th><th>Probability</th>'
        f"<th>Label</th><th>Reasons</th><th>Decision</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _most_common(counts: pd.Series, top: int) -> list[tuple[str, int]]:
    """The ``top`` largest counts, ties in order of first appearance (as ``Counter.most_common`` orders them)."""
    largest = counts.sort_values(ascending=False, kind="stable").head(top)
    return list(zip(largest.index.tolist(), largest.tolist(), strict=True))


def _anchor_table(anchors: pd.Series, total: int) -> str:
    esc = html.escape
    total = max(total, 1)
    rows = "".join(
        f'<tr><td>{esc(anchor)}</td><td class="num">{count}</td><td class="num" data-value="{count / total}">'
        f'{count / total:.0%} <span class="bar" style="width:{int(200 * count / total)}px"></span></td></tr>'
        for anchor, count in _most_common(anchors, 20)
    )
    return (
        '<table class="sortable"><thead><tr><th>Anchor</th><th>Links</th><th>Share of the profile</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _unread(summary: ReportSummary) -> str:
    esc = html.escape
    count = sum(summary.unread_reasons.values())
    if not count:
        return '<p class="muted">Every referring page was read.</p>'
    reasons = ", ".join(f"{esc(str(status))}: {n}" for status, n in summary.unread_reasons.most_common())
    rows = "".join(
        f'<tr><td class="url">{esc(str(r[schema.SOURCE_URL]))}</td><td>{esc(str(r[schema.FETCH_STATUS]))}</td></tr>'
        for _, r in summary.unread.iterrows()
    )
    return (
        f"<p>{count} pages could not be read, so their links were not judged and not disavowed "
        f'({reasons}).</p><table class="sortable"><thead><tr><th>Referring page</th><th>Why</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
