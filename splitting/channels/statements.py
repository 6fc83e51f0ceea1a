"""Bank statements: each booked credit becomes a payment of the account it names, or waits in
suspense until staff assign it (to one account, split across several) or refund it.

Matching, in order: what an app above claims (`splitting.hooks.credit_resolvers`: a wallet's
funding reference) → the structured reference (check digit verified; one no document has is
asked of `splitting.hooks.reference_resolvers`) → a reference or an account number in the free
text → a payer account seen before whose account has an open document of exactly this amount →
suspense. A credit that gives back one of our payouts, and every debit, are the settlement's
(`splitting.settlement.bank_debits`: a returned payout, a payout confirmed). A line's dedupe key
is unique per tenant (a credit's is also its payment's external id), so a statement imported
again posts nothing new."""

import hashlib
import re
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from integrations.statements import StatementError, parse_statements, statement_files
from integrations.statements.types import StatementCredit
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.references import ReferenceError, reference_parse
from splitting import hooks
from splitting.core import ledger
from splitting.core.ledger import Leg
from splitting.core.payments import PaymentConflict, PaymentRefused, payment_post
from splitting.models import (
    BankCredit,
    BankDebitStatus,
    Channel,
    CreditStatus,
    Payment,
    StatementImport,
    TransactionKind,
)
from splitting.selectors import account_position
from splitting.settlement.bank_debits import debit_book, payout_return, payout_returned
from warehouse.models import Account, AuditEvent, Tenant
from warehouse.selectors import accounts_of_reference


class StatementRejected(ApplicationError):
    pass


@dataclass(frozen=True)
class Match:
    """The credit pays `account` — or, with `claim`, the app that resolved it takes it itself."""

    account: Account | None
    rule: str
    document_reference: str = ""
    claim: hooks.CreditClaim | None = None
    reference: str = ""  # an app's reference the credit quoted (an instalment's), for its payment

    @classmethod
    def resolved(cls, found: hooks.ReferenceMatch) -> "Match":
        return cls(found.account, found.rule, claim=found.claim)


@dataclass(frozen=True)
class StatementOutcome:
    statement: StatementImport  # the last one of a zip
    matched: int
    parked: int
    duplicates: int
    statements: tuple[StatementImport, ...] = ()

    @classmethod
    def of(cls, outcomes: list["StatementOutcome"]) -> "StatementOutcome":
        """A zip's statements together."""
        return cls(
            outcomes[-1].statement,
            sum(o.matched for o in outcomes),
            sum(o.parked for o in outcomes),
            sum(o.duplicates for o in outcomes),
            tuple(o.statement for o in outcomes),
        )


_RF = re.compile(r"\bRF\d{2}[0-9A-Z]{1,21}\b")
_TOKEN = re.compile(r"[0-9A-ZА-Я][0-9A-ZА-Я/-]{3,34}")


def statement_import(*, tenant: Tenant, data: bytes, filename: str, actor=None) -> StatementOutcome:
    """Reads the whole file first — every statement of a zip — (a bad one is refused whole,
    nothing written), then books its lines one by one, each in its own transaction —
    idempotent, so an interrupted import is finished by importing the file again."""
    parsed = []
    try:
        files = statement_files(data, filename)
    except StatementError as error:
        raise StatementRejected(str(error), code="bad_statement") from None
    for name, content in files:
        try:
            statements = parse_statements(content, name)
        except StatementError as error:
            where = f"{name}: " if len(files) > 1 else ""
            raise StatementRejected(f"{where}{error}", code="bad_statement") from None
        parsed += [(name, content, s) for s in _own_accounts(tenant, statements)]
    for name, _content, statement in parsed:
        _check(tenant, statement, name if len(files) > 1 else "")
    return StatementOutcome.of(
        [
            _import_one(tenant, statement, filename=name, data=content, actor=actor)
            for name, content, statement in parsed
        ]
    )


