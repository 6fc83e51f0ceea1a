"""Choice labels and texts built outside a request follow the reader's language, not the one
active when the module was imported."""

from types import SimpleNamespace

from django.conf import settings
from django.utils import translation

from cabinet.models import RequestKind
from cabinet.requests_views import RequestForm
from debt_collection import case_views
from debt_collection.models import CaseStage
from invoicing.models import PeriodStatus
from splitting.models import Channel
from tests.cabinet.test_i18n import visible_text
from tests.splitting.helpers import pay
from wallets.models import CouponStatus

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]

PAYMENTS = "/cabinet/accounts/rc-charges/00000001/payments/"


def test_choice_labels_are_translated_when_shown():
    labels = [Channel.BANK, CaseStage.QUEUE, RequestKind.COMPLAINT, PeriodStatus.OPEN]
    labels.append(CouponStatus.VALID)
    with translation.override("ru"):
        russian = [str(choice.label) for choice in labels]
    with translation.override("en"):
        english = [str(choice.label) for choice in labels]
    assert russian == ["Банковский перевод", "В очереди", "Жалоба", "Открыт", "Действителен"]
    assert english == ["Bank transfer", "In queue", "Complaint", "Open", "Valid"]


def test_the_request_forms_file_hint_follows_the_language():
    with translation.override("ru"):
        assert "не больше 5 МБ" in str(RequestForm().fields["files"].help_text)
    with translation.override("en"):
        assert "at most 5 MB" in str(RequestForm().fields["files"].help_text)


def test_the_contact_message_names_the_kind_by_its_label(monkeypatch):
    monkeypatch.setattr(case_views.case_services, "contact_log", lambda **kwargs: None)
    request, form = SimpleNamespace(user=None), SimpleNamespace(cleaned_data={"kind": "visit"})
    with translation.override("ru"):
        assert case_views._contact(request, None, form) == "Контакт записан (визит)."
    with translation.override("en"):
        assert case_views._contact(request, None, form) == "The visit is logged."


def test_the_residents_payments_name_the_channel_in_russian(client, billed, resident):
    pay(billed, "VK-0001", 20_000, channel="bank")
    client.force_login(resident)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = visible_text(client.get(PAYMENTS))
    assert "Банковский перевод" in text and "Bank transfer" not in text
