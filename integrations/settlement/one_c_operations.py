"""The operator's bank operations of a period as a 1CClientBankExchange 1.03 file its 1C
accounting loads ("Загрузка из банка"): one payment order per outgoing transfer (a payout to a
supplier), each with its own date, in the same text form as `one_c.payout_1c` writes (one
`Key=Value` per line, CRLF, Windows-1251):

    1CClientBankExchange
    ВерсияФормата=1.03, Кодировка=Windows, ДатаНачала/ДатаКонца = the period, РасчСчет
    СекцияДокумент=Платежное поручение … КонецДокумента      one per operation
    КонецФайла

An operation the bank has debited carries `ДатаСписано` (1C then books it as written off the
account). A period without operations is a valid file with no documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.money import format_minor

from .one_c import (
    DOCUMENT_END,
    DOCUMENT_START,
    END_OF_FILE,
    FORMAT_VERSION,
    MAGIC,
    PAYMENT_ORDER,
    PURPOSE_LIMIT,
    SENDER,
    _check_ru_party,
    _party_fields,
    _value,
)
from .types import Party


@dataclass(frozen=True)
class BankOperation:
    """An outgoing transfer from the operator's account: `number` is the payment order's
    number (1C matches a statement line to it by number, date and amount), `amount` minor
    units > 0, `debited_on` the day the bank wrote it off, when known."""

    number: str
    day: date
    amount: int
    currency: str
    creditor: Party
    purpose: str
    debited_on: date | None = None

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"operation {self.number}: amount {self.amount} must be > 0")
        if not self.number:
            raise ValueError("an operation needs its payment order's number")


def _date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def operations_1c(
    *,
    operations: Sequence[BankOperation],
    account_holder: Party,
    start: date,
    end: date,
    created_at: datetime,
) -> bytes:
    """The operations from `start` to `end` (inclusive) of `account_holder`'s settlement
    account as a 1CClientBankExchange 1.03 file in Windows-1251 (a character it cannot hold
    becomes "?"). Raises ValueError for an operation not in roubles, one dated outside the
    period, or a party without RU bank details."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    _check_ru_party(account_holder, "account holder")
    for operation in operations:
        if operation.currency != "RUB":
            raise ValueError(
                f"operation {operation.number}: a 1C payment order is in roubles, "
                f"not {operation.currency}"
            )
        if not start <= operation.day <= end:
            raise ValueError(f"operation {operation.number} of {operation.day}: not in the period")
        _check_ru_party(operation.creditor, "creditor")
    lines: list[tuple[str, str] | str] = [
        MAGIC,
        ("ВерсияФормата", FORMAT_VERSION),
        ("Кодировка", "Windows"),
        ("Отправитель", SENDER),
        ("Получатель", ""),
        ("ДатаСоздания", _date(created_at.date())),
        ("ВремяСоздания", created_at.strftime("%H:%M:%S")),
        ("ДатаНачала", _date(start)),
        ("ДатаКонца", _date(end)),
        ("РасчСчет", account_holder.bank_account),
        ("Документ", PAYMENT_ORDER),
    ]
    for operation in operations:
        lines += _document(operation, account_holder)
    lines.append(END_OF_FILE)
    text = "".join(
        (line if isinstance(line, str) else f"{line[0]}={_value(line[1])}") + "\r\n"
        for line in lines
    )
    return text.encode("cp1251", errors="replace")


def _document(operation: BankOperation, payer: Party) -> list[tuple[str, str] | str]:
    lines: list[tuple[str, str] | str] = [
        (DOCUMENT_START, PAYMENT_ORDER),
        ("Номер", operation.number),
        ("Дата", _date(operation.day)),
        ("Сумма", format_minor(operation.amount)),
        *_party_fields("Плательщик", payer),
        *_party_fields("Получатель", operation.creditor),
    ]
    if operation.debited_on is not None:
        lines.append(("ДатаСписано", _date(operation.debited_on)))
    lines += [
        ("ВидПлатежа", "электронно"),
        ("ВидОплаты", "01"),
        ("Очередность", "5"),
        ("НазначениеПлатежа", _value(operation.purpose)[:PURPOSE_LIMIT]),
        DOCUMENT_END,
    ]
    return lines
