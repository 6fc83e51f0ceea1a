"""The suppliers' reporting flows: each flow of a supplier's contract (`warehouse.SupplierFlow`)
makes a file for every stretch of days its interval cuts (a day, an ISO week, a month) — the
lines of the supplier's registries of those days — or one per payout, and sends it the way the
contract says: e-mail with the file attached, an SFTP upload, a signed webhook with a download
link, or nothing (download only). An empty stretch sends an empty file only where the contract
says so; otherwise it is recorded as skipped. Every file is kept; a failed delivery is retried
with backoff, and staff can send it again (docs/settlement.md)."""

import hashlib
import hmac
import json
from calendar import monthrange
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from core.http import public_url
from integrations.delivery.email import file_email_send
from integrations.delivery.sftp import sftp_upload
from integrations.delivery.types import DeliveryResult
from integrations.webhooks import backoff_seconds, webhook_send
from splitting.core.outbox import signing_secrets
from splitting.models import (
    FlowDelivery,
    FlowDeliveryAttempt,
    FlowDeliveryStatus,
    FlowFile,
    Payout,
    Registry,
)
from splitting.settlement.orders import orders_file, payment_order_format
from splitting.settlement.registries import lines_file, registries_build, registries_document
from warehouse.models import (
    AuditEvent,
    FlowFormat,
    FlowInterval,
    SupplierFlow,
    Tenant,
)
from warehouse.models import (
    FlowDelivery as Method,
)

MAX_ATTEMPTS = 10
CLAIM_SECONDS = 300
FLOW_FILE_EVENT = "registry.file"
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain; charset=windows-1251",
    ".xml": "application/xml",
}


def content_type(filename: str) -> str:
    return next(
        (kind for end, kind in CONTENT_TYPES.items() if filename.endswith(end)),
        "application/octet-stream",
    )


# --- stretches ----------------------------------------------------------------------------


def stretch_of(interval: str, day: date) -> tuple[date, date]:
    """The stretch of days of `interval` that holds `day`."""
    if interval == FlowInterval.WEEKLY:
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if interval == FlowInterval.MONTHLY:
        return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])
    return day, day


def stretches_due(flow: SupplierFlow, today: date) -> list[tuple[date, date]]:
    """The stretches that have ended before `today` and have no file yet: from the day after the
    flow's last file, or — a new flow — the last stretch that has ended."""
    last_done = (
        FlowFile.objects.filter(flow=flow, payout__isnull=True)
        .order_by("-last_day")
        .values_list("last_day", flat=True)
        .first()
    )
    ended = stretch_of(flow.interval, today)[0] - timedelta(days=1)
    if ended < (last_done or date.min):
        return []
    first = last_done + timedelta(days=1) if last_done else stretch_of(flow.interval, ended)[0]
    stretches = []
    while first <= ended:
        stretch = stretch_of(flow.interval, first)
        stretches.append(stretch)
        first = stretch[1] + timedelta(days=1)
    return stretches


# --- files ---------------------------------------------------------------------------------


def _stem(flow: SupplierFlow, first: date, last: date) -> str:
    days = f"{first:%Y%m%d}" if first == last else f"{first:%Y%m%d}-{last:%Y%m%d}"
    return f"REG-{flow.supplier.tenant_id}-{flow.supplier.code}-{days}"


def _content(flow: SupplierFlow, first: date, last: date, now: datetime):
    """(content, filename, lines, gross, commission, net) of the stretch; None when empty."""
    supplier = flow.supplier
    tenant = supplier.tenant
    if flow.format == FlowFormat.PAYOUT:
        payouts = list(
            Payout.objects.filter(supplier=supplier, registry__day__range=(first, last))
            .select_related("registry__tenant", "registry__supplier")
            .order_by("created_at", "pk")
        )
        if not payouts:
            return None  # a payment order of nothing cannot be written
        content, filename = orders_file(
            tenant,
            payouts,
            day=last,
            file_format=payment_order_format(tenant),
            created_at=payouts[-1].created_at,
        )
        total = sum(p.amount for p in payouts)
        return content, filename, len(payouts), total, 0, total
    registries = list(
        Registry.objects.filter(supplier=supplier, day__range=(first, last))
        .select_related("tenant", "supplier")
        .order_by("day")
    )
    if not registries and not flow.send_empty:
        return None
    stem = _stem(flow, first, last)
    document = registries_document(registries, number=stem[:35], day=last, supplier=supplier)
    content, filename = lines_file(
        document,
        flow.format,
        stem=stem,
        created_at=now,
        zone=ZoneInfo(tenant.timezone),
        first_day=first,
        last_day=last,
    )
    return (
        content,
        filename,
        document.count,
        sum(line.amount for line in document.lines),
        sum(line.commission for line in document.lines),
        sum(line.net for line in document.lines),
    )


