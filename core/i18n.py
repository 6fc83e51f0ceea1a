"""Texts of printed documents in the document's language, not the request's: a table of
gettext-marked texts (`gettext_lazy`/`pgettext_lazy`) read under `translation.override`.

Catalogs are fixed while a process runs, so each language's reading is computed once; callers
get a fresh copy they may change."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.utils import translation


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
