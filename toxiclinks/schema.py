"""Column names of the tables that pass between stages, defined once.

Every stage reads and writes these names, so no stage guesses another's.
The tables are plain pandas DataFrames:

* links table (``exports.read_export``): one row per backlink of the export;
* features table (``features.build_features``): one row per backlink, same index;
* scores table (``score.score_links``): one row per backlink, same index.
"""

from __future__ import annotations

# --- links table -----------------------------------------------------------
SOURCE_URL = "source_url"  #: referring page URL, normalised
TARGET_URL = "target_url"  #: the user's page the link points to ("" when unknown)
ANCHOR = "anchor"  #: anchor text as the export gives it ("" when unknown)
EXPORT_NOFOLLOW = "export_nofollow"  #: rel flags as the export gives them (nullable bool)
EXPORT_SPONSORED = "export_sponsored"
EXPORT_UGC = "export_ugc"
FIRST_SEEN = "first_seen"  #: text, as the export gives it
LAST_SEEN = "last_seen"
EXPORT_IP = "export_ip"  #: the referring site's IP address, where the export gives it ("" otherwise)
EXPORT_LOST = "export_lost"  #: the export marks the link as lost (nullable bool)
EXPORT_ROW = "export_row"  #: 1-based data row number in the export file
EXPORT_FORMAT = "export_format"  #: which tool wrote the export ("ahrefs", "url-list", ...)
EXPORT_LEVEL = "export_level"  #: "link", or "domain" when each row is a referring domain (scored via its home page)
EXPORT_RAW = "export_raw"  #: the export's row as JSON, header -> cell, kept for the report
#: the export's own metrics follow as ``metric_<name>`` float columns (domain_rating, trust_flow, spam_score, ...)

LINK_COLUMNS = [
    SOURCE_URL,
    TARGET_URL,
    ANCHOR,
    EXPORT_NOFOLLOW,
    EXPORT_SPONSORED,
    EXPORT_UGC,
    FIRST_SEEN,
    LAST_SEEN,
    EXPORT_IP,
    EXPORT_LOST,
    EXPORT_ROW,
    EXPORT_FORMAT,
    EXPORT_LEVEL,
    EXPORT_RAW,
]

# --- fetch results (per referring page) -------------------------------------
FETCH_STATUS = "fetch_status"  #: "ok", "http_404", "error:timeout", "not_fetched", ...
HTTP_STATUS = "http_status"  #: HTTP status code, missing when no response

# --- scores table -------------------------------------------------------------
PROBABILITY = "probability"  #: calibrated-ish probability that the link is artificial
LABEL = "label"  #: "artificial", "natural" or "unknown" (page could not be read)
REASONS = "reasons"  #: short human-readable text, "; "-separated
LEVEL = "level"  #: "link", or "domain" for a referring domain scored through its home page
DISAVOW = "disavow"  #: bool, whether the link's URL or domain went into the disavow file
DECISION = "decision"  #: why it was or was not disavowed

LABEL_ARTIFICIAL = "artificial"
LABEL_NATURAL = "natural"
LABEL_UNKNOWN = "unknown"

SCORE_COLUMNS = [
    SOURCE_URL,
    TARGET_URL,
    ANCHOR,
    PROBABILITY,
    LABEL,
    REASONS,
    FETCH_STATUS,
    LEVEL,
    DISAVOW,
    DECISION,
]
