"""Write the model card (``models/README.md``) from a model's manifest, so card and model never disagree."""

from __future__ import annotations

from typing import Any

from toxiclinks.synthetic import TRANSFORMATIONS


def model_card(manifest: dict[str, Any], triage: dict[str, Any] | None = None) -> str:
    """Render the model card in Markdown from the manifests ``train_default`` writes."""
    m = manifest["metrics"]
    rows = manifest["training_rows"]
    schemes = "\n".join(
        f"| `{t.__name__}` | {(t.__doc__ or '').strip().splitlines()[0]} | {rows.get(t.__name__, 0)} | "
        f"{m['link_recall_by_scheme'].get(t.__name__, float('nan')):.2f} |"
        for t in TRANSFORMATIONS
    )
    calibration = "\n".join(
        f"| {row['bin']} | {row['links']} | {row['mean_probability']:.2f} | {row['artificial_share']:.2f} |"
        for row in m["link_calibration"]
    )
    natural = m["link_examples"] - m["link_artificial"]
    return f"""# Model card: toxiclinks default model

`default.joblib` (SHA-256 `{manifest["sha256"]}`), trained on {manifest["trained_on"]} with scikit-learn
{manifest["scikit_learn_version"]}, feature schema {manifest["feature_schema_version"]}. This card is written by
`python -m toxiclinks.train --shared ../shared`, which also writes the model and `default.manifest.json`; the
numbers below come from that run.

## What it does

It gives each backlink a probability of being artificial (bought, exchanged or automated) from what its referring
page shows. Links at or above **{manifest["threshold"]}** are labelled artificial. The threshold favours
precision: it is the lowest at which out-of-fold precision reaches {m["link_target_precision"]:.0%}, because
wrongly disavowing a good link costs more than missing a bad one.

## Design

Two stages, both scikit-learn:

1. **Page model**: gradient boosting (`HistGradientBoostingClassifier`, isotonic calibration) over the six classic
   content features of a page (words, title words, average word length, anchor-text fraction, visible-text fraction,
   compression ratio; Ntoulas et al. 2006, Castillo et al. 2007). It is trained on real human labels and gives the
   probability that a page is web spam. Usable alone: `toxiclinks.model.page_spam_probability(model.page_model_, df)`.
2. **Link model**: logistic regression on imputed, standardised inputs: the page model's probability,
   main-content length, outbound-link density, distinct linked sites, spam vocabulary of page and anchor, links to
   the target, hidden link, image link, placement (main content, comments, footer, navigation, sidebar, header,
   elsewhere) and anchor class. A linear model was chosen so that every link's reasons are its exact per-signal
   contributions; its probabilities are then calibrated by an isotonic map fitted on out-of-fold predictions.
   Signals marked in `docs/features.md` as not used (topic similarity, URL shape, profile) cannot be learned from
   this data: each artificial example is a twin of a natural one on the same page, URL and profile. Models
   trained with `toxiclinks train` on your own labels use them.

## Training data

| source | rows | provenance | licence |
|---|---|---|---|
| WEBSPAM-UK2006 set 1 (`../shared/data/webspam-uk2006/train.csv`) | {rows["webspam_hosts"]} hosts, {rows["webspam_spam"]} spam | human judges' labels of UK hosts (2006), six content features of each home page | **CC BY-NC-SA 2.5**, © Università di Roma "La Sapienza" (DELIS project), collection by the Laboratory of Web Algorithmics, Università degli Studi di Milano |
| natural links (`../shared/corpus/real-pages`) | {rows.get("natural", 0)} links from {m["link_groups"]} pages | real editorial links in the article bodies of 110 real pages (news, blogs, shops; mostly German and English), collected by the trafilatura project | pages © their sites; used for training, not redistributed |
| artificial links | {m["link_artificial"]} links | the same pages, changed by the seeded transformations in `toxiclinks/synthetic.py` (one artificial twin per natural link) | as above |
| spam domain names (`../shared/data/referrer-spam/spammers.txt`) | used as the other links of directory pages and link blocks | Matomo's referrer-spam list | public domain |

**Licence of the model: because the page model is trained on WEBSPAM-UK2006, the shipped model inherits CC BY-NC-SA
2.5: non-commercial use, with attribution, shared alike.** Retrain without `--with-default-data` on your own labels
for a model free of that condition.

No public data set labels individual backlinks: what exists labels hosts (WEBSPAM) and domains (spam lists). The
link-level labels here are therefore made, not observed: each artificial example imitates one scheme of Google's
link-spam policy, applied to a real page whose real editorial link is the natural twin.

| transformation | scheme imitated | rows | recall at the threshold (held out) |
|---|---|---|---|
{schemes}

SHA-256 of the training files: `{manifest["training_data_sha256"]}`.

## Metrics on data never used in training

| part | split | ROC AUC | PR AUC | precision | recall | false positives on natural links |
|---|---|---|---|---|---|---|
| page model | 25% of WEBSPAM held out, grouped by registered domain ({m["page_test_hosts"]} hosts, {m["page_test_spam"]} spam) | {m["page_roc_auc"]:.3f} | {m["page_pr_auc"]:.3f} | | | |
| link model | 5-fold, grouped by source page ({m["link_examples"]} links, {m["link_groups"]} pages), calibrated out of fold | {m["link_roc_auc"]:.3f} | {m["link_pr_auc"]:.3f} | {m["link_precision"]:.3f} | {m["link_recall"]:.3f} | {m["link_false_positive_rate"]:.3f} |

Expected false-positive rate on natural editorial links at the default threshold: about
**{100 * m["link_false_positive_rate"]:.1f}%** (out-of-fold, on the real pages; {natural} natural links).

Calibration, out of fold (Brier score {m["link_brier"]:.3f}, expected calibration error
{m["link_expected_calibration_error"]:.3f}):

| probability | links | mean probability | share artificial |
|---|---|---|---|
{calibration}
 Floors for these metrics live in
`tests/test_model_quality.py`; a retrain that lowers one fails the tests.

## Limits, in plain words

- The link model has never seen a real bought link: its artificial examples are transformations of real pages. It
  recognises the *shapes* of link schemes (link lists, footer and sidebar blocks, comment links, hidden links, spam
  vocabulary), not a paid post that looks exactly like an editorial one; keyword-rich advertorials are caught least.
- Every natural training link sits in an article body, so natural links elsewhere (a partner logo in a footer, a
  blogroll) look artificial to it. Review footer and sidebar verdicts before disavowing.
- The page model learned from UK home pages of 2006; today's spam differs. Its held-out ROC AUC is about
  {m["page_roc_auc"]:.2f}, so it is one signal among several, not a verdict.
- Probabilities are calibrated on a training set of one artificial link per natural one; in a real profile the share
  of artificial links differs, so a probability is "how much this looks like the schemes", not a frequency in
  your profile. Retrain on your own labels (`toxiclinks train`) to calibrate on your links.
- The spam vocabulary covers English, German and French.
""" + (_triage_section(triage) if triage else "")


