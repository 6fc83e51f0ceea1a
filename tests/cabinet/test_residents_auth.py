"""Residents sign up with an e-mail or a phone, sign in with either, sign out, and reset a
forgotten password by e-mail; failed sign-ins are rate-limited per address and per login."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from cabinet import ratelimit
from tests.factories import PASSWORD, UserFactory
from warehouse.models import AuditEvent, User

pytestmark = pytest.mark.django_db

GOOD = "Kvartira-42-Sever"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def signup(client, **fields):
    data = {"email": "", "phone": "", "first_name": "", "password1": GOOD, "password2": GOOD}
    return client.post("/cabinet/signup/", data | fields)


def test_sign_up_by_email_signs_in_and_asks_to_link_an_account(client):
    response = signup(client, email="Olga@Example.org", first_name="Olga")
    assert response.status_code == 302
    assert response.url == "/cabinet/link/"
    user = User.objects.get(email="olga@example.org")
    assert user.username == "olga@example.org"
    assert user.check_password(GOOD)
    assert AuditEvent.objects.filter(actor=user, action="cabinet.signed_up").exists()
    assert client.get("/cabinet/").status_code == 200  # signed in


def test_sign_up_by_phone_normalises_it(client):
    response = signup(client, phone="8 (916) 123-45-67")
    assert response.status_code == 302
    user = User.objects.get(phone="+79161234567")
    assert user.username == "+79161234567"


def test_sign_up_refuses_weak_passwords_with_field_errors(client):
    response = signup(client, email="a@example.org", password1="12345678", password2="12345678")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password1" in errors
    assert not User.objects.filter(email="a@example.org").exists()
    html = response.content.decode()
    assert 'class="field-error"' in html and "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "__all__"),
        ({"email": "x@example.org", "password2": "Other-password-9"}, "password2"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_sign_up_bad_input_is_a_form_error_and_creates_nobody(client, fields, field):
    before = User.objects.count()
    response = signup(client, **fields)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert User.objects.count() == before


def test_sign_up_twice_with_the_same_email_or_phone_is_refused(client):
    UserFactory(username="ivan", email="ivan@example.org", phone="+79160000001")
    response = signup(client, email="IVAN@example.org")
    assert "email" in response.context["form"].errors
    response = signup(client, phone="+7 916 000-00-01")
    assert "phone" in response.context["form"].errors


@pytest.mark.parametrize("login", ["ivan@example.org", "IVAN@EXAMPLE.ORG", "8 916 000 00 01"])
def test_sign_in_by_email_or_phone(client, login):
    UserFactory(username="ivan", email="ivan@example.org", phone="+79160000001")
    response = client.post("/cabinet/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/cabinet/"
    assert client.session["_auth_user_id"]


def test_sign_in_follows_a_local_next_only(client):
    UserFactory(username="ivan", email="ivan@example.org")
    data = {"login": "ivan@example.org", "password": PASSWORD}
    response = client.post("/cabinet/login/", data | {"next": "https://evil.example/"})
    assert response.url == "/cabinet/"
    client.logout()
    response = client.post("/cabinet/login/", data | {"next": "/cabinet/link/"})
    assert response.url == "/cabinet/link/"


def test_staff_still_sign_in_with_their_username(client):
    UserFactory(username="anna")
    response = client.post("/staff/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_a_form_error(client):
    UserFactory(username="ivan", email="ivan@example.org")
    response = client.post("/cabinet/login/", {"login": "ivan@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_rate_limited_per_login(client):
    UserFactory(username="ivan", email="ivan@example.org")
    for _ in range(5):
        client.post("/cabinet/login/", {"login": "ivan@example.org", "password": "nope"})
    # Even the right password is refused while the limit holds.
    response = client.post("/cabinet/login/", {"login": "ivan@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another login from elsewhere is not affected.
    UserFactory(username="olga", email="olga@example.org")
    other = client.post(
        "/cabinet/login/",
        {"login": "olga@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 302


def test_sign_in_is_rate_limited_per_address(client, monkeypatch):
    # The limit itself is 20 per 15 minutes; three keeps the test quick (each try hashes).
    monkeypatch.setattr(ratelimit, "SIGN_IN_PER_IP", ratelimit.Limit("signin-ip", 3, 900))
    UserFactory(username="ivan", email="ivan@example.org")
    for n in range(3):
        client.post("/cabinet/login/", {"login": f"guess{n}@example.org", "password": "x"})
    response = client.post("/cabinet/login/", {"login": "ivan@example.org", "password": PASSWORD})
    assert response.status_code == 429
    elsewhere = client.post(
        "/cabinet/login/",
        {"login": "ivan@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert elsewhere.status_code == 302


def test_the_staff_sign_in_page_shares_the_limits(client):
    """Residents' e-mails work on /staff/login/ too; the limit holds there as well."""
    UserFactory(username="ivan", email="ivan@example.org")
    for _ in range(5):
        client.post("/cabinet/login/", {"login": "ivan@example.org", "password": "nope"})
    response = client.post("/staff/login/", {"username": "ivan@example.org", "password": PASSWORD})
    assert response.status_code == 200  # the form again, not signed in
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/cabinet/logout/")
    assert response.status_code == 302 and response.url == "/cabinet/login/"
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_works_once(client):
    user = UserFactory(username="olga@example.org", email="olga@example.org")
    response = client.post("/cabinet/password-reset/", {"email": "olga@example.org"})
    assert response.status_code == 302 and response.url == "/cabinet/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olga@example.org"]
    link = re.search(r"https?://[^/\s]+(/cabinet/password-reset/[^\s]+/)", message.body).group(1)

    opened = client.get(link, follow=True)
    assert opened.status_code == 200 and opened.context["validlink"]
    set_url = opened.redirect_chain[-1][0]
    new = "Novyi-parol-2027"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == "/cabinet/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)

    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "does not work any more" in again.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post("/cabinet/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == "/cabinet/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_requests_are_rate_limited_per_address(client):
    for _ in range(5):
        client.post("/cabinet/password-reset/", {"email": "nobody@example.org"})
    response = client.post("/cabinet/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 429


def test_session_cookies_are_http_only_and_secure_outside_debug():
    """Read from a fresh interpreter with DEBUG off, as production starts."""
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "False",
        "SECRET_KEY": "test-not-a-secret",
    }
    env.pop("SESSION_COOKIE_SECURE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "True", "True"]


def test_the_old_my_page_is_the_cabinet_home(client):
    client.force_login(UserFactory())
    response = client.get("/my/")
    assert response.status_code == 200
    assert response.templates[0].name == "cabinet/home.html"
