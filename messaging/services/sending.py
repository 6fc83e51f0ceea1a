"""Sending queued messages: SMS through the configured adapter, e-mail through Django's mail
backend. What the SMS provider later says about delivery is recorded by
`messaging.services.delivery`.

A message is sent at most once. `message_send` follows the locking rule of STYLE.md — never
hold a lock while calling an outside system:

1. claim: in a short transaction, lock the row; only a `queued` message is claimed — it
   becomes `sending` (attempts + 1) and that is committed before anything leaves;
2. call the provider, holding no lock;
3. record in a new short transaction, and only if the row is still `sending`: `sent` with the
   provider's id; `failed` with the reason; or — when the provider certainly did not take it
   (a 5xx, a 429, a refused connection, an SMTP 4xx) and attempts remain — back to `queued`,
   so that the next attempt can claim it again.

So every state but `queued` means "do not send": `sending` is an attempt in flight (or one
whose worker died mid-call: its outcome is unknown, and it stays put for a person to check);
`sent`, `delivered`, `failed` are final. A duplicated or replayed task finds the row claimed
and does nothing.

The one window left: the provider accepted the message and our step 3 never committed (the
worker died, the database went away). The message stays `sending` and is not sent again, but
its provider id is lost, so its status callbacks go unmatched. Twilio takes no idempotency key
that would let a retry close this window; answers that leave the outcome unknown (no answer in
time after the request went out) are therefore recorded as `failed`, never retried.

Consent is checked at send time as well: an account that opted out of the channel since the
message was queued gets nothing (`failed`, "opted out")."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from integrations.sms import SmsBackend, SmsError
from messaging.models import Message, MessageChannel, MessageStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
ERROR_LENGTH = Message._meta.get_field("error").max_length
DEFAULT_SUBJECT = "Message from your settlement centre"


def sms_backend() -> SmsBackend:
    """The SMS adapter chosen in settings: Twilio when configured, else the console."""
    if settings.SMS_BACKEND == "twilio":
        from integrations.sms.twilio import TwilioSms

        return TwilioSms(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            settings.TWILIO_FROM,
            api_url=settings.TWILIO_API_URL or None,
            status_callback=settings.TWILIO_STATUS_CALLBACK_URL or None,
            timeout=settings.TWILIO_TIMEOUT,
        )
    from integrations.sms.console import ConsoleSms

    return ConsoleSms()


@dataclass(frozen=True)
class SendOutcome:
    """What one call of `message_send` did. `status` is the message's status afterwards, or
    "skipped" when it was not ours to send; `retry`: try again after a while."""

    status: str
    attempts: int = 0
    retry: bool = False
    error: str = ""


class _SendFailed(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def _refusal(message: Message) -> str:
    """Why the message must not go out at all ("" when it may)."""
    account = message.account
    if message.channel == MessageChannel.SMS:
        if not account.sms_consent:
            return "opted out of SMS"
        if not message.recipient:
            return "no phone number"
    elif message.channel == MessageChannel.EMAIL:
        if not account.email_consent:
            return "opted out of e-mail"
        if not message.recipient:
            return "no e-mail address"
    return ""


def _claim(message_id: int) -> tuple[Message | None, SendOutcome | None]:
    """Step 1: the message, now `sending`, or the outcome when there is nothing to send."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("account")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return None, SendOutcome(status="skipped", error="no such message")
        if message.channel == MessageChannel.LETTER or message.status != MessageStatus.QUEUED:
            return None, SendOutcome(status="skipped", attempts=message.attempts)
        refusal = _refusal(message)
        if refusal:
            message.status = MessageStatus.FAILED
            message.error = refusal
            message.save(update_fields=["status", "error"])
            return None, SendOutcome(status=message.status, attempts=message.attempts)
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
        return message, None


def _sms_send(message: Message) -> tuple[str, str]:
    try:
        result = sms_backend().send(to=message.recipient, body=message.body)
    except SmsError as error:
        raise _SendFailed(error.message, retryable=error.retryable) from error
    status = MessageStatus.FAILED if result.status == "failed" else MessageStatus.SENT
    return result.provider_id, status


def _smtp_code_retryable(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def _email_send(message: Message) -> tuple[str, str]:
    """Through the configured mail backend. The connection is opened first, so that a server
    that cannot be reached (nothing sent: retry) is told apart from one that broke off while
    taking the message (it may have it: do not retry)."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except smtplib.SMTPAuthenticationError as error:
        raise _SendFailed(f"SMTP sign-in refused: {error}", retryable=False) from error
    except (smtplib.SMTPException, OSError) as error:
        raise _SendFailed(f"SMTP server unreachable: {error}", retryable=True) from error
    email = EmailMessage(
        subject=message.subject or DEFAULT_SUBJECT,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        connection=connection,
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        retryable = bool(codes) and all(_smtp_code_retryable(code) for code in codes)
        raise _SendFailed(
            f"SMTP refused the recipient: {error.recipients}", retryable=retryable
        ) from error
    except smtplib.SMTPResponseException as error:
        text = error.smtp_error.decode(errors="replace") if error.smtp_error else ""
        raise _SendFailed(
            f"SMTP {error.smtp_code}: {text}", retryable=_smtp_code_retryable(error.smtp_code)
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise _SendFailed(
            f"SMTP connection broke off while sending; it may have been sent: {error}",
            retryable=False,
        ) from error
    finally:
        connection.close()
    return "", MessageStatus.SENT


def _record(message_id: int, **fields) -> None:
    """Step 3, as one conditional UPDATE: it applies only while the row is still `sending`."""
    if "error" in fields:
        fields["error"] = fields["error"][:ERROR_LENGTH]
    updated = Message.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(**fields)
    if not updated:
        logger.warning("message %s left `sending` during its attempt; kept as it is", message_id)


def message_send(*, message_id: int, max_attempts: int = MAX_ATTEMPTS) -> SendOutcome:
    """One attempt to send a queued SMS or e-mail (see the module's docstring). Letters are
    printed, not sent: they are skipped and stay `queued`."""
    message, outcome = _claim(message_id)
    if message is None:
        return outcome
    attempts = message.attempts
    try:
        if message.channel == MessageChannel.SMS:
            provider_id, status = _sms_send(message)
        else:
            provider_id, status = _email_send(message)
    except _SendFailed as failure:
        if failure.retryable and attempts < max_attempts:
            error = f"attempt {attempts} failed, will retry: {failure.message}"
            _record(message_id, status=MessageStatus.QUEUED, error=error)
            return SendOutcome(status=MessageStatus.QUEUED, attempts=attempts, retry=True)
        error = failure.message
        if failure.retryable:
            error = f"gave up after {attempts} attempts: {error}"
        _record(message_id, status=MessageStatus.FAILED, error=error)
        return SendOutcome(status=MessageStatus.FAILED, attempts=attempts, error=error)
    except Exception as error:
        # A fault of ours (or an adapter's) mid-send: the outcome is unknown, so no retry.
        logger.exception("sending message %s failed unexpectedly", message_id)
        text = f"unexpected error while sending; it may have been sent: {error!r}"
        _record(message_id, status=MessageStatus.FAILED, error=text)
        return SendOutcome(status=MessageStatus.FAILED, attempts=attempts, error=text)
    _record(
        message_id,
        status=status,
        provider_id=provider_id,
        sent_at=timezone.now(),
        error="" if status == MessageStatus.SENT else "the provider refused it",
    )
    return SendOutcome(status=status, attempts=attempts)