def _triage_section(manifest: dict[str, Any]) -> str:
    m = manifest["metrics"]
    rows = manifest["training_rows"]
    return f"""
# The triage model (`toxiclinks scan --no-fetch`)

`triage.joblib` (SHA-256 `{manifest["sha256"]}`) scores links from the export alone, without reading any
page: the referring domain's name (character 3-4-grams), the URL's shape (subdomains, digits, hyphens, length,
free host, links-page path, pagination, top-level domain) and the anchor (class, length, spam vocabulary). It
never puts anything in the disavow file: it cannot see whether a link is still there or passes anything.

| source | rows | provenance | licence |
|---|---|---|---|
| natural | {rows["natural"]} | one outbound link of each real site linked from the 110 real pages of `../shared/corpus/real-pages`, with its real anchor | pages © their sites; used for training, not redistributed |
| artificial | {rows["artificial"]} | as many real spam domains of `../shared/data/referrer-spam/spammers.txt`, each given the scheme, subdomain prefix and path of a natural row (so only the domain name differs) and an anchor that is half the time commercial, half the time a real one | public domain |

Metrics on data never used in training: 5 folds grouped by referring domain, calibrated out of fold:
ROC AUC **{m["roc_auc"]:.3f}**, PR AUC {m["pr_auc"]:.3f}; at the threshold {m["threshold"]:.3f}: precision
{m["precision"]:.3f}, recall {m["recall"]:.3f}, false positives on natural links {m["false_positive_rate"]:.3f};
Brier score {m["brier"]:.3f}, expected calibration error {m["expected_calibration_error"]:.3f}.

Limits: its natural sites are sites that real articles link to (often well known), its artificial ones are
referrer spammers, which are not all link sellers; a bought link on an ordinary-looking domain looks natural to
it. Use it to sort a huge export before a full scan, not to disavow.
"""