def _own_accounts(tenant: Tenant, statements: list) -> list:
    """The statements of a file that are of the tenant's account. A file of several accounts
    (a bank's camt.053 of all a customer's accounts) keeps the tenant's, each with a warning
    naming the accounts left out; when none is the tenant's, all are kept for `_check` to
    refuse."""
    if len(statements) == 1:
        return statements
    own_accounts = _own(tenant)
    own = [s for s in statements if s.account.replace(" ", "") in own_accounts]
    if not own:
        return statements
    others = ", ".join(s.account for s in statements if s not in own)
    note = f"accounts in the same file that are not {tenant.code}'s, left out: {others}"
    return [replace(s, warnings=(*s.warnings, note)) for s in own] if others else own


def _own(tenant: Tenant) -> set[str]:
    return {a for a in (tenant.iban.replace(" ", ""), tenant.bank_account) if a}


def _check(tenant: Tenant, statement, name: str) -> None:
    where = f"{name}: " if name else ""
    own = _own(tenant)
    if own and statement.account.replace(" ", "") not in own:
        raise StatementRejected(
            f"{where}the statement is of account {statement.account}, not of {tenant.code}'s",
            code="foreign_statement",
        )
    lines = (*statement.credits, *statement.debits)
    wrong = sorted({line.currency for line in lines} - {tenant.currency})
    if wrong:
        raise StatementRejected(
            f"{where}credits in {', '.join(wrong)}: {tenant.code} keeps {tenant.currency}",
            code="bad_currency",
        )


def _import_one(tenant: Tenant, statement, *, filename: str, data: bytes, actor):
    record = StatementImport.objects.create(
        tenant=tenant,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        format=statement.format,
        bank_account=statement.account[:34],
        statement_id=statement.statement_id[:100],
        skipped=statement.skipped,
        encoding=(statement.encoding or "")[:20],
        warnings="\n".join(statement.warnings)[:10_000],
        created_at=timezone.now(),
        actor=actor,
    )
    matched = parked = duplicates = returned = 0
    for credit in statement.credits:
        if _seen(tenant, credit):
            duplicates += 1
            continue
        if payout_returned(tenant, credit) and payout_return(
            tenant=tenant, record=record, credit=credit
        ):
            returned += 1
            continue
        match = credit_match(tenant, credit)
        book = _book_matched if match is None or match.claim is None else _book_claimed
        if match is not None and book(tenant, record, credit, match):
            matched += 1
        else:
            _park(tenant, record, credit)
            parked += 1
    confirmed = unmatched = 0
    for debit in statement.debits:
        row = debit_book(tenant=tenant, record=record, debit=debit)
        if row is None:  # kept before: the statement imported again
            continue
        if row.status == BankDebitStatus.MATCHED:
            confirmed += 1
        else:
            unmatched += 1
    record.credits, record.debits = len(statement.credits), len(statement.debits)
    record.matched, record.parked, record.duplicates = matched, parked, duplicates
    record.payouts_confirmed, record.payouts_returned = confirmed, returned
    record.debits_unmatched = unmatched
    record.save(
        update_fields=[
            "credits",
            "debits",
            "matched",
            "parked",
            "duplicates",
            "payouts_confirmed",
            "payouts_returned",
            "debits_unmatched",
        ]
    )
    AuditEvent.objects.create(
        tenant=tenant,
        actor=actor,
        action="statement.imported",
        detail={
            "statement": record.pk,
            "file": record.filename,
            "matched": matched,
            "parked": parked,
            "duplicates": duplicates,
            "payouts_confirmed": confirmed,
            "payouts_returned": returned,
            "debits_unmatched": unmatched,
        },
    )
    return StatementOutcome(record, matched, parked, duplicates)


@transaction.atomic
def _book_claimed(tenant, record, credit: StatementCredit, match: Match) -> bool:
    row = _credit_row(tenant, record, credit, status=CreditStatus.MATCHED, match_rule=match.rule)
    row.save()
    match.claim(credit=row, actor=record.actor)
    return True


def _seen(tenant: Tenant, credit: StatementCredit) -> bool:
    """Booked before: by its key, or — a credit imported before the keys named the day and the
    amount — by the key it had then, on the same day with the same amount."""
    credits = BankCredit.objects.filter(tenant=tenant)
    keys = [key[:200] for key in (credit.dedupe_key, *getattr(credit, "alternate_keys", ()))]
    if credits.filter(dedupe_key__in=keys).exists():
        return True
    legacy = getattr(credit, "legacy_key", "")
    return (
        bool(legacy)
        and credits.filter(
            dedupe_key=legacy[:200], amount=credit.amount, booked_on=credit.booked_on
        ).exists()
    )


