"""Idempotency of the state-changing APIs, in one place: a client sends an `Idempotency-Key`
with each request; the first answer is kept under (user, key) with a hash of the request, and a
replay gets that answer again — or 409 when the same key comes with a different request.

A payment's key is written by the payment service in the payment's own transaction and names
the payment (`IdempotencyRequest`); its replay is rendered from the payment by the caller's
`render_payment`, so the service never calls back into a view. Other answers (the coupon API of
wallets) are stored as given (`idempotent_answer`). Shared by splitting's payment API and
wallets, so it lives outside the view modules."""

import hashlib
import json
from collections.abc import Callable

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


def stored_answer(
    user, key: str, digest: str, *, render_payment: Callable[[int], dict] | None = None
) -> Response | None:
    """The first answer under this key, or None: a payment's rendered from the payment by
    `render_payment(payment_id)`, any other as it was stored. (Plain SQL: it runs before every
    payment.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT request_hash, status_code, payment_id, response FROM splitting_idempotencykey"
            " WHERE user_id = %s AND key = %s",
            [user.pk, key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    request_hash, status_code, payment_id, response = row
    if request_hash != digest:
        raise KeyConflict(
            "this Idempotency-Key was used with a different request",
            code="idempotency_key_reused",
        )
    if payment_id is not None:
        if render_payment is None:
            raise KeyConflict(
                "this Idempotency-Key was used for a payment", code="idempotency_key_reused"
            )
        return Response(render_payment(payment_id), status_code)
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


def idempotent_answer(
    user,
    key: str,
    digest: str,
    body: dict,
    status_code: int,
    *,
    payment_id: int | None = None,
    render_payment: Callable[[int], dict] | None = None,
) -> Response:
    """Keeps the answer under the key and gives it — by the payment's id when it is a
    payment's, else as given; when a concurrent request with the same key kept its answer
    first, that one is given instead."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_hash=digest,
                status_code=status_code,
                payment_id=payment_id,
                response=None if payment_id is not None else body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        replay = stored_answer(user, key, digest, render_payment=render_payment)
        if replay is not None:
            return replay
        raise
    return Response(body, status=status_code)
