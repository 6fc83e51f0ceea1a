"""Transports for the files that leave the system: e-mail with the file attached (SMTP, through
Django's backend) and SFTP upload (paramiko). Pure adapters: no models, no domain apps; each
returns a `DeliveryResult` and never raises for what the other side does."""

from .email import file_email_send
from .sftp import HostKey, host_keys_parse, sftp_upload
from .types import DeliveryResult

__all__ = ["DeliveryResult", "HostKey", "file_email_send", "host_keys_parse", "sftp_upload"]
