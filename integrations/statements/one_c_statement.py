"""1CClientBankExchange statement (the text file Russian banks send) → the credits and debits.

The statement account is the header `РасчСчет` (a `СекцияРасчСчет` may repeat it; another account
there is refused). A document whose recipient account (`ПолучательСчет`, else
`ПолучательРасчСчет`) is ours is a credit; one whose payer account (`ПлательщикСчет`, else
`ПлательщикРасчСчет`) is ours is a debit (our payment order, or the bank's order for its fee);
any other document counts in `skipped`. A bank statement lists only executed documents, so a
credit is taken as booked on `ДатаПоступило` and a debit on `ДатаСписано` (else `Дата`).

Dedupe key: account, `Номер/Дата` and the amount in kopecks, plus the other party's account (or
INN) when the file gives one: payment order numbers are the payer's own, so two payers can send
the same number on the same day for the same sum, and the bank's own orders (its fees) are
numbered apart from ours. A debit's key has "D:" in front. The key did not change in issue 18,
so `legacy_key` is the key itself.

Encoding: `Кодировка=` is a hint (see `_decode`); `Statement.encoding` names the one used.
"""

from __future__ import annotations

import codecs
import re
from datetime import date

from integrations.settlement.one_c import (
    ENCODINGS,
    OneCFile,
    OneCFormatError,
    one_c_amount,
    read_1c,
)

from .types import Statement, StatementCredit, StatementDebit, StatementError, amount_checked

CURRENCY = "RUB"
DEBIT_KEY_PREFIX = "D:"
_DATE_RE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_INN_PREFIX_RE = re.compile(r"^ИНН\s*\d{10,12}\s+", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_ENCODING_KEY = "Кодировка="
DEFAULT_ENCODING = "cp1251"


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding). The declared `Кодировка=` is a hint: a UTF-8 BOM, or bytes that are
    valid UTF-8 with Cyrillic in them, are UTF-8 whatever the file declares (banks' web clients
    write UTF-8 under `Кодировка=Windows`); else the declared encoding (DOS → cp866), cp1251 when
    none is declared."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if _CYRILLIC_RE.search(text):
        return text, "utf-8"
    encoding = DEFAULT_ENCODING
    for candidate in ("cp1251", "cp866"):
        start = data.find(_ENCODING_KEY.encode(candidate))
        if start < 0:
            continue
        end = data.find(b"\n", start)
        value = data[start + len(_ENCODING_KEY.encode(candidate)) : end if end >= 0 else None]
        declared = value.decode("ascii", errors="replace").strip().upper()
        encoding = ENCODINGS.get(declared, DEFAULT_ENCODING)
        break
    return data.decode(encoding, errors="replace"), encoding


