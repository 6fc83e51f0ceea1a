"""A settlement file by e-mail: one message with the file attached, through Django's e-mail
backend (SMTP in production, `EMAIL_*` settings).

What the SMTP server does — refuses the sender or a recipient, drops the connection, is not
there — never raises: it comes back as `DeliveryResult(ok=False, error=…)`. The attachment is
base64-encoded whatever its type, so the bytes the supplier saves are the bytes we built (a
`text/*` attachment handed to Django as bytes would be decoded and re-encoded, and its CRLF
line ends are not guaranteed to survive).
"""

from __future__ import annotations

import logging
import smtplib
import time
from email.message import MIMEPart

from django.core.mail import EmailMessage

from .types import DeliveryResult

logger = logging.getLogger(__name__)


def _attachment(*, filename: str, content: bytes, content_type: str) -> MIMEPart:
    """`content_type` as "type/subtype[; param=value…]", e.g. "text/plain; charset=windows-1251"."""
    kind, *raw_params = (part.strip() for part in content_type.split(";"))
    maintype, slash, subtype = kind.partition("/")
    if not slash or not maintype or not subtype:
        raise ValueError(f"content type {content_type!r}: expected type/subtype")
    params = {}
    for raw in raw_params:
        name, eq, value = raw.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"content type {content_type!r}: bad parameter {raw!r}")
        params[name.strip().lower()] = value.strip().strip('"')
    part = MIMEPart()
    part.set_content(
        content,
        maintype=maintype.lower(),
        subtype=subtype.lower(),
        cte="base64",
        disposition="attachment",
        filename=filename,
        params=params,
    )
    return part


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _smtp_error(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(message)}"
            for address, (code, message) in error.recipients.items()
        )
        return f"SMTP server refused the recipients: {refused}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        return f"SMTP server refused the sender {error.sender}: {reason}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"SMTP sign-in refused: {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP server answered {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"SMTP server closed the connection: {error}"
    if isinstance(error, TimeoutError):
        return f"SMTP server did not answer in time: {error}"
    if isinstance(error, OSError):
        return f"SMTP server unreachable: {error}"
    return f"SMTP error: {error}"


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def file_email_send(
    *,
    to: list[str],
    subject: str,
    body: str,
    filename: str,
    content: bytes,
    content_type: str,
    from_email: str | None = None,
    connection=None,
) -> DeliveryResult:
    """Sends `body` to `to` with `content` attached as `filename` (`content_type`, with its
    parameters, e.g. "text/plain; charset=windows-1251"). `from_email` defaults to
    `DEFAULT_FROM_EMAIL`, `connection` to the configured backend (its `EMAIL_TIMEOUT` bounds
    the wait). ok=True means the SMTP server accepted the message for at least one recipient
    (a server that refuses some recipients but not all still takes it, as SMTP does). Never
    raises for what the server does, nor for a recipient list, subject or content type that
    cannot make a message: those come back as ok=False with the reason."""
    started = time.monotonic()
    recipients = [address.strip() for address in to if address and address.strip()]
    if not recipients:
        return DeliveryResult(ok=False, error="no recipient address", duration_ms=0)
    try:
        attachment = _attachment(filename=filename, content=content, content_type=content_type)
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=from_email,
            to=recipients,
            connection=connection,
        )
        message.attach(attachment)
        sent = message.send(fail_silently=False)
    except ValueError as error:  # a line break in a header, a content type without "/"
        return DeliveryResult(
            ok=False, error=f"the message cannot be built: {error}", duration_ms=_elapsed(started)
        )
    except (smtplib.SMTPException, OSError) as error:
        logger.info("e-mail of %s to %s failed: %s", filename, recipients, error)
        return DeliveryResult(ok=False, error=_smtp_error(error), duration_ms=_elapsed(started))
    if not sent:
        return DeliveryResult(
            ok=False, error="the e-mail backend sent nothing", duration_ms=_elapsed(started)
        )
    return DeliveryResult(ok=True, error="", duration_ms=_elapsed(started))
