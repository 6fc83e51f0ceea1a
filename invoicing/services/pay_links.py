"""Personal pay links and TANs. The token in `/pay/<token>` carries ≥ 128 random bits and is
never stored: the database keeps its SHA-256 for lookup. To print the link again (a PDF
re-rendered a month later), the token is derived — HMAC-SHA256 under a server key over the
document's random salt — so a copy of the database alone reveals no working link. The TAN is
derived the same way; only its hash is kept."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

from django.conf import settings

from core.ratelimit import Lockout

TOKEN_BYTES = 16  # 128 bits
# The pay links whose TAN this browser session has passed (document ids).
TAN_SESSION_KEY = "pay_link_tan_ok"


def _key() -> bytes:
    return hashlib.sha256(("pay-link:" + settings.SECRET_KEY).encode()).digest()


def new_salt() -> str:
    return secrets.token_hex(16)


def pay_token(salt: str) -> str:
    digest = hmac.new(_key(), f"token:{salt}".encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


def tan_for(salt: str) -> str:
    digest = hmac.new(_key(), f"tan:{salt}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secrets_match(given: str, expected_hash: str) -> bool:
    return hmac.compare_digest(digest(given.strip()), expected_hash)


def mask_name(name: str) -> str:
    """ "Иванов Иван Иванович" → "И. Ив***": enough to recognise a bill, nothing more."""
    parts = name.split()
    if not parts:
        return "***"
    if len(parts) == 1:
        return parts[0][:2] + "***"
    return (
        f"{parts[1][:1]}. {parts[0][:2]}***"
        if len(parts) > 2
        else (f"{parts[0][:1]}. {parts[1][:2]}***")
    )


# Five wrong TANs lock the link for an hour (`core.ratelimit`; the count and the lock are kept
# on the document, so that they survive a restart).
TAN_LOCKOUT = Lockout(attempts=5, window=timedelta(hours=1))


def tan_locked(document, now: datetime) -> bool:
    return TAN_LOCKOUT.locked(document.tan_locked_until, now)


def pay_link_check_tan(*, document_id: int, tan: str) -> str:
    """ "ok", "wrong" or "locked". Five wrong TANs lock the link for an hour."""
    from django.db import transaction
    from django.utils import timezone

    from invoicing.models import PaymentDocument

    with transaction.atomic():
        document = PaymentDocument.objects.select_for_update().get(pk=document_id)
        now = timezone.now()
        if tan_locked(document, now):
            return "locked"
        if secrets_match(tan, document.tan_hash):
            document.tan_failures, document.tan_locked_until = 0, None
            document.save(update_fields=["tan_failures", "tan_locked_until"])
            return "ok"
        failures, until = TAN_LOCKOUT.after_failure(document.tan_failures, now)
        document.tan_failures = failures
        if until is not None:
            document.tan_locked_until = until
            document.save(update_fields=["tan_failures", "tan_locked_until"])
            return "locked"
        document.save(update_fields=["tan_failures"])
        return "wrong"
