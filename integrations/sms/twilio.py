"""SMS through Twilio's Programmable Messaging, with Twilio's own Python library (`twilio`).

- a message is `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with To, From, Body and,
  when configured, StatusCallback: the URL Twilio posts the message's delivery status to;
- `api_url` points the client at another address (the tests' local double on loopback, a
  staging stub). The library has no base-URL option; its supported extension point is the
  `http_client` (Twilio's "custom HTTP clients" guide), so `_RebasedHttpClient` — the
  library's own `TwilioHttpClient` — swaps the scheme and host of every request and keeps
  the path;
- errors: a 4xx answer is a refusal for good (21211: invalid "To" number; 20003: bad
  credentials) except 429 (too many requests); a 5xx, a 429 or a connection that could not be
  made may be retried. No answer in time after the request went out is *not* retryable: Twilio
  may have accepted the message, and Twilio has no idempotency key to make a second request
  safe;
- a status callback carries `X-Twilio-Signature`: `signature_valid` checks it with the
  library's `RequestValidator` (HMAC-SHA1 of the full URL and the sorted POST parameters,
  keyed by the auth token)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .base import SmsError, SmsResult, status_from_provider

DEFAULT_TIMEOUT = 10.0


class _RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending every request to `base_url` instead of *.twilio.com."""

    def __init__(self, base_url: str, *, timeout: float):
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"TWILIO_API_URL must be an http(s) URL, not {base_url!r}")
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        rebased = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, rebased, *args, **kwargs)


def _connection_never_made(error: requests.RequestException) -> bool:
    """True when the request cannot have reached the provider (refused, unresolvable host,
    connect timeout); False when it may have (reset or timed out while waiting for the answer)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and error.args:
        cause = error.args[0]
        return isinstance(cause, MaxRetryError) and isinstance(cause.reason, NewConnectionError)
    return False


class TwilioSms:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        api_url: str | None = None,
        status_callback: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        if not (account_sid and auth_token and from_):
            raise ValueError("Twilio needs an account SID, an auth token and a From number")
        self.from_ = from_
        self.status_callback = status_callback or None
        http_client = (
            _RebasedHttpClient(api_url, timeout=timeout)
            if api_url
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def send(self, *, to: str, body: str) -> SmsResult:
        options = {"to": to, "from_": self.from_, "body": body}
        if self.status_callback:
            options["status_callback"] = self.status_callback
        try:
            message = self.client.messages.create(**options)
        except (TwilioRestException, TwilioServiceException) as error:
            status = int(error.status or 0)
            code = str(error.code or status)
            text = getattr(error, "msg", "") or getattr(error, "title", "") or str(status)
            retryable = status >= 500 or status == 429
            raise SmsError(
                f"Twilio {status} ({code}): {text}", retryable=retryable, code=code
            ) from error
        except requests.RequestException as error:
            if _connection_never_made(error):
                raise SmsError(f"Twilio unreachable: {error}", retryable=True) from error
            raise SmsError(
                "no answer from Twilio after the request went out; it may have been sent "
                f"(check Twilio's log before sending again): {error}",
                retryable=False,
            ) from error
        except TwilioException as error:
            raise SmsError(f"Twilio: {error}", retryable=False) from error
        status = status_from_provider(message.status or "") or "sent"
        return SmsResult(provider_id=message.sid, status=status)


def signature_valid(*, auth_token: str, url: str, params: Mapping, signature: str) -> bool:
    """Whether `signature` (the X-Twilio-Signature header) is Twilio's for a POST to `url` with
    form parameters `params` (a dict or a Django QueryDict). Empty token or signature: False."""
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)
