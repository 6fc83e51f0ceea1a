"""Texts of printed documents in the document's language, not the request's: a table of
gettext-marked texts (`gettext_lazy`/`pgettext_lazy`) read under `translation.override`.

Catalogs are fixed while a process runs, so each language's reading is computed once; callers
get a fresh copy they may change."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext_lazy


class Texts:
    """`Texts({"title": pgettext_lazy("receipt", "Payment receipt"), …})["de"]` → a dict of
    plain strings in German. Values may nest lists and dicts of texts."""

    def __init__(self, texts: Mapping[str, Any]):
        self._texts = texts
        self._read = lru_cache(maxsize=16)(self._read_in)

    def __getitem__(self, language: str) -> dict[str, Any]:
        return _copy(self._read(language))

    def _read_in(self, language: str) -> dict[str, Any]:
        with translation.override(language):
            return _resolve(self._texts)


def _resolve(value):
    if isinstance(value, Mapping):
        return {key: _resolve(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(item) for item in value]
    return str(value)


def _copy(value):
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


# --- units of measure ---------------------------------------------------------------------------

# The codes a service's or a charge's `unit` holds (as the supplier files and the classifier
# write them) and how people read them; an unknown code prints as it is.
UNIT_LABELS: Mapping[str, Any] = {
    "m3": pgettext_lazy("unit", "m³"),
    "m2": pgettext_lazy("unit", "m²"),
    "Gcal": pgettext_lazy("unit", "Gcal"),
    "kWh": pgettext_lazy("unit", "kWh"),
    "person": pgettext_lazy("unit", "pers."),
}

UNITS = Texts(UNIT_LABELS)


def unit_label(code: str, language: str | None = None) -> str:
    """A unit code as people read it: "m3" → "м³" (ru) / "m³" (en), "kWh" → "кВт·ч"; in the
    active language unless `language` is given; an unknown code unchanged, "" for none."""
    if not code:
        return ""
    if language is not None:
        return UNITS[language].get(code, code)
    label = UNIT_LABELS.get(code)
    return str(label) if label is not None else code
