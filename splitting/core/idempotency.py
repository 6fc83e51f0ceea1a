"""Idempotency of the state-changing APIs: a client sends an `Idempotency-Key` with each
request; the first answer is stored under (user, key) with a hash of the request, and a replay
gets that answer again — or 409 when the same key comes with a different request. Shared by
splitting's payment API and the coupon API of wallets (an app above), so it lives outside the
view modules."""

import hashlib
import json

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from core.errors import ApplicationError
from splitting.models import IdempotencyKey


class KeyInvalid(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST


class KeyConflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


def request_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def stored_answer(user, key: str, digest: str) -> Response | None:
    """The answer stored under this key, or None. (Plain SQL: it runs before every payment.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT request_hash, status_code, response FROM splitting_idempotencykey"
            " WHERE user_id = %s AND key = %s",
            [user.pk, key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    request_hash, status_code, response = row
    if request_hash != digest:
        raise KeyConflict(
            "this Idempotency-Key was used with a different request",
            code="idempotency_key_reused",
        )
    return Response(json.loads(response) if isinstance(response, str) else response, status_code)


def idempotency_key(request, *, required: bool) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if (required and not key) or len(key) > 100:
        raise KeyInvalid(
            "the Idempotency-Key header is "
            + ("required (1 to 100 characters)" if required else "1 to 100 characters"),
            code="idempotency_key_required" if required else "idempotency_key_invalid",
        )
    return key


def idempotent_answer(user, key: str, digest: str, body: dict, status_code: int) -> Response:
    """Stores the answer under the key and gives it; when a concurrent request with the same key
    stored its answer first, that one is given instead."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_hash=digest,
                status_code=status_code,
                response=body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        replay = stored_answer(user, key, digest)
        if replay is not None:
            return replay
        raise
    return Response(body, status=status_code)
