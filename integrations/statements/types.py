"""The result of reading a bank statement: the booked incoming payments, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StatementCredit:
    """One booked incoming payment from a statement."""

    # "<our account id (IBAN or RU account)>:<bank reference>[:<detail index>]", stable across
    # re-imports of the same file; the importer's idempotency key
    dedupe_key: str
    account: str  # our account the credit landed on (IBAN or 20-digit RU account)
    amount: int  # minor units, > 0
    currency: str
    booked_on: date
    value_on: date | None
    bank_reference: (
        str  # AcctSvcrRef / NtryRef (camt), :61: bank reference (MT940), Номер/Дата (1C)
    )
    end_to_end_id: str  # "" when absent or NOTPROVIDED
    structured_reference: str  # camt RmtInf/Strd/CdtrRefInf/Ref, "" if none
    free_text: str  # remittance text (Ustrd lines joined, MT940 :86:, 1C НазначениеПлатежа)
    payer_name: str
    payer_account: str  # IBAN or RU account of the payer, "" if unknown
    payer_inn: str = ""  # 1C ПлательщикИНН


@dataclass(frozen=True)
class Statement:
    format: str  # "camt.053", "camt.054", "mt940", "1c"
    account: str
    statement_id: str
    credits: tuple[StatementCredit, ...]
    skipped: int  # entries not taken (debits, not booked, reversals), for the import report


class StatementError(ValueError):
    """A statement file that cannot be read; a bad file is rejected whole.

    `line` is the 1-based line in the file and `path` the place inside the document (for XML
    an element path such as `Stmt[1]/Ntry[3]/Amt`), each when known."""

    def __init__(self, message: str, *, line: int | None = None, path: str = ""):
        where = " ".join(
            part for part in (f"line {line}:" if line else "", f"{path}:" if path else "") if part
        )
        super().__init__(f"{where} {message}" if where else message)
        self.message = message
        self.line = line
        self.path = path
