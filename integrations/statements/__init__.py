"""Bank statements (ISO 20022 camt.053/camt.054, SWIFT MT940, 1CClientBankExchange) → the booked
credits and debits as `Statement`/`StatementCredit`/`StatementDebit`. Pure adapters: no models,
no domain apps."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import replace

from core.encodings import utf16_codec

from .camt import parse_camt, parse_camt_accounts
from .mt940 import parse_mt940
from .one_c_statement import parse_1c_statement
from .types import Statement, StatementCredit, StatementDebit, StatementError

__all__ = [
    "statement_files",
    "Statement",
    "StatementCredit",
    "StatementDebit",
    "StatementError",
    "detect_format",
    "parse_1c_statement",
    "parse_camt",
    "parse_mt940",
    "parse_statement",
    "parse_statements",
]

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MT940_TAG_RE = re.compile(rb"(?m)^:(20|25|61):")
_ONE_C_MAGIC = "1CClientBankExchange"


def detect_format(data: bytes) -> str:
    """ "xml", "mt940", "1c" or "" from the content alone."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    data = _LONE_CR.sub(b"\n", data) if b"\r" in data and not head.startswith(b"<") else data
    if head.startswith(b"<") or data[:2] in _UTF16_BOMS and not _utf16_to_utf8(data)[1]:
        return "xml"
    if head.startswith(_ONE_C_MAGIC.encode("ascii")):
        return "1c"
    tags = {match.group(1) for match in _MT940_TAG_RE.finditer(data.removeprefix(codecs.BOM_UTF8))}
    if b"20" in tags and tags & {b"25", b"61"}:
        return "mt940"
    return ""


_LONE_CR = re.compile(rb"\r(?!\n)")
ZIP_MEMBERS_MAX = 200
ZIP_BYTES_MAX = 100 * 1024 * 1024


def statement_files(data: bytes, filename: str = "") -> list[tuple[str, bytes]]:
    """The statement files in an upload: a zip's members (folders and macOS resource forks
    left out), else the file itself. StatementError for a zip that is broken, empty, holds more
    than ZIP_MEMBERS_MAX files or unpacks to more than ZIP_BYTES_MAX bytes."""
    if not data.startswith(b"PK\x03\x04"):
        return [(filename, data)]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/")
            ]
            if not members:
                raise StatementError(f"{filename or 'the zip'} holds no file")
            if len(members) > ZIP_MEMBERS_MAX:
                raise StatementError(
                    f"a zip of at most {ZIP_MEMBERS_MAX} statements, not {len(members)}"
                )
            if sum(m.file_size for m in members) > ZIP_BYTES_MAX:
                raise StatementError(f"the zip unpacks to more than {ZIP_BYTES_MAX // 2**20} MB")
            return [(f"{filename}/{m.filename}", archive.read(m)) for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise StatementError(f"{filename or 'the file'} is a broken zip: {error}") from None


def parse_statements(data: bytes, filename: str = "") -> list[Statement]:
    """As `parse_statement`, one statement per account of the file: a camt.053 may carry
    several accounts (one `Stmt` each); MT940 and 1C files give one."""
    if detect_format(data) == "xml":  # UTF-16 text that is not XML is not "xml" there
        return parse_camt_accounts(data)
    return [parse_statement(data, filename)]


def _utf16_to_utf8(data: bytes) -> tuple[bytes, bool]:
    """A UTF-16 text file that is not XML (lxml reads UTF-16 XML by its BOM) as UTF-8 with a
    BOM, and True; anything else as it is, and False."""
    codec = utf16_codec(data)
    if codec is None:
        return data, False
    try:
        text = data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError:
        return data, False  # not UTF-16 after all: the parsers say what it is not
    if text.lstrip().startswith("<"):
        return data, False
    return codecs.BOM_UTF8 + text.encode("utf-8"), True


def parse_statement(data: bytes, filename: str = "") -> Statement:
    """Reads a statement file, recognised by its content (`filename` only names it in the
    error): XML whose root is `Document` with `BkToCstmrStmt` or `BkToCstmrDbtCdtNtfctn`
    (camt.053/054), MT940 (`:20:` with `:25:` or `:61:`) or 1CClientBankExchange. Raises
    StatementError("unknown statement format…") for anything else, and the parser's
    StatementError for a recognised but bad file."""
    data, utf16 = _utf16_to_utf8(data)
    if utf16:  # an MT940 or 1C file saved as "Unicode text"
        return replace(parse_statement(data, filename), encoding="utf-16")
    kind = detect_format(data)
    if kind == "xml":
        return parse_camt(data)
    data = _LONE_CR.sub(b"\n", data)  # old Mac line ends: a line is a line
    kind = kind or detect_format(data)
    if kind == "1c":
        return parse_1c_statement(data)
    if kind == "mt940":
        return parse_mt940(data)
    named = f" ({filename})" if filename else ""
    raise StatementError(
        f"unknown statement format{named}: expected camt.053/054 XML, MT940 or 1CClientBankExchange"
    )
