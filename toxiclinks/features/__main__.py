"""``python -m toxiclinks.features``: print the feature schema as Markdown (docs/features.md)."""

from toxiclinks.features import features_markdown

print(features_markdown(), end="")