def credit_match(tenant: Tenant, credit: StatementCredit) -> Match | None:
    claimed = hooks.credit_resolve(tenant=tenant, credit=credit)
    if claimed is not None:
        return Match.resolved(claimed)
    if credit.structured_reference:
        found = _by_reference(tenant, credit.structured_reference, "reference")
        if found is not None:
            return found
    text = credit.free_text.upper()
    for candidate in _RF.findall(text.replace(" ", "")):
        found = _by_reference(tenant, candidate, "free_text_reference")
        if found is not None:
            return found
    tokens = set(_TOKEN.findall(text))
    for token in sorted(tokens):
        found = _by_reference(tenant, token, "free_text_reference")
        if found is not None:
            return found
    accounts = list(Account.objects.filter(tenant=tenant, account_number__in=tokens)[:2])
    if len(accounts) == 1:
        return Match(accounts[0], "free_text_account")
    if credit.payer_account:
        return _by_payer_history(tenant, credit)
    return None


def _by_reference(tenant: Tenant, reference: str, rule: str) -> Match | None:
    """What a reference names: one of our document references (with the document's reference
    when it is an issued document's), else what an app above answers (an instalment)."""
    try:
        parsed = reference_parse(reference)
    except ReferenceError:
        compact = reference.replace(" ", "").upper()
        found = hooks.reference_resolve(tenant=tenant, reference=compact)
        if found is None:
            return None
        if found.claim is None:
            return Match(found.account, rule, reference=compact)
        return Match.resolved(found)
    account = accounts_of_reference(tenant, parsed.account_number).first()
    if account is None:
        return None
    compact = reference.replace(" ", "").upper()
    issued = PaymentDocument.objects.filter(
        tenant=tenant, account=account, reference=compact, status=DocumentStatus.ISSUED
    ).exists()
    return Match(account, rule, compact if issued else "")


def _by_payer_history(tenant: Tenant, credit: StatementCredit) -> Match | None:
    """A payer account that paid for exactly one of our accounts before, and this credit is
    exactly what that account's latest document asks, or what the account owes now."""
    seen = set(
        BankCredit.objects.filter(
            tenant=tenant, payer_account=credit.payer_account, account__isnull=False
        ).values_list("account_id", flat=True)[:2]
    )
    if len(seen) != 1:
        return None
    document = (
        PaymentDocument.objects.filter(
            tenant=tenant, account_id=next(iter(seen)), status=DocumentStatus.ISSUED
        )
        .order_by("-period")
        .select_related("account")
        .first()
    )
    if document is None:
        return None
    due = account_position(document.account).total_due
    if due <= 0 or credit.amount not in (document.amount_due, due):
        return None
    return Match(document.account, "payer_history", document.reference)


def _credit_row(tenant, record, credit: StatementCredit, **fields) -> BankCredit:
    return BankCredit.of_line(tenant, record, credit, **fields)


def _book_matched(tenant, record, credit: StatementCredit, match: Match) -> bool:
    """Books the credit as a payment of the matched account, then records the credit. (In that
    order: if the import stops between the two, importing again finds no credit, books the
    same payment — a no-op by its external id — and records the credit.) False when the
    payment is refused, e.g. the document is another account's: the credit then waits in
    suspense."""
    try:
        outcome = payment_post(
            tenant=tenant,
            account=match.account,
            amount=credit.amount,
            channel=Channel.BANK,
            external_id=credit.dedupe_key[:100],
            document_reference=match.document_reference,
            reference=match.reference,
        )
    except (PaymentRefused, PaymentConflict):
        return False
    with transaction.atomic():
        row = _credit_row(
            tenant, record, credit, status=CreditStatus.MATCHED, match_rule=match.rule
        )
        row.account = match.account
        row.save()
        Payment.objects.filter(pk=outcome.payment.pk).update(bank_credit=row)
    return True


