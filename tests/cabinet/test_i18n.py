"""English and Russian: the language switch in the header sets a cookie that keeps the choice,
and the cabinet's pages render in Russian from the committed catalogue."""

import html
import re

from django.conf import settings

from cabinet.models import CabinetSettings, Meter
from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory

pytest_plugins = ["tests.warehouse.charges_fixtures", "tests.cabinet.bills_fixtures"]


def test_pages_are_english_by_default_with_a_language_switch(client, db):
    page = client.get("/staff/login/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="language"' in page
    assert "Sign in" in page and "Войти" not in page


def test_the_switch_renders_the_cabinet_in_russian_and_the_choice_persists(client, world):
    user = UserFactory()
    AccountHolderFactory(user=user, account=world.accounts["VK-0001"])
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/cabinet/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/cabinet/notifications/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"

    page = client.get("/cabinet/notifications/").content.decode()
    assert '<html lang="ru">' in page
    assert "Уведомления" in page and "Напомнить мне…" in page and "Выйти" in page
    assert "Notifications" not in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Notifications" in client.get("/cabinet/notifications/").content.decode()


def test_the_supplier_cabinet_in_russian(client, world):
    client.force_login(MembershipFactory(supplier=world.supplier).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get("/supplier/debt/").content.decode()
    assert "Долги по срокам" in page and "Никто из жителей вам не должен." in page


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, scripts and styles, spaces collapsed."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# Per page: the Russian headings and buttons a reader must see, and their English originals
# that must not be left over.
RESIDENT_PAGES = {
    "": (
        ["Мои долги", "Всего к оплате", "К оплате по поставщикам", "Оплатить 420,00"],
        ["My debts", "Due in total", "Due per supplier", "Pay 420"],
    ),
    "accounts/rc-charges/00000001/documents/2026-12/": (
        ["Квитанция за декабрь 2026", "Единый платёжный документ", "Итого к оплате", "Оплатить"],
        ["Bill for", "Amount due", "Documents archive", "Meter readings"],
    ),
    "accounts/rc-charges/00000001/pay/": (
        ["Что оплатить", "Остаток", "Всю сумму к оплате", "Продолжить"],
        ["What to pay", "The whole amount due", "Continue", "Open"],
    ),
    "accounts/rc-charges/00000001/readings/": (
        ["Показания счётчиков", "Передать показание", "Последние показания"],
        ["Meter readings", "Submit reading", "Recent readings", "Last reading"],
    ),
    "accounts/rc-charges/00000001/requests/": (
        ["Ваши обращения", "Новое обращение", "Подать обращение"],
        ["Your requests", "New request", "File request"],
    ),
}


def test_the_residents_key_pages_read_in_russian(client, billed, resident):
    Meter.objects.create(
        tenant=billed.tenant,
        premises=billed.account("VK-0001").premises,
        supplier=billed.supplier,
        service=billed.services["CW"],
        serial="CW-1",
    )
    # Readings open all month, so the form (and its button) is on the page whatever the day.
    CabinetSettings.objects.update_or_create(
        tenant=billed.tenant, defaults={"reading_window_start": 1, "reading_window_end": 31}
    )
    client.force_login(resident)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    for path, (russian, english) in RESIDENT_PAGES.items():
        response = client.get("/cabinet/" + path)
        assert response.status_code == 200, path
        text = visible_text(response)
        assert "Выйти" in text and "Sign out" not in text, path
        assert [phrase for phrase in russian if phrase not in text] == [], path
        assert [phrase for phrase in english if phrase in text] == [], path


def test_the_supplier_payments_page_reads_in_russian(client, world):
    client.force_login(MembershipFactory(supplier=world.supplier).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = visible_text(client.get("/supplier/"))
    assert "Платежи в вашу пользу" in text and "Итоги по дням" in text and "Применить" in text
    assert "Payments in your favour" not in text and "Totals per day" not in text
    assert "Filter" not in text and "Registries" not in text


def test_the_start_page_invites_residents_in_russian(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = visible_text(client.get("/"))
    assert "Вход для жителей" in text and "Создать личный кабинет" in text
    assert "Staff sign-in" not in text and "Create a cabinet" not in text
