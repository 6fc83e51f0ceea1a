"""Opening and closing debt cases."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from debt_collection.models import CaseEvent, CaseEventKind, CaseStage, DebtCase
from warehouse.models import Account


def case_open(
    *, account: Account, debt_at_open: int, reason: str, actor=None, at=None
) -> tuple[DebtCase, bool]:
    """The account's open case, or a new one in the queue. (case, created)."""
    at = at or timezone.now()
    found = DebtCase.objects.exclude(stage=CaseStage.CLOSED).filter(account=account).first()
    if found:
        return found, False
    try:
        with transaction.atomic():
            case = DebtCase.objects.create(
                tenant_id=account.tenant_id,
                account=account,
                debt_at_open=debt_at_open,
                opened_at=at,
            )
    except IntegrityError:  # opened concurrently: the one open case wins
        return DebtCase.objects.exclude(stage=CaseStage.CLOSED).get(account=account), False
    CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, note=reason, actor=actor, at=at)
    return case, True


def case_close(*, case: DebtCase, reason: str, actor=None, at=None) -> DebtCase:
    at = at or timezone.now()
    case.stage, case.closed_at, case.closed_reason = CaseStage.CLOSED, at, reason[:100]
    case.save(update_fields=["stage", "closed_at", "closed_reason"])
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, note=reason, actor=actor, at=at)
    return case
