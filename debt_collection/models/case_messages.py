"""Which messages belong to which debt case. Messaging knows accounts, not cases, so the link is
debt collection's: one row per message sent on a case (a dunning message while the account's
case was open, an agent's SMS or letter from the case page). `DebtCase.messages` reads it."""

from django.db import models

from messaging.models import Message


class CaseMessage(models.Model):
    """That `message` was sent on `case`. A message is on one case at most (it is the key);
    deleting the case drops the link and keeps the message, as the account's history."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="case_link"
    )
    case = models.ForeignKey("DebtCase", on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"message {self.message_id} on case {self.case_id}"
