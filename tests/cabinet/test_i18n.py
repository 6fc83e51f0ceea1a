"""English and Russian: the language switch in the header sets a cookie that keeps the choice,
and the cabinet's pages render in Russian from the committed catalogue."""

from django.conf import settings

from tests.factories import AccountHolderFactory, MembershipFactory, UserFactory

pytest_plugins = ["tests.warehouse.charges_fixtures"]


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
