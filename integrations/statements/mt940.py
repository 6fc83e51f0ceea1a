"""SWIFT MT940 customer statement → the booked credits and debits, with the `mt-940` package.

Every `:20:` block of the file is read (a file may hold several days); they must all be for the
one `:25:` account. Taken: `:61:` lines with the mark `C` (credits) and `D` (debits); the
reversals `RC`/`RD` count in `skipped`. The dedupe key is the account, entry date, mark, amount,
the `:61:` bank reference (after `//`, else the customer reference) readable, and a digest of the
whole `:61:` line with its `:86:` text: banks repeat the bank reference (Danske Bank writes the
Bankgiro number on every line). A line identical to an earlier one, `:86:` included, gets its
ordinal in the file, with a warning. A debit's key has "D:" in front. `legacy_key` is the key
before issue 18: the account and the bank reference; without one, the customer reference, value
date, amount and the ordinal of that combination among the file's credits (or debits). Free
text is the `:86:` field on one line. A debit's `end_to_end_id` is the `:61:` customer reference
(the account owner's reference: for a SEPA transfer we ordered, banks write our EndToEndId
there), "" when NONREF.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from decimal import Decimal

import mt940

from .keys import READABLE_PREFIX, KeyRegister, digest, entry_key
from .types import Statement, StatementCredit, StatementDebit, StatementError, amount_checked

NONREF = "NONREF"
DEBIT_KEY_PREFIX = "D:"
TAKEN_MARKS = ("C", "D")  # credit, debit; the reversals RC and RD are skipped
_OPTIONS = mt940.Options(strip_bom=True, unbounded_details=True, case_insensitive_marks=True)
_CYRILLIC_WORD_RE = re.compile(rb"[\xc0-\xff]{3}")  # three cp1251 letters in a row
_TRAILER_RE = re.compile(r"(?m)^-(?:\}.*)?[ \t]*$")  # "-" or "-}{5:…}" ends a SWIFT block 4
_SPACE_RE = re.compile(r"\s+")
# what the package raises for a line it cannot read
_PACKAGE_ERRORS = (RuntimeError, ValueError, KeyError, IndexError, TypeError, ArithmeticError)


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8; else Windows-1251 when the text has Cyrillic words, else
    Latin-1."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _CYRILLIC_WORD_RE.search(data):
        return data.decode("cp1251", errors="replace"), "cp1251"
    return data.decode("latin-1"), "latin-1"


def _minor(amount: Decimal, where: str) -> int:
    cents = abs(amount) * 100
    if cents != cents.to_integral_value():
        raise StatementError(f"{where}: amount {abs(amount)} has more than 2 decimals")
    return amount_checked(int(cents), where)


def _reference(value: object) -> str:
    text = str(value or "").strip()
    return "" if text.upper() == NONREF else text


def _package_error(error: Exception) -> str:
    """The package's RuntimeError("Unable to parse …", tag, value) → ":61: 'value'"."""
    args = error.args
    if len(args) == 3 and hasattr(args[1], "id") and isinstance(args[2], str):
        return f"cannot read :{args[1].id}: {args[2][:80]!r}"
    return str(error)


def _statement_id(block: mt940.models.Transactions) -> str:
    parts = (
        block.data.get("transaction_reference"),
        block.data.get("statement_number"),
        block.data.get("sequence_number"),
    )
    return "/".join(str(part).strip() for part in parts if part and str(part).strip())


def parse_mt940(data: bytes) -> Statement:
    """Reads an MT940 file (UTF-8, or Windows-1251/Latin-1) and returns its booked credits and
    debits. Raises StatementError for a file the package cannot read, one without `:20:` or the
    `:25:` account, several accounts in one file, or an entry without a currency."""
    if not isinstance(data, bytes):
        raise TypeError("parse_mt940 takes the file's bytes")
    text, encoding = _decode(data)
    blocks = _read_blocks(text)
    account = _the_account(blocks)
    credits, debits, skipped, warnings = _entries(blocks, account)
    return Statement(
        format="mt940",
        account=account,
        statement_id=",".join(_statement_id(block) for block in blocks),
        credits=tuple(credits),
        skipped=skipped,
        debits=tuple(debits),
        warnings=tuple(warnings),
        encoding=encoding,
    )


def _read_blocks(text: str) -> list[mt940.models.Transactions]:
    """The file's `:20:` statements, as the package reads them."""
    text = _TRAILER_RE.sub("", text)
    try:
        # a StringIO, never the text itself: the package reads a str that names a file
        blocks = mt940.parse_statements(io.StringIO(text), options=_OPTIONS)
    except _PACKAGE_ERRORS as error:
        raise StatementError(f"not a readable MT940 file: {_package_error(error)}") from error
    if not blocks:
        raise StatementError("not an MT940 file: no :20: statement")
    return blocks


