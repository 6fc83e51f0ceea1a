"""The mapping queue: supplier account numbers that no account link knew when a batch was
imported (`UnmatchedLine`). Staff resolve an entry by linking the number to an existing account
(`unmatched_link`) or by creating the account and linking it (`unmatched_create_account`); then
the batch can run again (`warehouse.services.charges.batch_rerun`).

Resolving a number resolves every open queue entry of the same supplier and number (the same
unknown number usually turns up in several months' batches). Each operation is one transaction
that writes the link, marks the entries resolved and records an `AuditEvent`."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError
from warehouse.models import (
    Account,
    AccountLink,
    AuditEvent,
    Building,
    Premises,
    UnmatchedLine,
)

_MAX_LENGTH = {"account_number": 32, "address": 300, "premises": 20, "payer_name": 200}


@transaction.atomic(durable=True)
def unmatched_link(*, line: UnmatchedLine, account: Account, actor) -> AccountLink:
    """Links the entry's supplier account number to `account` (an account of the same tenant)
    and marks the entry — and every open entry with the same number — resolved."""
    line = _locked_open(line)
    if account.tenant_id != line.tenant_id:
        raise ApplicationError("the account belongs to another tenant", code="wrong_tenant")
    link, created = _link(line, account)
    resolved = _resolve(line, account)
    AuditEvent.objects.create(
        tenant_id=line.tenant_id,
        actor=actor,
        action="mapping.linked",
        detail={
            "supplier": line.supplier.code,
            "supplier_account": line.supplier_account,
            "account": account.account_number,
            "link_created": created,
            "entries": resolved,
        },
    )
    return link


@transaction.atomic(durable=True)
def unmatched_create_account(
    *,
    line: UnmatchedLine,
    account_number: str,
    address: str,
    premises: str,
    payer_name: str,
    actor,
) -> Account:
    """Creates an account (its building and premises as needed) for the entry's supplier
    account number, links the number to it and marks the entry resolved."""
    line = _locked_open(line)
    values = {
        "account_number": (account_number or "").strip(),
        "address": (address or "").strip(),
        "premises": (premises or "").strip(),
        "payer_name": (payer_name or "").strip(),
    }
    problems = {}
    for name, value in values.items():
        if not value:
            problems[name] = "required"
        elif len(value) > _MAX_LENGTH[name]:
            problems[name] = f"longer than {_MAX_LENGTH[name]} characters"
    if problems:
        raise ApplicationError(
            "the new account's details are not valid", code="invalid_account", extra=problems
        )
    if Account.objects.filter(
        tenant_id=line.tenant_id, account_number=values["account_number"]
    ).exists():
        raise ApplicationError(
            f"account {values['account_number']} already exists: link the number to it instead",
            code="account_exists",
            extra={"account_number": "already exists"},
        )
    _refuse_if_linked_elsewhere(line, account=None)
    building, _ = Building.objects.get_or_create(
        tenant_id=line.tenant_id, address=values["address"]
    )
    place, _ = Premises.objects.get_or_create(
        tenant_id=line.tenant_id, building=building, number=values["premises"]
    )
    account = Account.objects.create(
        tenant_id=line.tenant_id,
        account_number=values["account_number"],
        premises=place,
        payer_name=values["payer_name"],
        verification_code=f"{secrets.randbelow(10**6):06d}",
    )
    _link(line, account)
    resolved = _resolve(line, account)
    AuditEvent.objects.create(
        tenant_id=line.tenant_id,
        actor=actor,
        action="mapping.account_created",
        detail={
            "supplier": line.supplier.code,
            "supplier_account": line.supplier_account,
            "account": account.account_number,
            "address": values["address"],
            "premises": values["premises"],
            "entries": resolved,
        },
    )
    return account


def _locked_open(line: UnmatchedLine) -> UnmatchedLine:
    locked = (
        UnmatchedLine.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .get(pk=line.pk)
    )
    if locked.resolved_at is not None:
        raise ApplicationError(
            f"{locked.supplier.code}:{locked.supplier_account} is already resolved",
            code="already_resolved",
        )
    return locked


def _refuse_if_linked_elsewhere(line: UnmatchedLine, *, account: Account | None) -> None:
    existing = (
        AccountLink.objects.filter(
            supplier_id=line.supplier_id, external_number=line.supplier_account
        )
        .select_related("account")
        .first()
    )
    if existing is not None and (account is None or existing.account_id != account.pk):
        raise ApplicationError(
            f"{line.supplier.code}:{line.supplier_account} is already linked to account "
            f"{existing.account.account_number}",
            code="already_linked",
            extra={"account": existing.account.account_number},
        )


def _link(line: UnmatchedLine, account: Account) -> tuple[AccountLink, bool]:
    """The (supplier, number) → account link; an existing link to the same account is kept, a
    link to another account is refused (also when a concurrent request wins the race)."""
    _refuse_if_linked_elsewhere(line, account=account)
    try:
        with transaction.atomic():
            return AccountLink.objects.get_or_create(
                supplier_id=line.supplier_id,
                external_number=line.supplier_account,
                defaults={"tenant_id": line.tenant_id, "account": account},
            )
    except IntegrityError:
        _refuse_if_linked_elsewhere(line, account=account)
        raise


def _resolve(line: UnmatchedLine, account: Account) -> list[int]:
    """Marks every open entry of the supplier's number resolved; returns their batch ids."""
    entries = UnmatchedLine.objects.filter(
        supplier_id=line.supplier_id,
        supplier_account=line.supplier_account,
        resolved_at__isnull=True,
    )
    batches = sorted(entries.values_list("batch_id", flat=True))
    entries.update(resolved_account=account, resolved_at=timezone.now())
    return batches
