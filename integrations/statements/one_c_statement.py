"""1CClientBankExchange statement (the text file Russian banks send) → the incoming credits.

The statement account is the header `РасчСчет` (a `СекцияРасчСчет` may repeat it; another account
there is refused). A document whose recipient account (`ПолучательСчет`, else
`ПолучательРасчСчет`) is ours is a credit; every other document (our outgoing payments) counts in
`skipped`. A bank statement lists only executed documents, so every credit is taken as booked on
`ДатаПоступило` (else `Дата`).

Dedupe key: account, `Номер/Дата` and the amount in kopecks, plus the payer's account (or INN)
when the file gives one: payment order numbers are the payer's own, so two payers can send the
same number on the same day for the same sum.
"""

from __future__ import annotations

import re
from datetime import date

from integrations.settlement.one_c import OneCFormatError, one_c_amount, read_1c

from .types import Statement, StatementCredit, StatementError

CURRENCY = "RUB"
_DATE_RE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_INN_PREFIX_RE = re.compile(r"^ИНН\s*\d{10,12}\s+", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


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


def _payer_name(document: dict[str, str]) -> str:
    """`Плательщик1` (the name alone), else `Плательщик` without its "ИНН … " prefix."""
    name = document.get("Плательщик1", "").strip()
    return _one_line(name or _INN_PREFIX_RE.sub("", document.get("Плательщик", "").strip()))


def parse_1c_statement(data: bytes) -> Statement:
    """Reads a 1CClientBankExchange statement and returns the documents paid into its account.
    Raises StatementError for a file `read_1c` refuses, no `РасчСчет` or more than one account,
    or a credit without a valid `Номер`, `Дата` or positive `Сумма`."""
    try:
        file = read_1c(data)
    except OneCFormatError as error:
        raise StatementError(error.message, line=error.line_number) from error

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
    account = accounts[0]

    credits: list[StatementCredit] = []
    keys: set[str] = set()
    skipped = 0
    for position, document in enumerate(file.documents, start=1):
        recipient = _first(document, "ПолучательСчет", "ПолучательРасчСчет")
        if recipient != account:
            skipped += 1
            continue
        number = document.get("Номер", "").strip()
        where = f"document {position} (Номер={number or '?'})"
        if not number:
            raise StatementError(f"{where}: no Номер")
        issued_on = _date(document.get("Дата", ""), f"{where}, Дата")
        received = document.get("ДатаПоступило", "").strip()
        booked_on = _date(received, f"{where}, ДатаПоступило") if received else issued_on
        try:
            amount = one_c_amount(document.get("Сумма", ""))
        except ValueError as error:
            raise StatementError(f"{where}: {error}") from error
        if amount <= 0:
            raise StatementError(f"{where}: Сумма must be positive, got {document.get('Сумма')}")
        payer_account = _first(document, "ПлательщикСчет", "ПлательщикРасчСчет")
        payer_inn = document.get("ПлательщикИНН", "").strip()
        reference = f"{number}/{issued_on.isoformat()}"
        key = f"{account}:{reference}:{amount}"
        if payer_account or payer_inn:
            key += f":{payer_account or payer_inn}"
        if key in keys:
            raise StatementError(f"{where}: the same payment order appears twice")
        keys.add(key)
        credits.append(
            StatementCredit(
                dedupe_key=key,
                account=account,
                amount=amount,
                currency=CURRENCY,
                booked_on=booked_on,
                value_on=None,
                bank_reference=reference,
                end_to_end_id="",
                structured_reference="",
                free_text=_purpose(document),
                payer_name=_payer_name(document),
                payer_account=payer_account,
                payer_inn=payer_inn,
            )
        )
    dates = [file.header.get(key, "").strip() for key in ("ДатаНачала", "ДатаКонца")]
    return Statement(
        format="1c",
        account=account,
        statement_id="-".join(dict.fromkeys(d for d in dates if d)),
        credits=tuple(credits),
        skipped=skipped,
    )
