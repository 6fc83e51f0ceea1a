"""Which encoding a text file from outside is in, and its text.

Suppliers' billing systems, banks and operators send text files in whatever their system writes:
UTF-8 (with or without a BOM), UTF-16 from Excel's "Unicode text", Windows-1251 or DOS 866 from
Russian systems, Windows-1252 or ISO-8859-15 from German, Swiss or Dutch ones. Nothing in a
legacy 8-bit file says which: the same bytes read as "Müller" in Windows-1252 and "Mьller" in
Windows-1251. So the order is:

1. an encoding the caller names (a mapping profile's) is used as is, strictly;
2. a byte order mark says UTF-8 or UTF-16; text with every other byte NUL is UTF-16 without one;
3. bytes that are valid UTF-8 are UTF-8;
4. else each legacy candidate is tried, `charset-normalizer` measures how much of a mess each
   reading is, and words that mix Latin and Cyrillic letters (what a wrong code page makes of
   accented letters) count against a reading; the cleanest wins, and on a tie — a short file
   whose few accented letters read plausibly either way — the caller's default (a tenant's)
   wins, said so in the note.

`Decoded.note` is the sentence an import's report shows ("read as Windows-1252 (detected)").
"""

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

LEGACY = ("cp1251", "cp1252", "cp866", "iso8859_15")
SAMPLE_BYTES = 1 << 20
NAMES = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1251": "Windows-1251",
    "cp1252": "Windows-1252",
    "cp866": "DOS 866",
    "iso8859_15": "ISO-8859-15",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A word with a Latin and a Cyrillic letter side by side: "Mьller", "Stra\u0431e".
_MIXED = re.compile(r"[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")


class EncodingError(ValueError):
    """The bytes are not text in any encoding we read (or not in the one named)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name: utf-8, utf-16, cp1251, cp1252, cp866, iso8859_15
    detected: bool = False  # True when chosen among legacy code pages by their reading
    by_default: bool = False  # True when detection could not tell and the default decided

    @property
    def name(self) -> str:
        return encoding_name(self.encoding)

    @property
    def note(self) -> str:
        """How the file was read, for its import report ("" for UTF-8 and named encodings)."""
        if self.by_default:
            return f"read as {self.name}, the default (the file's letters read either way)"
        if self.detected:
            return f"read as {self.name} (detected)"
        return ""


def encoding_name(encoding: str) -> str:
    key = codecs.lookup(encoding).name if encoding else ""
    aliases = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}
    key = aliases.get(key, key)
    return NAMES.get(key, encoding)


def encoding_known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def decode_text(data: bytes, *, encoding: str | None = None, default: str | None = None) -> Decoded:
    """The text of `data` and the encoding it was read in (see the module docstring);
    EncodingError when it is binary or not text in any encoding tried."""
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingError(f"cannot be read as {encoding}: {exc}") from exc
        return Decoded(text.removeprefix("\ufeff"), encoding)
    unicode = _unicode(data)
    if unicode is not None:
        return unicode
    return _legacy(data, default)


def _unicode(data: bytes) -> Decoded | None:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _clean(data[3:].decode("utf-8"), "utf-8")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"starts as UTF-8 but is not: {exc}") from exc
    utf16 = utf16_codec(data)
    if utf16 is not None:
        try:
            return _clean(data.decode(utf16).removeprefix("\ufeff"), "utf-16")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"starts as UTF-16 but is not: {exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _clean(text, "utf-8")


def utf16_codec(data: bytes) -> str | None:
    """utf-16 (with its BOM), utf-16-le/-be when every other byte of an ASCII-heavy text is
    NUL, else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4000]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _clean(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise EncodingError("the file holds control characters: it is not a text file")
    return Decoded(text, encoding)


def _legacy(data: bytes, default: str | None) -> Decoded:
    """The code pages are told apart on the first SAMPLE_BYTES (a million-line charge file is
    not read four times over); the best reading of the sample then reads the whole file."""
    candidates = list(dict.fromkeys([*([default] if default else []), *LEGACY]))
    sample = data[:SAMPLE_BYTES]
    readings: dict[str, str] = {}
    for candidate in candidates:
        try:
            text = sample.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _CONTROL.search(text):
            readings[candidate] = text
    chaos = {match.encoding: match.chaos for match in from_bytes(sample, cp_isolation=[*readings])}
    scores = {
        candidate: (len(_MIXED.findall(text)), round(chaos.get(_codec(candidate), 1.0), 2))
        for candidate, text in readings.items()
    }
    ranked = sorted(readings, key=scores.__getitem__)  # stable: the default first on a tie
    tied = [candidate for candidate in ranked if scores[candidate] == scores[ranked[0]]]
    whole = len(data) <= SAMPLE_BYTES  # the sample is the file
    for candidate in ranked:
        try:
            text = readings[candidate] if whole else data.decode(candidate)
        except UnicodeDecodeError:
            continue  # a byte past the sample this code page does not have
        if whole or not _CONTROL.search(text):
            by_default = len(tied) > 1 and candidate == default and candidate in tied
            return Decoded(text, candidate, detected=not by_default, by_default=by_default)
    raise EncodingError(
        "unreadable encoding: the file is neither UTF-8, UTF-16 nor a Windows/DOS code page"
    )


def _codec(candidate: str) -> str:
    """charset-normalizer's name for a candidate (it reports Python codec names)."""
    return codecs.lookup(candidate).name.replace("-", "_")
