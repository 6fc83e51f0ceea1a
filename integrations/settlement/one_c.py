"""1CClientBankExchange 1.03: payment orders for the payouts, and a tolerant reader for the
files banks send back (statements).

The format is text, one `Key=Value` per line, CRLF, Windows-1251 unless `Кодировка=` says
otherwise:

    1CClientBankExchange
    <header keys>
    СекцияРасчСчет … КонецРасчСчет            balances (statements)
    СекцияДокумент=<type> … КонецДокумента    one block per document
    КонецФайла
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core.money import format_minor

from .types import Party, Payout

FORMAT_VERSION = "1.03"
SENDER = "Unibill"
PAYMENT_ORDER = "Платежное поручение"
MAGIC = "1CClientBankExchange"
END_OF_FILE = "КонецФайла"
DOCUMENT_START = "СекцияДокумент"
DOCUMENT_END = "КонецДокумента"
BALANCE_START = "СекцияРасчСчет"
BALANCE_END = "КонецРасчСчет"
PURPOSE_LIMIT = 210  # field 24 of the payment order

ENCODINGS = {"WINDOWS": "cp1251", "DOS": "cp866", "UTF-8": "utf-8", "UTF8": "utf-8"}
_ENCODING_KEY = "Кодировка="
_ACCOUNT_RE = re.compile(r"\d{20}")
_BIK_RE = re.compile(r"\d{9}")
_AMOUNT_RE = re.compile(r"(-?)(\d+)(?:[.,](\d{1,2}))?")


class OneCFormatError(ValueError):
    """A file that is not 1CClientBankExchange or is broken; `line_number` is 1-based."""

    def __init__(self, message: str, line_number: int):
        super().__init__(f"line {line_number}: {message}")
        self.message = message
        self.line_number = line_number


@dataclass
class OneCFile:
    header: dict[str, str] = field(default_factory=dict)
    documents: list[dict[str, str]] = field(default_factory=list)
    balances: list[dict[str, str]] = field(default_factory=list)


def one_c_amount(text: str) -> int:
    """ "1234.5", "1234.50", "1234,50" (spaces allowed between digit groups) → 123450."""
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    match = _AMOUNT_RE.fullmatch(cleaned)
    if not match:
        raise ValueError(f"not a 1C amount: {text!r}")
    sign, whole, fraction = match.groups()
    value = int(whole) * 100 + int((fraction or "").ljust(2, "0"))
    return -value if sign else value


# -- writer ------------------------------------------------------------------------------------


def _value(text: str) -> str:
    """One line: no line breaks, no surrounding spaces."""
    return re.sub(r"\s+", " ", text).strip()


def _check_ru_party(party: Party, role: str) -> None:
    if not _ACCOUNT_RE.fullmatch(party.bank_account):
        raise ValueError(
            f"{role} {party.name!r}: a 1C payment order needs the 20-digit settlement account, "
            f"got {party.bank_account!r}"
        )
    if not _BIK_RE.fullmatch(party.bic):
        raise ValueError(f"{role} {party.name!r}: a 1C payment order needs the 9-digit BIK")


def _party_fields(prefix: str, party: Party) -> list[tuple[str, str]]:
    return [
        (f"{prefix}Счет", party.bank_account),
        (prefix, party.name),
        (f"{prefix}ИНН", party.inn),
        (f"{prefix}КПП", party.kpp),
        (f"{prefix}1", party.name),
        (f"{prefix}РасчСчет", party.bank_account),
        (f"{prefix}Банк1", party.bank_name),
        (f"{prefix}БИК", party.bic),
        (f"{prefix}Корсчет", party.corr_account),
    ]


def payout_1c(
    *,
    payouts: Sequence[Payout],
    debtor: Party,
    created_at: datetime,
    day: date,
    first_number: int = 1,
) -> bytes:
    """One payment order per payout, dated `day` and numbered from `first_number`, as a
    1CClientBankExchange 1.03 file in Windows-1251 (a character it cannot hold becomes "?").
    Raises ValueError for a payout not in roubles or a party without RU bank details."""
    if not payouts:
        raise ValueError("a 1C payment file needs at least one payout")
    _check_ru_party(debtor, "debtor")
    for payout in payouts:
        if payout.currency != "RUB":
            raise ValueError(
                f"payout {payout.end_to_end_id}: a 1C payment order is in roubles, "
                f"not {payout.currency}"
            )
        _check_ru_party(payout.creditor, "creditor")
    day_text = day.strftime("%d.%m.%Y")
    lines: list[tuple[str, str] | str] = [
        MAGIC,
        ("ВерсияФормата", FORMAT_VERSION),
        ("Кодировка", "Windows"),
        ("Отправитель", SENDER),
        ("Получатель", ""),
        ("ДатаСоздания", created_at.strftime("%d.%m.%Y")),
        ("ВремяСоздания", created_at.strftime("%H:%M:%S")),
        ("ДатаНачала", day_text),
        ("ДатаКонца", day_text),
        ("РасчСчет", debtor.bank_account),
        ("Документ", PAYMENT_ORDER),
    ]
    for number, payout in enumerate(payouts, start=first_number):
        lines += [
            (DOCUMENT_START, PAYMENT_ORDER),
            ("Номер", str(number)),
            ("Дата", day_text),
            ("Сумма", format_minor(payout.amount)),
            *_party_fields("Плательщик", debtor),
            *_party_fields("Получатель", payout.creditor),
            ("ВидПлатежа", "электронно"),
            ("ВидОплаты", "01"),
            ("Очередность", "5"),
            ("НазначениеПлатежа", _value(payout.remittance)[:PURPOSE_LIMIT]),
            DOCUMENT_END,
        ]
    lines.append(END_OF_FILE)
    text = "".join(
        (line if isinstance(line, str) else f"{line[0]}={_value(line[1])}") + "\r\n"
        for line in lines
    )
    return text.encode("cp1251", errors="replace")


# -- reader ------------------------------------------------------------------------------------


def _encoding(data: bytes) -> str:
    """The encoding `Кодировка=` declares (Windows → cp1251, DOS → cp866, UTF-8 → utf-8);
    cp1251 when nothing is declared."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for candidate in ("cp1251", "utf-8", "cp866"):
        key = _ENCODING_KEY.encode(candidate)
        start = data.find(key)
        if start < 0:
            continue
        end = data.find(b"\n", start)
        value = data[start + len(key) : end if end >= 0 else len(data)]
        declared = value.decode("ascii", errors="replace").strip().upper()
        return ENCODINGS.get(declared, "cp1251")
    return "cp1251"