def _file_write(flow, first, last, made, now, payout=None) -> FlowFile:
    supplier = flow.supplier
    content, filename, lines, gross, commission, net = made or (b"", "", 0, 0, 0, 0)
    record = FlowFile.objects.create(
        tenant_id=supplier.tenant_id,
        supplier=supplier,
        flow=flow,
        first_day=first,
        last_day=last,
        payout=payout,
        format=flow.format,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        lines=lines,
        gross=gross,
        commission=commission,
        net=net,
        created_at=now,
    )
    if made is None:
        status = FlowDeliveryStatus.SKIPPED
    elif flow.delivery == Method.DOWNLOAD:
        status = FlowDeliveryStatus.DOWNLOAD
    else:
        status = FlowDeliveryStatus.PENDING
    FlowDelivery.objects.create(
        file=record,
        tenant_id=supplier.tenant_id,
        method=flow.delivery,
        status=status,
        next_attempt_at=now if status == FlowDeliveryStatus.PENDING else None,
    )
    return record


def _days(stretches) -> set[date]:
    days = set()
    for first, last in stretches:
        days |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    return days


def flow_files_build(flow: SupplierFlow, *, today: date, now: datetime | None = None):
    """The flow's files of every stretch due (the registries of its days built first)."""
    stretches = stretches_due(flow, today)
    for day in sorted(_days(stretches)):
        registries_build(tenant=flow.supplier.tenant, day=day)
    return _files_make(flow, stretches, now or timezone.now())


def _files_make(flow: SupplierFlow, stretches, now: datetime) -> list[FlowFile]:
    made = []
    for first, last in stretches:
        with transaction.atomic():
            if FlowFile.objects.filter(
                flow=flow, first_day=first, last_day=last, payout__isnull=True
            ).exists():
                continue
            made.append(_file_write(flow, first, last, _content(flow, first, last, now), now))
    return made


def flows_build_due(now: datetime | None = None) -> list[FlowFile]:
    """Every active interval flow's files due, each tenant's day in its own time zone; the
    deliveries are handed to Celery after commit (the hourly beat job)."""
    now = now or timezone.now()
    made = []
    for tenant in Tenant.objects.order_by("pk"):
        today = now.astimezone(ZoneInfo(tenant.timezone)).date()
        flows = list(
            SupplierFlow.objects.filter(supplier__tenant=tenant, active=True)
            .exclude(interval=FlowInterval.PAYOUT)
            .select_related("supplier__tenant")
            .order_by("supplier__code", "pk")
        )
        due = {flow.pk: stretches_due(flow, today) for flow in flows}
        for day in sorted(_days(s for stretches in due.values() for s in stretches)):
            registries_build(tenant=tenant, day=day)  # once a day for all the tenant's flows
        for flow in flows:
            made += _files_make(flow, due[flow.pk], now)
    deliveries_enqueue([f.delivery.pk for f in made if f.delivery.status == "pending"])
    return made


def flows_on_payouts(payouts: list[Payout], now: datetime) -> list[FlowFile]:
    """In the payouts' transaction: the files of the suppliers' "on each payout" flows."""
    made = []
    for payout in payouts:
        flows = SupplierFlow.objects.filter(
            supplier_id=payout.supplier_id, active=True, interval=FlowInterval.PAYOUT
        ).select_related("supplier__tenant")
        for flow in flows:
            registry = payout.registry
            if flow.format == FlowFormat.PAYOUT:
                content, filename = orders_file(
                    registry.tenant,
                    [payout],
                    day=registry.day,
                    file_format=payment_order_format(registry.tenant),
                    created_at=payout.created_at,
                )
                lines, gross, commission, net = 1, payout.amount, 0, payout.amount
            else:
                document = registries_document(
                    [registry], number=payout.end_to_end_id, day=registry.day
                )
                content, filename = lines_file(
                    document,
                    flow.format,
                    stem=payout.end_to_end_id,
                    created_at=now,
                    zone=ZoneInfo(registry.tenant.timezone),
                )
                lines, gross = document.count, registry.gross
                commission, net = registry.commission, registry.net
            made.append(
                _file_write(
                    flow,
                    registry.day,
                    registry.day,
                    (content, filename, lines, gross, commission, net),
                    now,
                    payout=payout,
                )
            )
    deliveries_enqueue([f.delivery.pk for f in made if f.delivery.status == "pending"])
    return made


# --- delivery ------------------------------------------------------------------------------


def deliveries_enqueue(ids: list[int]) -> None:
    if not ids:
        return

    def send():
        from splitting.tasks import deliver_flow_file

        for pk in ids:
            deliver_flow_file.delay(pk)

    transaction.on_commit(send)


def download_token(delivery: FlowDelivery, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"flow-file:{delivery.public_id}".encode(), "sha256")
    return mac.hexdigest()[:40]


def download_url(delivery: FlowDelivery, now: datetime) -> str:
    """The link a webhook delivery carries: no sign-in, signed with the supplier's secret."""
    token = download_token(delivery, delivery.file.supplier.webhook_secret)
    path = reverse("flow-file-link", args=[delivery.public_id, token])
    return public_url(path)


