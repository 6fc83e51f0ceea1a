"""Residents' requests: filing, assigning, answering, closing, and the messages in between.

Each step writes a timeline event, an audit row (for staff steps) and queues an e-mail to the
resident who filed the request. The e-mail goes through messaging's `message_queue`
rather than Django's mail directly: it is sent after commit by the Celery task (retried when
the server is unreachable), kept as a `Message` row of the account (the staff see what was
sent), and the account's e-mail opt-out is honoured in one place."""

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.models import (
    RequestAttachment,
    RequestEvent,
    RequestEventKind,
    RequestMessage,
    RequestStatus,
    ServiceRequest,
)
from core.errors import ApplicationError
from messaging.services.messages import message_queue
from warehouse.models import AuditEvent

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
# extension → (content type, the file's first bytes)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
IMAGE_TYPES = ("jpg", "jpeg", "png")


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile
    filename: str
    content_type: str
    size: int


def attachment_check(file: UploadedFile, *, images_only: bool = False) -> CheckedFile:
    """A file a resident or staff member may attach: PDF, JPEG or PNG (by name AND content), at
    most 5 MB. Raises ApplicationError otherwise."""
    name = (file.name or "").rsplit("/", 1)[-1][-200:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = IMAGE_TYPES if images_only else tuple(ALLOWED_TYPES)
    if extension not in allowed:
        raise ApplicationError(
            _("%(name)s: only %(types)s files are accepted.")
            % {"name": name, "types": ", ".join(t.upper() for t in allowed)},
            code="attachment_type",
        )
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(
            _("%(name)s is larger than 5 MB.") % {"name": name}, code="attachment_size"
        )
    if file.size == 0:
        raise ApplicationError(_("%(name)s is empty.") % {"name": name}, code="attachment_empty")
    content_type, signatures = ALLOWED_TYPES[extension]
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ApplicationError(
            _("%(name)s is not a real %(type)s file.") % {"name": name, "type": extension.upper()},
            code="attachment_content",
        )
    return CheckedFile(file=file, filename=name, content_type=content_type, size=file.size)


def _checked(files) -> list[CheckedFile]:
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ApplicationError(
            _("At most %(count)d files per message.") % {"count": MAX_ATTACHMENTS},
            code="attachment_count",
        )
    return [attachment_check(f) for f in files]


def _attach(request: ServiceRequest, message, files: list[CheckedFile], actor, at) -> None:
    for checked in files:
        attachment = RequestAttachment(
            request=request,
            message=message,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
            uploaded_at=at,
        )
        attachment.file.save(checked.filename, checked.file, save=False)
        attachment.save()


def _notify(request: ServiceRequest, *, subject: str, body: str, actor) -> None:
    """E-mails the resident who filed the request (the account's address if they have none)."""
    person = request.created_by
    recipient = (person.email if person else "") or request.account.email
    message_queue(
        account=request.account,
        channel="email",
        subject=subject,
        body=body,
        recipient=recipient,
        source="cabinet_request",
        actor=actor,
    )


def _audit(request: ServiceRequest, action: str, actor, **detail) -> None:
    AuditEvent.objects.create(
        tenant_id=request.tenant_id,
        actor=actor,
        action=action,
        detail={"request": request.pk, **detail},
    )


def request_file(*, account, kind: str, subject: str, text: str, files=(), actor) -> ServiceRequest:
    """A resident files a request on an account they hold (the view checks they hold it)."""
    checked = _checked(files)
    now = timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            tenant_id=account.tenant_id,
            account=account,
            kind=kind,
            subject=subject.strip(),
            text=text.strip(),
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        _attach(request, None, checked, actor, now)
        RequestEvent.objects.create(
            request=request, kind=RequestEventKind.FILED, actor=actor, at=now
        )
        _notify(
            request,
            subject=_("Request #%(pk)d received") % {"pk": request.pk},
            body=_(
                "We have received your request #%(pk)d “%(subject)s”. We will answer it in your "
                "cabinet and let you know by e-mail."
            )
            % {"pk": request.pk, "subject": request.subject},
            actor=actor,
        )
    return request


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("account", "created_by")
        .get(pk=request.pk)
    )