def read_1c(data: bytes) -> OneCFile:
    """Reads a 1CClientBankExchange file (ours or a bank's statement). CRLF, LF or CR line ends;
    blank lines and lines after `КонецФайла` are ignored; a later duplicate key wins. Raises
    OneCFormatError for a file that does not start with `1CClientBankExchange`, a section that
    is not closed (reported at the line that opens it), a stray section end, a line without
    `=` inside a section, or no `КонецФайла` (a file cut short)."""
    text = data.decode(_encoding(data), errors="replace").lstrip("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    result = OneCFile()

    numbered = ((n, raw.strip()) for n, raw in enumerate(lines, start=1))
    numbered = ((n, line) for n, line in numbered if line)
    first = next(numbered, None)
    if first is None or first[1] != MAGIC:
        line_number = first[0] if first else 1
        raise OneCFormatError(f"the file does not start with {MAGIC}", line_number)

    section: dict[str, str] | None = None
    section_kind = ""  # DOCUMENT_START or BALANCE_START
    section_line = 0
    ended, n = False, first[0]
    for n, line in numbered:
        starts_section = line.startswith((DOCUMENT_START, BALANCE_START))
        if section is not None:
            end = DOCUMENT_END if section_kind == DOCUMENT_START else BALANCE_END
            if line == end:
                (result.documents if section_kind == DOCUMENT_START else result.balances).append(
                    section
                )
                section = None
                continue
            if starts_section or line in (DOCUMENT_END, BALANCE_END, END_OF_FILE):
                raise OneCFormatError(
                    f"{section_kind} has no {end} before line {n} ({line[:40]})", section_line
                )
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise OneCFormatError(f"expected Key=Value inside {section_kind}: {line[:60]}", n)
            section[key.strip()] = value.strip()
            continue
        if line == END_OF_FILE:
            ended = True
            break
        if starts_section:
            key, _, value = line.partition("=")
            section_kind = DOCUMENT_START if key.strip() == DOCUMENT_START else BALANCE_START
            if key.strip() != section_kind:
                raise OneCFormatError(f"unknown section {key.strip()}", n)
            section = {DOCUMENT_START: value.strip()} if section_kind == DOCUMENT_START else {}
            section_line = n
        elif line in (DOCUMENT_END, BALANCE_END):
            raise OneCFormatError(f"{line} without a section to close", n)
        else:
            key, sep, value = line.partition("=")
            if sep and key.strip():
                result.header[key.strip()] = value.strip()
            # a header line without "=" is ignored: the reader is tolerant outside sections
    if section is not None:
        end = DOCUMENT_END if section_kind == DOCUMENT_START else BALANCE_END
        raise OneCFormatError(f"{section_kind} has no {end} before the end of file", section_line)
    if not ended:  # cut short between two documents: the documents after the cut are lost
        raise OneCFormatError(f"the file ends without {END_OF_FILE}: it was cut short", n)
    return result
