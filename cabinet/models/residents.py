"""What the residents' area keeps: the wrong verification codes entered when linking an account,
which lock linking for a while."""

from django.conf import settings
from django.db import models


class LinkFailure(models.Model):
    """A wrong account number or verification code entered by a resident. Linking locks for the
    resident, and for the account number, after `LINK_LOCKOUT.attempts` of these within its
    window (cabinet.linking); the rows age out of the window, nothing deletes them but a
    successful link of the same number by the same resident."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    account_number = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "created_at"], name="linkfailure_user_at"),
            models.Index(fields=["account_number", "created_at"], name="linkfailure_number_at"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.account_number} {self.created_at:%Y-%m-%d %H:%M}"


__all__ = ["LinkFailure"]