def delivery_by_link(public_id, token: str, now: datetime | None = None) -> FlowDelivery | None:
    """The delivery a download link names, if its token is the supplier's secret's (or the
    previous secret's, during a rotation's overlap)."""
    delivery = (
        FlowDelivery.objects.select_related("file__supplier").filter(public_id=public_id).first()
    )
    if delivery is None or not delivery.file.filename:
        return None
    secrets = signing_secrets(delivery.file.supplier, now or timezone.now())
    if any(hmac.compare_digest(download_token(delivery, s), token) for s in secrets):
        return delivery
    return None


def _send(delivery: FlowDelivery, now: datetime) -> DeliveryResult:
    record = delivery.file
    flow, supplier = record.flow, record.supplier
    content = bytes(record.content)
    first, last = f"{record.first_day:%d.%m.%Y}", f"{record.last_day:%d.%m.%Y}"
    days = first if first == last else f"{first}–{last}"
    if delivery.method == Method.EMAIL:
        return file_email_send(
            to=[a.strip() for a in flow.email_to.split(",") if a.strip()],
            subject=f"{supplier.tenant.name}: {record.filename} ({days})",
            body=f"{supplier.name}\n{record.filename}: {record.lines} lines, {days}.\n",
            filename=record.filename,
            content=content,
            content_type=content_type(record.filename),
        )
    if delivery.method == Method.SFTP:
        return sftp_upload(
            host=flow.sftp_host,
            port=flow.sftp_port,
            user=flow.sftp_user,
            password=flow.sftp_password,
            directory=flow.sftp_directory,
            filename=record.filename,
            content=content,
            host_key=flow.sftp_host_key,
        )
    if delivery.method == Method.WEBHOOK:
        if not supplier.webhook_url:
            return DeliveryResult(ok=False, error="the supplier has no webhook URL", duration_ms=0)
        body = {
            "id": str(delivery.public_id),
            "event": FLOW_FILE_EVENT,
            "supplier": supplier.code,
            "created_at": record.created_at.isoformat(),
            "file": {
                "filename": record.filename,
                "format": record.format,
                "first_day": f"{record.first_day:%Y-%m-%d}",
                "last_day": f"{record.last_day:%Y-%m-%d}",
                "lines": record.lines,
                "sha256": record.sha256,
                "url": download_url(delivery, now),
            },
        }
        result = webhook_send(
            supplier.webhook_url,
            signing_secrets(supplier, now),
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
            event=FLOW_FILE_EVENT,
            timeout=settings.WEBHOOK_TIMEOUT,
        )
        return DeliveryResult(ok=result.ok, error=result.error, duration_ms=result.duration_ms)
    return DeliveryResult(ok=False, error=f"no delivery {delivery.method!r}", duration_ms=0)


def flow_delivery_attempt(*, delivery_id: int) -> FlowDelivery | None:
    """One attempt, if the delivery is pending, due, and nobody else holds it (claimed in a
    short transaction; the send holds no lock)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            FlowDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=FlowDeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
        delivery.save(update_fields=["next_attempt_at"])
    delivery = FlowDelivery.objects.select_related("file__flow", "file__supplier__tenant").get(
        pk=delivery.pk
    )
    result = _send(delivery, now)
    with transaction.atomic():
        FlowDeliveryAttempt.objects.create(
            delivery=delivery,
            at=now,
            ok=result.ok,
            error=result.error[:300],
            duration_ms=result.duration_ms,
        )
        delivery.attempts += 1
        delivery.last_error = "" if result.ok else result.error[:300]
        if result.ok:
            delivery.status, delivery.delivered_at = FlowDeliveryStatus.DELIVERED, timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = FlowDeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + timedelta(
                seconds=backoff_seconds(delivery.attempts)
            )
        delivery.save(
            update_fields=["attempts", "last_error", "status", "delivered_at", "next_attempt_at"]
        )
    return delivery


def flow_delivery_resend(*, delivery: FlowDelivery, actor) -> FlowDelivery:
    """Staff send a file again, whatever happened to it before (not a download-only or an
    empty stretch's)."""
    if delivery.method == Method.DOWNLOAD or not delivery.file.filename:
        raise ApplicationError("this file is not sent anywhere", code="not_sent")
    with transaction.atomic():
        delivery.status, delivery.next_attempt_at = FlowDeliveryStatus.PENDING, timezone.now()
        delivery.save(update_fields=["status", "next_attempt_at"])
        AuditEvent.objects.create(
            tenant_id=delivery.tenant_id,
            actor=actor,
            action="flow_file.resent",
            detail={"file": delivery.file.filename, "method": delivery.method},
        )
        deliveries_enqueue([delivery.pk])
    return delivery


def flow_deliveries_due(limit: int = 500) -> list[int]:
    return list(
        FlowDelivery.objects.filter(
            status=FlowDeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
