"""The clerk's coupon page (verify, redeem once, other offices' coupons unknown), the operator's
wallet pages (payers, new payer with its admin's invitation, the coupon report on screen and as
XLSX), the hourly expiry task and the demo's wallets."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from core.templatetags.money import money
from splitting.core.ledger_check import ledger_check
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import CorporateInvitation, CorporatePayer, Coupon, CouponStatus
from wallets.services.coupons import coupon_cancel, coupon_redeem, coupons_issue
from wallets.tasks import expire_coupons
from warehouse.models import Role

pytestmark = pytest.mark.django_db
QUERIES_STAFF_LIST = 11  # whatever the number of payers and redemptions
QUERIES_OFFICE = 7  # six for the page, one for the navigation's corporate and office entries


@pytest.fixture
def world():
    world = coupon_world()
    fund(world, "50000.00")
    return world


def _coupons(world, count=3, fee=None):
    batch = coupons_issue(
        wallet=world.wallet, fee=fee or world.fee, count=count, actor=world.issuer
    )
    return list(batch.coupons.order_by("pk"))


def _text(response) -> str:
    return response.content.decode()


# --- the clerk's page -------------------------------------------------------------------------


def test_clerk_sees_each_state_of_a_coupon(client, world):
    valid, used, cancelled = _coupons(world)
    coupon_redeem(coupon=used, case_reference="CASE-7", actor=world.clerk)
    coupon_cancel(coupon=cancelled, actor=world.issuer)
    expired = _coupons(world, 1)[0]
    Coupon.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(world.clerk)

    def card(coupon):
        return _text(client.get("/office/", {"number": coupon.identifier}))

    page = card(valid)
    assert "coupon-valid" in page and "Valid — may be accepted" in page
    assert (
        money(150_000, world.tenant) in page
        and "Vehicle registration" in page
        and "ООО Лизинг-Плюс" in page
    )
    assert 'action="/office/redeem/"' in page
    page = card(used)
    assert "Already used — do not accept" in page and "CASE-7" in page
    assert 'action="/office/redeem/"' not in page
    assert "Cancelled — do not accept" in card(cancelled)
    assert "Expired — do not accept" in card(expired)


def test_clerk_redeems_and_a_second_attempt_shows_the_first_case(client, world):
    coupon = _coupons(world, 1)[0]
    client.force_login(world.clerk)
    number = f"{coupon.identifier[:4]} {coupon.identifier[4:8]} {coupon.identifier[8:]}"

    response = client.post(
        "/office/redeem/", {"number": number, "case_reference": "REG-2026-001"}, follow=True
    )

    coupon.refresh_from_db()
    assert (coupon.status, coupon.case_reference, coupon.redeemed_by) == (
        CouponStatus.USED,
        "REG-2026-001",
        world.clerk,
    )
    assert "is used for case REG-2026-001" in _text(response)
    assert "REG-2026-001" in _text(client.get("/office/"))  # the recent redemptions
    again = client.post(
        "/office/redeem/", {"number": coupon.identifier, "case_reference": "REG-2026-999"}
    )
    assert again.status_code == 200
    assert "already used for case REG-2026-001" in _text(again)
    assert world.refresh().spent == 150_000
    assert ledger_check(world.tenant) == []


def test_redeem_without_a_case_reference_is_a_form_error(client, world):
    coupon = _coupons(world, 1)[0]
    client.force_login(world.clerk)

    response = client.post("/office/redeem/", {"number": coupon.identifier, "case_reference": ""})

    assert response.status_code == 200 and "field-error" in _text(response)
    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.VALID


def test_another_offices_coupon_reads_unknown_and_cannot_be_redeemed(client, world):
    theirs = _coupons(world, 1, fee=world.own_fee)[0]
    client.force_login(world.clerk)

    page = _text(client.get("/office/", {"number": theirs.identifier}))
    response = client.post(
        "/office/redeem/", {"number": theirs.identifier, "case_reference": "X-1"}
    )

    assert "Unknown — not a coupon of your office" in page and "Certificate" not in page
    assert "Unknown — not a coupon of your office" in _text(response)
    theirs.refresh_from_db()
    assert theirs.status == CouponStatus.VALID


def test_a_mistyped_number_is_a_form_error(client, world):
    client.force_login(world.clerk)

    page = _text(client.get("/office/", {"number": "1234 5678 9012 3"}))

    assert "field-error" in page and "coupon-result" not in page


def test_only_clerks_have_the_office_page(client, world):
    assert client.get("/office/").status_code == 302  # to sign in
    client.force_login(world.issuer)
    assert client.get("/office/").status_code == 403
    assert client.post("/office/redeem/", {"number": "x"}).status_code == 403
    client.force_login(world.clerk)
    assert client.get("/").url == "/office/"


# --- the operator's pages ---------------------------------------------------------------------


def _staff(world, role=Role.OPERATOR_ADMIN):
    return MembershipFactory(tenant=world.tenant, role=role).user


def test_staff_pages_render_and_collectors_only_read(client, world):
    _coupons(world, 2)
    client.force_login(_staff(world, Role.COLLECTOR))
    payer = world.wallet.payer

    listing = _text(client.get("/staff/wallets/"))
    assert "ООО Лизинг-Плюс" in listing and "New payer" not in listing
    page = client.get(f"/staff/wallets/payers/{payer.pk}/")
    assert page.status_code == 200 and world.wallet.funding_reference in _text(page)
    assert "Coupons issued" in _text(page) and world.admin.username in _text(page)
    assert client.get("/staff/wallets/report/").status_code == 200
    assert client.post("/staff/wallets/payers/new/", {}).status_code == 404
    assert client.post(f"/staff/wallets/payers/{payer.pk}/invite/", {}).status_code == 403
    client.force_login(MembershipFactory(role=Role.OPERATOR_ADMIN).user)  # another tenant
    assert client.get(f"/staff/wallets/payers/{payer.pk}/").status_code == 404
    client.force_login(world.clerk)
    assert client.get("/staff/wallets/").status_code == 403


def test_new_payer_gets_a_wallet_and_its_admin_an_invitation(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(_staff(world, Role.ACCOUNTANT))
    form = {
        "tenant": world.tenant.code,
        "name": "АО Девелопмент",
        "tax_id": "7702000001",
        "admin_email": "Boss@Example.com",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/wallets/payers/new/", form)

    payer = CorporatePayer.objects.get(tax_id="7702000001")
    assert response.status_code == 302 and response.url == f"/staff/wallets/payers/{payer.pk}/"
    assert payer.wallets.get().currency == world.tenant.currency
    invitation = CorporateInvitation.objects.get(payer=payer)
    assert (invitation.email, invitation.role) == ("boss@example.com", "admin")
    (message,) = mail.outbox
    assert message.to == ["boss@example.com"] and "/corporate/invitations/" in message.body
    again = client.post("/staff/wallets/payers/new/", {**form, "name": "Twice"})
    assert again.status_code == 200 and "A payer with this tax id exists." in _text(again)
    assert CorporatePayer.objects.filter(tax_id="7702000001").count() == 1


def _report_rows(world):
    used, cancelled, _valid = _coupons(world, 3)
    coupon_redeem(coupon=used, case_reference="C-1", actor=world.clerk)
    coupon_cancel(coupon=cancelled, actor=world.issuer)
    _coupons(world, 1, fee=world.own_fee)
    today = timezone.localdate()
    return {"tenant": world.tenant.code, "start": today - timedelta(days=1), "end": today}


def test_operator_report_counts_per_fee_and_office(client, world):
    query = _report_rows(world)
    client.force_login(_staff(world))

    report = client.get("/staff/wallets/report/", query).context["report"]

    rows = {row.fee.code: row.figures for row in report.rows}
    assert (rows["reg"]["issued"].count, rows["reg"]["issued"].amount) == (3, 450_000)
    assert (rows["reg"]["redeemed"].count, rows["reg"]["cancelled"].count) == (1, 1)
    assert (rows["svc"]["issued"].count, rows["svc"]["expired"].count) == (1, 0)
    assert report.totals["issued"].amount == 475_000
    (blocked,) = report.blocked
    assert (blocked.coupons, blocked.blocked) == (2, 175_000) == (2, world.refresh().blocked)


def test_operator_report_xlsx_has_exact_numbers(client, world):
    query = _report_rows(world)
    client.force_login(_staff(world))

    response = client.get("/staff/wallets/report/", {**query, "format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    coupons = list(book["coupons"].iter_rows(min_row=3, values_only=True))
    assert coupons[0][:5] == ("reg", "Vehicle registration", "reg-1", 3, Decimal("4500"))
    assert coupons[-1][0] == "total" and coupons[-1][4] == Decimal("4750")
    assert book["coupons"]["E3"].number_format == "#,##0.00"
    blocked = list(book["blocked funds"].iter_rows(min_row=2, values_only=True))
    assert blocked[-1][3:] == (2, Decimal("1750"))


def test_a_bad_report_period_is_a_form_error(client, world):
    client.force_login(_staff(world))

    response = client.get(
        "/staff/wallets/report/",
        {"tenant": world.tenant.code, "start": "2026-05-02", "end": "2026-05-01"},
    )

    assert response.status_code == 200 and response.context["report"] is None


# --- expiry and the demo ----------------------------------------------------------------------


def test_expiry_task_releases_an_expired_coupon(world):
    coupon, kept = _coupons(world, 2)
    Coupon.objects.filter(pk=coupon.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    released = expire_coupons.delay().get()

    coupon.refresh_from_db()
    kept.refresh_from_db()
    assert (released, coupon.status, kept.status) == (1, CouponStatus.EXPIRED, CouponStatus.VALID)
    assert world.refresh().blocked == 150_000
    assert ledger_check(world.tenant) == []


def test_demo_wallets_leave_the_ledger_clean_and_reset_removes_them(client):
    from demo.splitting import demo_ledger_remove
    from demo.wallets import demo_wallets, demo_wallets_remove
    from tests.factories import SupplierFactory

    tenant = TenantFactory()
    SupplierFactory(tenant=tenant)

    demo_wallets(tenant)

    wallet = CorporatePayer.objects.get(tenant=tenant).wallets.get()
    statuses = sorted(Coupon.objects.filter(wallet=wallet).values_list("status", flat=True))
    assert statuses.count("used") == 1 and statuses.count("cancelled") == 1
    assert len(statuses) == 8 and wallet.funded > 0
    assert ledger_check(tenant) == []
    assert client.login(username="clerk", password="demo")
    assert client.get("/").url == "/office/"

    demo_wallets_remove([tenant.code])
    demo_ledger_remove([tenant.code])

    assert not CorporatePayer.objects.filter(tenant=tenant).exists()
    assert not UserFactory._meta.model.objects.filter(username="clerk").exists()


def test_list_pages_take_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from wallets.services.payers import payer_create

    for n in range(3):
        payer_create(tenant=world.tenant, name=f"Payer {n}", tax_id=f"77000000{n}", actor=None)
    for coupon in _coupons(world, 3):
        coupon_redeem(coupon=coupon, case_reference=f"C-{coupon.pk}", actor=world.clerk)
    client.force_login(_staff(world))
    with django_assert_max_num_queries(QUERIES_STAFF_LIST):
        assert client.get("/staff/wallets/").status_code == 200
    client.force_login(world.clerk)
    with django_assert_max_num_queries(QUERIES_OFFICE):
        assert client.get("/office/").status_code == 200
