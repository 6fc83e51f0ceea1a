"""The result of reading a bank statement: the booked incoming payments (credits, returns of our
own payments among them) and the booked outgoing ones (debits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StatementCredit:
    """One booked incoming payment from a statement."""

    # "<our account>:<booked on>:C:<amount>:<reference>[:<detail index>]" (see `keys.py`; 1C:
    # "<our account>:<Номер>/<Дата>:<amount>[:<payer account or INN>]"), stable across
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
    # the bank says this credit returns a payment of ours: camt `TxDtls/RtrInf`, or a bank
    # transaction code PMNT / ICDT or RCDT / RRTN, RPCR or ARET. A credit whose EndToEndId names
    # a payout is a return as well; deciding that is the importer's, by `end_to_end_id`.
    is_return: bool = False
    # camt `RtrInf/Rsn/Cd` (or `Prtry`), then ": " and the `AddtlInf` lines; "" when not given
    return_reason: str = ""
    # the key the parser gave before issue 18 (the account and the bank reference alone), so
    # that credits imported before can be recognised; "" when it would have refused the entry
    legacy_key: str = ""
    # other keys the same transaction was stored under before (camt: a batch detail's key with
    # its position, as issue 18 gave it); each matches as the key does
    alternate_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementDebit:
    """One booked outgoing payment from a statement (a payout to a supplier, a bank fee…)."""

    # "D:<our account>:<booked on>:D:<amount>:<reference>[:<detail index>]": built as the
    # credit's, marked "D:" so that a debit's key is never a credit's; the importer's key
    dedupe_key: str
    account: str  # our account the debit was taken from
    amount: int  # minor units, > 0
    currency: str
    booked_on: date
    value_on: date | None
    bank_reference: str  # as on StatementCredit
    end_to_end_id: str  # "" when absent or NOTPROVIDED; MT940: the :61: customer reference
    free_text: str  # remittance text (Ustrd lines joined, MT940 :86:, 1C НазначениеПлатежа)
    counterparty_name: str  # who was paid: camt Cdtr, 1C Получатель1/Получатель
    counterparty_account: str  # IBAN or RU account of who was paid, "" if unknown
    document_number: str  # 1C Номер of our payment order, "" in other formats
    legacy_key: str = ""  # as on StatementCredit
    alternate_keys: tuple[str, ...] = ()  # as on StatementCredit


@dataclass(frozen=True)
class Statement:
    format: str  # "camt.053", "camt.054", "mt940", "1c"
    account: str
    statement_id: str
    credits: tuple[StatementCredit, ...]
    # entries taken neither as credit nor as debit (not booked, reversals, zero amounts), for
    # the import report
    skipped: int
    debits: tuple[StatementDebit, ...] = ()
    # what the import should tell: an entry without any reference (its key falls back to date,
    # amount and text), entries told apart only by their position; each names the entry
    warnings: tuple[str, ...] = ()
    encoding: str = ""  # the text encoding the file was read in ("utf-8", "cp1251"…)


# The largest amount a statement line may carry, in minor units (10 trillion in major units):
# ISO 20022 admits 18 digits, more than a 64-bit column holds once in minor units; a bank's
# line above this is a broken file, refused with its line rather than failing to be stored.
AMOUNT_MAX = 10**15


def amount_checked(amount: int, where: str) -> int:
    if amount > AMOUNT_MAX:
        raise StatementError(f"{where}: amount {amount / 100:.2f} is beyond any real payment")
    return amount


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