def _the_account(blocks: list[mt940.models.Transactions]) -> str:
    """The one `:25:` account all the statements are for (spaces removed)."""
    accounts: list[str] = []
    for block in blocks:
        account = _SPACE_RE.sub("", str(block.data.get("account_identification") or ""))
        if not account:
            raise StatementError(f"statement {_statement_id(block) or '?'} has no :25: account")
        if account not in accounts:
            accounts.append(account)
    if len(accounts) > 1:
        raise StatementError(
            f"one account per file, this one has {len(accounts)}: {', '.join(accounts)}"
        )
    return accounts[0]


def _entries(
    blocks: list[mt940.models.Transactions], account: str
) -> tuple[list[StatementCredit], list[StatementDebit], int, list[str]]:
    """The booked credits and debits of every statement, in file order, how many `:61:`
    lines were skipped (reversals, zero amounts), and the warnings."""
    credits: list[StatementCredit] = []
    debits: list[StatementDebit] = []
    skipped = 0
    warnings: list[str] = []
    keys = KeyRegister()
    # the fallback ordinals are counted per direction, so debits never shift a credit's key
    fallback_seen: dict[str, Counter[tuple[str, date, int]]] = {m: Counter() for m in TAKEN_MARKS}
    for block in blocks:
        for number, transaction in enumerate(block, start=1):
            item = transaction.data
            where = f"statement {_statement_id(block)}, :61: #{number}"
            if "status" not in item or item.get("amount") is None:
                continue  # a placeholder without :61: (e.g. :86: before the first :61:)
            mark = str(item["status"]).upper()
            if mark not in TAKEN_MARKS:
                skipped += 1  # RC, RD: reversals
                continue
            money = item["amount"]
            currency = str(getattr(money, "currency", None) or item.get("currency") or "")
            if not currency:
                raise StatementError(f"{where}: no currency (no :60F: balance)")
            amount = _minor(money.amount, where)
            if amount == 0:
                skipped += 1
                continue
            value_on = date(item["date"].year, item["date"].month, item["date"].day)
            entry = item.get("entry_date")
            booked_on = date(entry.year, entry.month, entry.day) if entry else value_on
            bank_reference = _reference(item.get("bank_reference"))
            legacy = _legacy_key(
                account, bank_reference, item, value_on, amount, fallback_seen[mark]
            )
            key = _dedupe_key(account, item, mark, booked_on, amount)
            key, repeated = keys.unique(key)
            if repeated:
                warnings.append(
                    f"{where}: the same :61: line and :86: text as an earlier one; "
                    "told apart by its position in the file"
                )
            if mark == "D":
                key = f"{DEBIT_KEY_PREFIX}{key}"
                legacy = f"{DEBIT_KEY_PREFIX}{legacy}"
            common = {
                "dedupe_key": key,
                "legacy_key": legacy,
                "account": account,
                "amount": amount,
                "currency": currency.upper(),
                "booked_on": booked_on,
                "value_on": value_on,
                "bank_reference": bank_reference,
                "free_text": _SPACE_RE.sub(" ", str(item.get("transaction_details") or "")).strip(),
            }
            if mark == "D":
                debits.append(
                    StatementDebit(
                        end_to_end_id=_reference(item.get("customer_reference")),
                        counterparty_name="",
                        counterparty_account="",
                        document_number="",
                        **common,
                    )
                )
                continue
            credits.append(
                StatementCredit(
                    end_to_end_id="",
                    structured_reference="",
                    payer_name="",
                    payer_account="",
                    **common,
                )
            )
    return credits, debits, skipped, warnings


def _dedupe_key(account: str, item: dict, mark: str, booked_on: date, amount: int) -> str:
    """Account, entry date, mark, amount, the bank (else customer) reference readable, and a
    digest of the whole `:61:` line (value and entry date, mark, funds code, amount, type,
    references, supplementary details) with its `:86:` text."""
    line = [
        str(item.get(name) or "").strip() for name in ("date", "entry_date", "status", "funds_code")
    ]
    line.append(f"{amount}{getattr(item['amount'], 'currency', None) or item.get('currency')}")
    line += [
        str(item.get(name) or "").strip()
        for name in ("id", "customer_reference", "bank_reference", "extra_details")
    ]
    details = _SPACE_RE.sub(" ", str(item.get("transaction_details") or "")).strip()
    readable = (
        _reference(item.get("bank_reference"))
        or _reference(item.get("customer_reference"))
        or NONREF
    )
    return entry_key(
        account=account,
        booked_on=booked_on,
        direction=mark,
        amount=amount,
        reference=f"{readable[:READABLE_PREFIX]}~{digest(*line, details)}",
    )


def _legacy_key(
    account: str,
    bank_reference: str,
    item: dict,
    value_on: date,
    amount: int,
    fallback_seen: Counter[tuple[str, date, int]],
) -> str:
    """The key before issue 18: the account and the bank reference; without one, the customer
    reference, value date, amount and the ordinal of that combination in the file (counted in
    `fallback_seen`)."""
    if bank_reference:
        return f"{account}:{bank_reference}"
    customer_reference = _reference(item.get("customer_reference")) or NONREF
    combination = (customer_reference, value_on, amount)
    fallback_seen[combination] += 1
    return (
        f"{account}:{customer_reference}:{value_on.isoformat()}:{amount}"
        f":{fallback_seen[combination]}"
    )
