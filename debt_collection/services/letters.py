"""Letters to debtors. A letter `Message` (a dunning level's or one an agent wrote) is printed
and posted, not sent by a provider: staff print the tenant's queued letters as one DOCX — a page
per letter, in delivery-route order like the print file of the bills — and printing marks them
sent. Any letter downloads again on its own."""

import datetime as dt
import io
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from core.dates import format_date
from core.i18n import Texts
from debt_collection.services.legal_documents.templates import document_language
from messaging.models import Message, MessageChannel, MessageStatus
from warehouse.models import AuditEvent, Tenant

PRINT_BATCH_MAX = 2_000
_LABELS = Texts(
    {
        "account": pgettext_lazy("letter", "Account"),
        "date": pgettext_lazy("letter", "Date"),
    }
)


def letters_docx(messages: list[Message], *, on: dt.date) -> bytes:
    """One DOCX with a page per letter: the operator and its address, the payer at the
    premises' address with the account number, the date, the subject, the text."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(0)

    def line(text: str, *, bold=False, size=None, indent=False, after=0):
        paragraph = document.add_paragraph()
        if indent:
            paragraph.paragraph_format.left_indent = Mm(90)
        paragraph.paragraph_format.space_after = Pt(after)
        run = paragraph.add_run(text)
        run.bold, run.font.size = bold, Pt(size) if size else None
        return paragraph

    for index, message in enumerate(messages):
        tenant, account = message.tenant, message.account
        language = document_language(tenant)
        labels = _LABELS[language]
        view = SimpleNamespace(profile=tenant.profile, locale=language)
        if index:
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        line(tenant.name, bold=True)
        if tenant.address:
            line(tenant.address, size=9)
        line("")
        line(account.payer_name, bold=True, indent=True)
        line(str(account.premises), indent=True)
        line(f"{labels['account']} {account.account_number}", size=9, indent=True, after=18)
        line(f"{labels['date']}: {format_date(on, view)}", size=10, after=12)
        if message.subject:
            line(message.subject, bold=True, size=13, after=10)
        for text in message.body.split("\n"):
            line(text, after=4)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def letters_queued(tenant: Tenant):
    return (
        Message.objects.filter(
            tenant=tenant, channel=MessageChannel.LETTER, status=MessageStatus.QUEUED
        )
        .select_related("tenant", "account__premises__building")
        .order_by("account__delivery_route", "account__account_number", "pk")
    )


@transaction.atomic(durable=True)
def letters_print(*, tenant: Tenant, actor=None) -> tuple[bytes, int]:
    """The tenant's queued letters (at most PRINT_BATCH_MAX) as one DOCX, marked sent in the
    same transaction. Rows are locked and skipped when another print holds them, so two staff
    printing at once never print one letter twice. (b"", 0) when none is queued."""
    ids = list(
        letters_queued(tenant)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:PRINT_BATCH_MAX]
    )
    if not ids:
        return b"", 0
    messages = list(letters_queued(tenant).filter(pk__in=ids))
    now = timezone.now()
    content = letters_docx(messages, on=timezone.localdate(now))
    Message.objects.filter(pk__in=ids).update(status=MessageStatus.SENT, sent_at=now)
    AuditEvent.objects.create(
        tenant=tenant, actor=actor, action="letters.printed", detail={"messages": ids}
    )
    return content, len(ids)
