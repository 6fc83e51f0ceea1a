"""The demo procedure (SMS at 5 days past due and 100.00 overdue, e-mail at 15, letter at 30,
call task at 45, pre-trial claim at 60, court claim at 90) and its message texts in English and
Russian — also the texts a level without a template of its own sends."""

from django.db import transaction
from django.utils import translation

from debt_collection.models import DunningAction, DunningLevel
from debt_collection.models.dunning import DEFAULT_LEVEL_NAMES
from messaging.models import MessageTemplate
from warehouse.models import Tenant

DEFAULT_TEXTS = {
    "en": {
        "sms": (
            "",
            "{{ tenant }}: account {{ account_number }} is {{ days_past_due }} days overdue, "
            "{{ overdue }} to pay. Pay: {{ pay_url }}",
        ),
        "email": (
            "Payment reminder: account {{ account_number }}",
            "Dear {{ payer_name }},\n\nour records show {{ overdue }} overdue on account "
            "{{ account_number }} since {{ oldest_period }} ({{ days_past_due }} days).\n"
            "{% for s in suppliers %}- {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Total due: {{ total_due }}.\n\nPay online: {{ pay_url }}\n\n{{ tenant }}",
        ),
        "letter": (
            "Notice of overdue payment",
            "{{ payer_name }}\nAccount {{ account_number }}\n\n"
            "The account has {{ overdue }} overdue for {{ days_past_due }} days "
            "(since {{ oldest_period }}):\n"
            "{% for s in suppliers %}  {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Please pay {{ total_due }} within 10 days to avoid further action.\n"
            "Pay online: {{ pay_url }}\n\n{{ tenant }}",
        ),
    },
    "ru": {
        "sms": (
            "",
            "{{ tenant }}: по л/с {{ account_number }} долг {{ overdue }}, просрочка "
            "{{ days_past_due }} дн. Оплата: {{ pay_url }}",
        ),
        "email": (
            "Напоминание об оплате: л/с {{ account_number }}",
            "Уважаемый(ая) {{ payer_name }}!\n\nПо лицевому счёту {{ account_number }} "
            "просрочена оплата {{ overdue }} с {{ oldest_period }} ({{ days_past_due }} дн.).\n"
            "{% for s in suppliers %}- {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Всего к оплате: {{ total_due }}.\n\nОплатить: {{ pay_url }}\n\n{{ tenant }}",
        ),
        "letter": (
            "Уведомление о задолженности",
            "{{ payer_name }}\nЛицевой счёт {{ account_number }}\n\n"
            "Задолженность {{ overdue }}, просрочка {{ days_past_due }} дн. "
            "(с {{ oldest_period }}):\n"
            "{% for s in suppliers %}  {{ s.name }}: {{ s.overdue }}\n{% endfor %}"
            "Просим оплатить {{ total_due }} в течение 10 дней.\n"
            "Оплатить: {{ pay_url }}\n\n{{ tenant }}",
        ),
    },
}

# (position, name, days past due, action, wait days, template code); the names are seeded in
# the tenant's message language and read in each reader's (`DunningLevel.display_name`).
_DEFAULT_LEVELS = (
    (1, DEFAULT_LEVEL_NAMES[0], 5, DunningAction.SMS, 7, "dunning-sms"),
    (2, DEFAULT_LEVEL_NAMES[1], 15, DunningAction.EMAIL, 7, "dunning-email"),
    (3, DEFAULT_LEVEL_NAMES[2], 30, DunningAction.LETTER, 10, "dunning-letter"),
    (4, DEFAULT_LEVEL_NAMES[3], 45, DunningAction.CALL_TASK, 10, None),
    (5, DEFAULT_LEVEL_NAMES[4], 60, DunningAction.PRE_TRIAL, 20, None),
    (6, DEFAULT_LEVEL_NAMES[5], 90, DunningAction.COURT, 0, None),
)
DEFAULT_MIN_DEBT = 10000  # 100.00


def message_language(tenant: Tenant) -> str:
    """The language of the tenant's messages, as its country decides."""
    return tenant.country.message_language(tenant.locale)


def _in_language(text, language: str) -> str:
    with translation.override(language):
        return str(text)


def dunning_defaults(*, tenant: Tenant) -> list[DunningLevel]:
    """The demo procedure (SMS at 5 days past due and 100.00 overdue, e-mail at 15, letter at
    30, call task at 45, pre-trial claim at 60, court claim at 90) and its templates in the
    tenant's language. Idempotent: existing templates and levels are left as staff edited
    them."""
    language = message_language(tenant)
    texts = DEFAULT_TEXTS[language]
    templates = {}
    with transaction.atomic():
        for channel, (subject, body) in texts.items():
            templates[f"dunning-{channel}"], _ = MessageTemplate.objects.get_or_create(
                tenant=tenant,
                code=f"dunning-{channel}",
                defaults={"channel": channel, "subject": subject, "body": body},
            )
        for position, name, dpd, action, wait, code in _DEFAULT_LEVELS:
            DunningLevel.objects.get_or_create(
                tenant=tenant,
                position=position,
                defaults={
                    "name": _in_language(name, language),
                    "days_past_due": dpd,
                    "min_debt": DEFAULT_MIN_DEBT,
                    "action": action,
                    "wait_days": wait,
                    "template": templates.get(code),
                },
            )
    return list(DunningLevel.objects.filter(tenant=tenant).order_by("position"))
