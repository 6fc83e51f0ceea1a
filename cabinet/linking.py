"""Linking a resident to a personal account with the verification code printed on the bill,
and unlinking it.

Wrong codes lock linking for an hour after five of them, both for the resident and for the
account number (so that guessing one account's code across several sign-ups stops too). A
wrong account number counts as a wrong code and gets the same answer, so the form does not
tell which account numbers exist."""

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cabinet.models import LinkFailure
from core.errors import ApplicationError
from core.ratelimit import Lockout
from warehouse.models import Account, AccountHolder, AuditEvent, Tenant, User

# Five wrong codes within an hour lock linking (`core.ratelimit`, over the LinkFailure rows).
LINK_LOCKOUT = Lockout(attempts=5, window=timedelta(minutes=60))


@dataclass(frozen=True)
class LinkOutcome:
    holder: AccountHolder
    created: bool


def link_locked_until(
    *, user: User, account_number: str | None = None, now: datetime | None = None
) -> datetime | None:
    """When linking opens again for `user` (and for `account_number`, if given); None when it
    is open now."""
    now = now or timezone.now()
    scopes = [LinkFailure.objects.filter(user=user)]
    if account_number:
        scopes.append(LinkFailure.objects.filter(account_number=account_number))
    opens = [
        LINK_LOCKOUT.until_of_log(
            list(
                failures.filter(created_at__gt=LINK_LOCKOUT.since(now), created_at__lte=now)
                .order_by("-created_at")
                .values_list("created_at", flat=True)[: LINK_LOCKOUT.attempts]
            )
        )
        for failures in scopes
    ]
    return max((o for o in opens if o is not None), default=None)


def _locked_error(until: datetime) -> ApplicationError:
    return ApplicationError(
        "Too many wrong codes: linking is locked for an hour.",
        code="link_locked",
        extra={"until": until.isoformat()},
        status_code=429,
    )


def account_link(
    *,
    user: User,
    account_number: str,
    code: str,
    tenant: Tenant | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> LinkOutcome:
    """Links `user` to the account with this number whose verification code is `code`.

    Errors (ApplicationError): `link_locked` (429) while locked; `link_wrong` for a wrong
    number or code (recorded; the fifth locks); `link_choose_tenant` when the number and code
    match accounts of several operators and `tenant` was not given (extra["tenants"]: those
    operators — the resident proved they know the code, nothing leaks)."""
    now = now or timezone.now()
    account_number, code = account_number.strip(), code.strip()
    with transaction.atomic():
        # One resident's attempts queue up here, so that five means five.
        User.objects.select_for_update().filter(pk=user.pk).first()
        until = link_locked_until(user=user, account_number=account_number, now=now)
        if until is not None:
            raise _locked_error(until)
        candidates = Account.objects.filter(account_number=account_number, is_active=True)
        if tenant is not None:
            candidates = candidates.filter(tenant=tenant)
        matches = [
            a
            for a in candidates.select_related("tenant")
            if a.verification_code and hmac.compare_digest(a.verification_code, code)
        ]
        if len(matches) > 1:
            raise ApplicationError(
                "This account number is known to several operators: choose yours.",
                code="link_choose_tenant",
                extra={"tenants": [a.tenant for a in matches]},
            )
        if matches:
            account = matches[0]
            holder, created = AccountHolder.objects.get_or_create(user=user, account=account)
            if created:
                LinkFailure.objects.filter(user=user, account_number=account_number).delete()
                AuditEvent.objects.create(
                    tenant=account.tenant,
                    actor=user,
                    action="cabinet.account_linked",
                    detail={"account": account.account_number, "ip": ip},
                )
            return LinkOutcome(holder=holder, created=created)
        LinkFailure.objects.create(user=user, account_number=account_number, ip=ip, created_at=now)
        until = link_locked_until(user=user, account_number=account_number, now=now)
        if until is not None:
            AuditEvent.objects.create(
                tenant=None,
                actor=user,
                action="cabinet.link_locked",
                detail={"account": account_number, "ip": ip, "until": until.isoformat()},
            )
    # Raised after the commit: the failure (and the lock) must stay recorded.
    if until is not None:
        raise _locked_error(until)
    raise ApplicationError(
        "The account number or the verification code is wrong.", code="link_wrong"
    )


def account_unlink(*, user: User, account: Account) -> None:
    """Removes the resident's link to `account` (nothing else of the account changes)."""
    with transaction.atomic():
        deleted, _ = AccountHolder.objects.filter(user=user, account=account).delete()
        if deleted:
            AuditEvent.objects.create(
                tenant=account.tenant,
                actor=user,
                action="cabinet.account_unlinked",
                detail={"account": account.account_number},
            )
