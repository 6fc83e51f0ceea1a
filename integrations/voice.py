"""Click-to-call through Twilio Programmable Voice, with Twilio's own client. Twilio rings the
agent's phone first; once they answer it dials the debtor, showing the operator's number (TwiML
`<Dial callerId=…>`), so a debtor never sees an agent's own number and every call goes through
the operator's line. `api_url` points the client elsewhere, as for SMS."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from integrations.sms.twilio import DEFAULT_TIMEOUT, _RebasedHttpClient


class VoiceError(Exception):
    pass


def bridge_twiml(*, debtor: str, caller_id: str) -> str:
    return (
        f"<Response><Dial callerId={quoteattr(caller_id)}>"
        f"<Number>{escape(debtor)}</Number></Dial></Response>"
    )


class TwilioVoice:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        api_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        if not (account_sid and auth_token and from_):
            raise ValueError("Twilio needs an account SID, an auth token and a From number")
        self.from_ = from_
        http_client = (
            _RebasedHttpClient(api_url, timeout=timeout)
            if api_url
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)

    def bridge(self, *, agent: str, debtor: str) -> str:
        """Starts the call; returns Twilio's call SID."""
        try:
            call = self.client.calls.create(
                to=agent,
                from_=self.from_,
                twiml=bridge_twiml(debtor=debtor, caller_id=self.from_),
            )
        except (TwilioException, requests.RequestException) as error:
            raise VoiceError(f"Twilio did not start the call: {error}") from error
        return call.sid