def _one_line(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _first(document: dict[str, str], *keys: str) -> str:
    return next((value for key in keys if (value := document.get(key, "").strip())), "")


def _date(text: str, what: str) -> date:
    match = _DATE_RE.fullmatch(text.strip())
    try:
        if not match:
            raise ValueError
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    except ValueError as error:
        raise StatementError(f"{what}: not a date (ДД.ММ.ГГГГ): {text!r}") from error


def _purpose(document: dict[str, str]) -> str:
    """`НазначениеПлатежа`, else the split lines `НазначениеПлатежа1…6` some banks send."""
    text = document.get("НазначениеПлатежа", "")
    if not text.strip():
        text = " ".join(document.get(f"НазначениеПлатежа{n}", "") for n in range(1, 7))
    return _one_line(text)


def _party_name(document: dict[str, str], role: str) -> str:
    """`Плательщик1` (the name alone), else `Плательщик` without its "ИНН … " prefix; the same
    for `Получатель`."""
    name = document.get(f"{role}1", "").strip()
    return _one_line(name or _INN_PREFIX_RE.sub("", document.get(role, "").strip()))


def parse_1c_statement(data: bytes) -> Statement:
    """Reads a 1CClientBankExchange statement and returns the documents paid into its account
    (credits) and out of it (debits). Raises StatementError for a file `read_1c` refuses, no
    `РасчСчет` or more than one account, or a taken document without a valid `Номер`, `Дата`
    or positive `Сумма`."""
    if not isinstance(data, bytes):
        raise TypeError("parse_1c_statement takes the file's bytes")
    text, encoding = _decode(data)
    try:
        # handed on as BOM-marked UTF-8, which `read_1c` reads whatever the file declares
        file = read_1c(codecs.BOM_UTF8 + text.encode("utf-8"))
    except OneCFormatError as error:
        raise StatementError(error.message, line=error.line_number) from error
    account = _the_account(file)

    credits: list[StatementCredit] = []
    debits: list[StatementDebit] = []
    keys: set[str] = set()
    skipped = 0
    for position, document in enumerate(file.documents, start=1):
        recipient = _first(document, "ПолучательСчет", "ПолучательРасчСчет")
        payer_account = _first(document, "ПлательщикСчет", "ПлательщикРасчСчет")
        if recipient == account:
            payer_inn = document.get("ПлательщикИНН", "").strip()
            read = _read(document, position, "ДатаПоступило", account, payer_account or payer_inn)
            credits.append(
                StatementCredit(
                    **read,
                    end_to_end_id="",
                    structured_reference="",
                    payer_name=_party_name(document, "Плательщик"),
                    payer_account=payer_account,
                    payer_inn=payer_inn,
                    legacy_key=read["dedupe_key"],
                )
            )
        elif payer_account == account:
            recipient_inn = document.get("ПолучательИНН", "").strip()
            read = _read(document, position, "ДатаСписано", account, recipient or recipient_inn)
            read["dedupe_key"] = f"{DEBIT_KEY_PREFIX}{read['dedupe_key']}"
            debits.append(
                StatementDebit(
                    **read,
                    end_to_end_id="",
                    counterparty_name=_party_name(document, "Получатель"),
                    counterparty_account=recipient,
                    document_number=document.get("Номер", "").strip(),
                    legacy_key=read["dedupe_key"],
                )
            )
        else:
            skipped += 1
            continue
        if read["dedupe_key"] in keys:
            raise StatementError(
                f"document {position} (Номер={document.get('Номер', '').strip()}): "
                "the same payment order appears twice"
            )
        keys.add(read["dedupe_key"])
    dates = [file.header.get(key, "").strip() for key in ("ДатаНачала", "ДатаКонца")]
    return Statement(
        format="1c",
        account=account,
        statement_id="-".join(dict.fromkeys(d for d in dates if d)),
        credits=tuple(credits),
        skipped=skipped,
        debits=tuple(debits),
        encoding=encoding,
    )


def _the_account(file: OneCFile) -> str:
    """The header `РасчСчет`, which every `СекцияРасчСчет` may only repeat."""
    accounts: list[str] = []
    for value in [file.header.get("РасчСчет", "")] + [b.get("РасчСчет", "") for b in file.balances]:
        if value.strip() and value.strip() not in accounts:
            accounts.append(value.strip())
    if not accounts:
        raise StatementError("no РасчСчет: a 1C statement names the account in its header")
    if len(accounts) > 1:
        raise StatementError(
            f"one account per file, this one has {len(accounts)}: {', '.join(accounts)}"
        )
    return accounts[0]


def _read(
    document: dict[str, str], position: int, booked_key: str, account: str, other: str
) -> dict:
    """The fields a credit and a debit share: the dedupe key (account, `Номер/Дата`, amount and
    the other party's account or INN when known), amount, dates, reference and purpose.
    `booked_key` is `ДатаПоступило` for a credit, `ДатаСписано` for a debit (else `Дата`)."""
    number = document.get("Номер", "").strip()
    where = f"document {position} (Номер={number or '?'})"
    if not number:
        raise StatementError(f"{where}: no Номер")
    issued_on = _date(document.get("Дата", ""), f"{where}, Дата")
    booked = document.get(booked_key, "").strip()
    booked_on = _date(booked, f"{where}, {booked_key}") if booked else issued_on
    try:
        amount = one_c_amount(document.get("Сумма", ""))
    except ValueError as error:
        raise StatementError(f"{where}: {error}") from error
    if amount <= 0:
        raise StatementError(f"{where}: Сумма must be positive, got {document.get('Сумма')}")
    amount_checked(amount, f"{where}, Сумма")
    reference = f"{number}/{issued_on.isoformat()}"
    return {
        "dedupe_key": f"{account}:{reference}:{amount}" + (f":{other}" if other else ""),
        "account": account,
        "amount": amount,
        "currency": CURRENCY,
        "booked_on": booked_on,
        "value_on": None,
        "bank_reference": reference,
        "free_text": _purpose(document),
    }