@transaction.atomic
def _park(tenant, record, credit: StatementCredit) -> BankCredit:
    row = _credit_row(
        tenant,
        record,
        credit,
        status=CreditStatus.SUSPENSE,
        parked=credit.amount,
        open_amount=credit.amount,
    )
    row.save()
    ledger.transaction_post(
        tenant_id=tenant.pk,
        kind=TransactionKind.PAYMENT,
        legs=[
            Leg(ledger.clearing(Channel.BANK), credit.amount),
            Leg(ledger.SUSPENSE, -credit.amount),
        ],
        memo=f"unmatched credit {credit.bank_reference}"[:200],
    )
    return row


def suspense_assign(*, credit: BankCredit, account: Account, amount: int, actor) -> BankCredit:
    """Staff give (part of) a waiting credit to an account: it becomes that account's payment,
    paid out of suspense. Several assignments split one credit across accounts."""
    if account.tenant_id != credit.tenant_id:
        raise ApplicationError("the account is another tenant's", code="foreign_account")
    with transaction.atomic():
        locked = BankCredit.objects.select_for_update().get(pk=credit.pk)
        if not 0 < amount <= locked.open_amount:
            raise ApplicationError(
                f"assign between 0.01 and what waits ({locked.open_amount} minor units)",
                code="bad_amount",
                extra={"amount": ["More than what waits in suspense."]},
            )
        part = locked.payments.count() + 1
        locked.open_amount -= amount
        locked.status = CreditStatus.ASSIGNED if locked.open_amount == 0 else locked.status
        locked.account = locked.account or account
        locked.save(update_fields=["open_amount", "status", "account"])
    # The payment books in its own transaction (payment_post is the outermost service); the
    # credit is reduced first, so a failure below puts the amount back.
    try:
        payment_post(
            tenant=account.tenant,
            account=account,
            amount=amount,
            channel=Channel.BANK,
            external_id=f"{credit.dedupe_key}#{part}"[:100],
            bank_credit=locked,
            from_suspense=True,
        )
    except Exception:
        with transaction.atomic():
            back = BankCredit.objects.select_for_update().get(pk=credit.pk)
            back.open_amount += amount
            back.status = CreditStatus.SUSPENSE
            back.save(update_fields=["open_amount", "status"])
        raise
    AuditEvent.objects.create(
        tenant_id=credit.tenant_id,
        actor=actor,
        action="suspense.assigned",
        detail={"credit": credit.pk, "account": account.account_number, "amount": amount},
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def suspense_refund(*, credit: BankCredit, actor, reason: str = "") -> BankCredit:
    """Staff send what still waits back to the payer."""
    locked = BankCredit.objects.select_for_update().get(pk=credit.pk)
    if locked.open_amount <= 0:
        raise ApplicationError("nothing of this credit waits in suspense", code="nothing_open")
    amount = locked.open_amount
    ledger.transaction_post(
        tenant_id=locked.tenant_id,
        kind=TransactionKind.REFUND,
        legs=[Leg(ledger.SUSPENSE, amount), Leg(ledger.clearing(Channel.BANK), -amount)],
        memo=f"refund of credit {locked.bank_reference}: {reason}"[:200],
    )
    locked.refunded += amount
    locked.open_amount = 0
    locked.status = CreditStatus.REFUNDED
    locked.save(update_fields=["refunded", "open_amount", "status"])
    AuditEvent.objects.create(
        tenant_id=locked.tenant_id,
        actor=actor,
        action="suspense.refunded",
        detail={"credit": locked.pk, "amount": amount, "reason": reason},
    )
    return locked


def suspense_suggestions(credit: BankCredit, limit: int = 5) -> list[PaymentDocument]:
    """Documents an unmatched credit could be for: open documents of exactly its amount, those
    of accounts its payer paid for before first."""
    documents = PaymentDocument.objects.filter(
        tenant_id=credit.tenant_id, status=DocumentStatus.ISSUED, amount_due=credit.amount
    ).select_related("account")
    if credit.payer_account:
        earlier = BankCredit.objects.filter(
            tenant_id=credit.tenant_id, payer_account=credit.payer_account, account__isnull=False
        ).values("account_id")
        first = list(documents.filter(account__in=earlier).order_by("-period")[:limit])
        if first:
            return first
    return list(documents.order_by("-period", "account__account_number")[:limit])