def _open(request: ServiceRequest) -> None:
    if request.status == RequestStatus.CLOSED:
        raise ApplicationError(_("The request is closed."), code="request_closed")


def request_assign(*, request: ServiceRequest, assignee, actor) -> ServiceRequest:
    """Staff give the request to a staff member of its tenant (the view offers only those)."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        request.assigned_to = assignee
        if request.status == RequestStatus.NEW:
            request.status = RequestStatus.ASSIGNED
        request.updated_at = now
        request.save(update_fields=["assigned_to", "status", "updated_at"])
        RequestEvent.objects.create(
            request=request, kind=RequestEventKind.ASSIGNED, actor=actor, at=now
        )
        _audit(request, "request.assigned", actor, assignee=assignee.pk)
        _notify(
            request,
            subject=_("Request #%(pk)d is being handled") % {"pk": request.pk},
            body=_("Your request #%(pk)d “%(subject)s” has been given to a specialist.")
            % {"pk": request.pk, "subject": request.subject},
            actor=actor,
        )
    return request


def request_answer(
    *, request: ServiceRequest, text: str, files=(), internal: bool = False, actor
) -> RequestMessage:
    """Staff write on a request: an answer the resident sees (status `answered`, an e-mail), or
    an internal note nobody outside the staff sees (no status change, no e-mail)."""
    checked = _checked(files)
    if internal and checked:
        raise ApplicationError(
            _("Internal notes carry no files: the archive is the resident's."),
            code="internal_files",
        )
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        message = RequestMessage.objects.create(
            request=request, author=actor, text=text.strip(), internal=internal, created_at=now
        )
        if internal:
            _audit(request, "request.noted", actor)
            return message
        _attach(request, message, checked, actor, now)
        request.status, request.updated_at = RequestStatus.ANSWERED, now
        request.save(update_fields=["status", "updated_at"])
        RequestEvent.objects.create(
            request=request, kind=RequestEventKind.ANSWERED, actor=actor, at=now
        )
        _audit(request, "request.answered", actor)
        _notify(
            request,
            subject=_("Request #%(pk)d answered") % {"pk": request.pk},
            body=_("Your request #%(pk)d “%(subject)s” has an answer:\n\n%(text)s")
            % {"pk": request.pk, "subject": request.subject, "text": message.text},
            actor=actor,
        )
    return message


def request_reply(*, request: ServiceRequest, text: str, files=(), actor) -> RequestMessage:
    """The resident writes on their open request (back to the staff: status `assigned` or
    `new`)."""
    checked = _checked(files)
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        message = RequestMessage.objects.create(
            request=request, author=actor, text=text.strip(), created_at=now
        )
        _attach(request, message, checked, actor, now)
        request.status = RequestStatus.ASSIGNED if request.assigned_to_id else RequestStatus.NEW
        request.updated_at = now
        request.save(update_fields=["status", "updated_at"])
        RequestEvent.objects.create(
            request=request, kind=RequestEventKind.MESSAGE, actor=actor, at=now
        )
    return message


def request_close(*, request: ServiceRequest, actor) -> ServiceRequest:
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        _open(request)
        request.status, request.closed_at, request.updated_at = RequestStatus.CLOSED, now, now
        request.save(update_fields=["status", "closed_at", "updated_at"])
        RequestEvent.objects.create(
            request=request, kind=RequestEventKind.CLOSED, actor=actor, at=now
        )
        _audit(request, "request.closed", actor)
        _notify(
            request,
            subject=_("Request #%(pk)d closed") % {"pk": request.pk},
            body=_("Your request #%(pk)d “%(subject)s” is closed. Thank you.")
            % {"pk": request.pk, "subject": request.subject},
            actor=actor,
        )
    return request
