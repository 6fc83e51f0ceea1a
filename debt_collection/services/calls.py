"""The telephony adapter of click-to-call on the case page (`cases.case_call`)."""

from django.conf import settings


def voice_backend():
    """Twilio Voice for click-to-call when `TWILIO_VOICE_ENABLED` and Twilio is configured;
    None otherwise (the case page then offers the phone's tel: link only)."""
    if not (settings.TWILIO_VOICE_ENABLED and settings.SMS_BACKEND == "twilio"):
        return None
    from integrations.voice import TwilioVoice

    return TwilioVoice(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_FROM,
        api_url=settings.TWILIO_API_URL or None,
        timeout=settings.TWILIO_TIMEOUT,
    )
