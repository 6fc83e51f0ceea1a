"""Making a legal document of a case: checking the request, building and rendering the content,
then keeping the file with its case event (and the stage a pre-trial claim moves the case to)
and the audit row in one transaction. The DOCX is rendered before the transaction opens, so no
row is locked while python-docx works."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from debt_collection.models import (
    CaseEvent,
    CaseEventKind,
    CaseStage,
    DebtCase,
    DocumentKind,
    LegalDocument,
)
from debt_collection.services.legal_documents.content import DocumentContent, document_content
from debt_collection.services.legal_documents.docx_rendering import render_legal_docx
from warehouse.models import AuditEvent


def document_generate(
    *,
    case: DebtCase,
    kind: str,
    actor=None,
    addressee: str = "",
    state_fee: int = 0,
    document_date: dt.date | None = None,
) -> LegalDocument:
    """Makes the document, keeps its file and writes the case event. A pre-trial claim moves a
    case still worked in the queue to the pre-trial stage."""
    _check_request(case=case, kind=kind, addressee=addressee, state_fee=state_fee)
    zone = ZoneInfo(case.tenant.timezone or "UTC")
    document_date = document_date or timezone.localdate(timezone=zone)
    content = document_content(
        case=case,
        kind=kind,
        document_date=document_date,
        addressee=addressee,
        state_fee=state_fee,
    )
    if not content.table.rows:
        raise ApplicationError(
            "the account has no overdue debt to claim", code="no_debt", status_code=409
        )
    data = render_legal_docx(content)
    now = timezone.now()
    with transaction.atomic():
        return _keep(case=case, content=content, data=data, actor=actor, now=now)


def _check_request(*, case: DebtCase, kind: str, addressee: str, state_fee: int) -> None:
    if kind not in DocumentKind.values:
        raise ApplicationError(f"unknown document kind {kind!r}", code="unknown_kind")
    if case.stage == CaseStage.CLOSED:
        raise ApplicationError("the case is closed", code="case_closed", status_code=409)
    if state_fee < 0:
        raise ApplicationError("the state fee cannot be negative", code="negative_fee")
    if state_fee and kind != DocumentKind.COURT_ORDER:
        raise ApplicationError(
            "a state fee belongs to the court application, not to a claim letter",
            code="fee_not_claimed",
        )
    if kind == DocumentKind.COURT_ORDER and not addressee.strip():
        raise ApplicationError("name the court the application goes to", code="no_addressee")


def _keep(
    *, case: DebtCase, content: DocumentContent, data: bytes, actor, now: dt.datetime
) -> LegalDocument:
    """The document row and its file, the case's DOCUMENT event, the pre-trial stage when the
    claim letter is the case's first legal step, and the audit row."""
    kind, document_date = content.kind, content.document_date
    document = LegalDocument(
        tenant=case.tenant,
        case=case,
        kind=kind,
        title=content.title[:200],
        addressee=content.addressee[:300],
        document_date=document_date,
        debt_total=content.table.debt,
        penalty_total=content.table.penalty_total,
        state_fee=content.state_fee,
        created_by=actor,
        created_at=now,
    )
    name = f"{kind}-{case.account.account_number}-{document_date:%Y%m%d}.docx"
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.DOCUMENT,
        note=content.title,
        detail={"document": document.pk, "kind": kind, "claim": document.claim_total},
        actor=actor,
        at=now,
    )
    if kind == DocumentKind.PRE_TRIAL and case.stage == CaseStage.QUEUE:
        _move_to_pre_trial(case, actor=actor, now=now)
    AuditEvent.objects.create(
        tenant=case.tenant,
        actor=actor,
        action="collections.document_generate",
        detail={"case": case.pk, "document": document.pk, "kind": kind},
    )
    return document


def _move_to_pre_trial(case: DebtCase, *, actor, now: dt.datetime) -> None:
    old = case.stage
    case.stage = CaseStage.PRE_TRIAL
    case.save(update_fields=["stage"])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.STAGE,
        detail={"from": old, "to": CaseStage.PRE_TRIAL},
        actor=actor,
        at=now,
    )
