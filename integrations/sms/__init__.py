"""SMS adapters: the interface (`base`), the console backend (the embedded default) and Twilio.
The domain (debt_collection) picks one by `settings.SMS_BACKEND`."""

from .base import SmsBackend, SmsError, SmsResult, status_from_provider

__all__ = ["SmsBackend", "SmsError", "SmsResult", "status_from_provider"]
