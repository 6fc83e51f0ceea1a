"""The embedded default: SMS "sent" to the log and the console, never to a phone. The demo and
the tests without Twilio settings use it."""

from __future__ import annotations

import logging
import sys
import uuid
from typing import TextIO

from .base import SmsResult

logger = logging.getLogger("integrations.sms")


class ConsoleSms:
    name = "console"

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send(self, *, to: str, body: str) -> SmsResult:
        provider_id = f"console-{uuid.uuid4().hex}"
        logger.info("SMS %s to %s: %s", provider_id, to, body)
        stream = self.stream or sys.stdout
        stream.write(f"--- SMS {provider_id} to {to} ---\n{body}\n")
        stream.flush()
        return SmsResult(provider_id=provider_id, status="sent")
