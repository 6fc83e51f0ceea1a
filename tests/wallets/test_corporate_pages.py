"""The corporate payer's pages: each renders for its roles, issuing through the form blocks the
amount (once, however often the form is sent), a refused issue writes nothing, viewers may not
issue or cancel, another payer's objects answer 404, the invitation flow ends with a member,
the last admin stays, and the downloads are what they say."""

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.wallets.wallet_helpers import coupon_world, fund
from wallets.models import (
    CorporateInvitation,
    CorporateMember,
    CouponBatch,
    CouponStatus,
    WalletMovement,
)
from wallets.services.coupons import coupons_issue
from wallets.services.payers import payer_create
from warehouse.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return coupon_world()


@pytest.fixture
def funded(world):
    fund(world, "5000.00")
    return world


def url(name, world, *args, **query):
    path = reverse(name, args=[world.wallet.payer_id, *args])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_corporate_people_land_on_their_wallet_from_the_staff_sign_in(client, world):
    world.issuer.email = "issuer@leasing.example"
    world.issuer.set_password("Coupons-2026!")
    world.issuer.save()

    response = client.post(
        reverse("staff-login"),
        {"username": "issuer@leasing.example", "password": "Coupons-2026!"},
        follow=True,
    )

    assert response.redirect_chain[-2:] == [
        (reverse("corporate-home"), 302),
        (url("corporate-payer", world), 302),
    ]
    assert response.status_code == 200
    assert "ООО Лизинг-Плюс" in response.content.decode()


def test_each_page_renders_for_its_roles_and_viewers_may_not_act(client, funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    coupon = batch.coupons.first()
    shared = [
        url("corporate-payer", world),
        url("corporate-batches", world),
        url("corporate-batch", world, batch.pk),
        url("corporate-coupons", world, status="valid", q=coupon.identifier[:6]),
        url("corporate-funding", world),
        url("corporate-reports", world),
    ]
    issuing = [
        url("corporate-issue", world),
        url("corporate-coupon-cancel", world, coupon.identifier),
    ]
    admin_only = [url("corporate-people", world)]

    client.force_login(world.admin)
    assert {p: client.get(p).status_code for p in shared + issuing + admin_only} == dict.fromkeys(
        shared + issuing + admin_only, 200
    )
    client.force_login(world.issuer)
    assert [client.get(p).status_code for p in issuing + admin_only] == [200, 200, 403]
    client.force_login(world.viewer)
    assert [client.get(p).status_code for p in shared] == [200] * len(shared)
    assert [client.get(p).status_code for p in issuing + admin_only] == [403, 403, 403]
    refused = [
        client.post(issuing[0], {"fee": world.fee.pk, "count": 1, "seen_batch": batch.pk}),
        client.post(issuing[1]),
    ]
    assert [r.status_code for r in refused] == [403, 403]
    assert CouponBatch.objects.count() == 1
    assert batch.coupons.filter(status=CouponStatus.VALID).count() == 2


def test_issuing_through_the_form_blocks_the_amount_once_however_often_it_is_sent(client, funded):
    world = funded
    client.force_login(world.issuer)
    page = client.get(url("corporate-issue", world))
    assert "Vehicle registration" in page.content.decode()
    form = {
        "fee": world.fee.pk,
        "count": 3,
        "seen_batch": page.context["form"]["seen_batch"].value(),
    }

    first = client.post(url("corporate-issue", world), form)
    again = client.post(url("corporate-issue", world), form)

    batch = CouponBatch.objects.get()
    assert first.url == again.url == url("corporate-batch", world, batch.pk)
    assert "sent before" in texts(again)[-1]
    assert (batch.count, batch.total, batch.issued_by) == (3, 450_000, world.issuer)
    wallet = world.refresh()
    assert (wallet.available, wallet.blocked) == (50_000, 450_000)
    shown = client.get(first.url).content.decode()
    assert shown.count('data-coupon="') == 3
    assert (
        AuditEvent.objects.filter(action="wallet.coupons_issued", actor=world.issuer).count() == 1
    )


def test_a_refused_issue_shows_why_next_to_the_form_and_writes_nothing(client, funded):
    world = funded
    client.force_login(world.issuer)
    movements = WalletMovement.objects.count()

    short = client.post(
        url("corporate-issue", world), {"fee": world.fee.pk, "count": 4, "seen_batch": 0}
    )
    bad = client.post(
        url("corporate-issue", world), {"fee": world.fee.pk, "count": 501, "seen_batch": 0}
    )

    assert short.status_code == bad.status_code == 200
    assert "Not issued" in short.context["form"].non_field_errors()[0]
    assert 'data-testid="issue-refused"' in short.content.decode()
    assert bad.context["form"].errors["count"]
    assert CouponBatch.objects.count() == 0
    assert WalletMovement.objects.count() == movements
    wallet = world.refresh()
    assert (wallet.available, wallet.blocked) == (500_000, 0)


def test_an_issuer_cancels_a_valid_coupon_after_confirming_and_its_amount_is_released(
    client, funded
):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = batch.coupons.get()
    client.force_login(world.issuer)
    cancel = url("corporate-coupon-cancel", world, coupon.identifier)

    confirm = client.get(cancel)
    assert coupon.refresh_from_db() or coupon.status == CouponStatus.VALID
    done = client.post(cancel, {"next": url("corporate-batch", world, batch.pk)})
    twice = client.post(cancel)

    assert confirm.status_code == 200
    assert done.url == url("corporate-batch", world, batch.pk)
    coupon.refresh_from_db()
    assert (coupon.status, coupon.released_by) == (CouponStatus.CANCELLED, world.issuer)
    assert (world.refresh().available, world.wallet.blocked) == (500_000, 0)
    assert "cannot be cancelled" in texts(twice)[-1]


def test_another_payers_wallet_batches_and_coupons_answer_404(client, funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.fee, count=1, actor=world.issuer)
    coupon = batch.coupons.get()
    other = payer_create(tenant=world.tenant, name="АО Застройщик", tax_id="7709876543", actor=None)
    stranger = UserFactory()
    CorporateMember.objects.create(
        payer=other, user=stranger, role="admin", added_at=batch.issued_at
    )
    client.force_login(stranger)
    mine = reverse("corporate-batch", args=[other.pk, batch.pk])

    paths = [
        url("corporate-payer", world),
        url("corporate-reports", world),
        mine,
        reverse("corporate-batch-pdf", args=[other.pk, batch.pk]),
        reverse("corporate-coupon-pdf", args=[other.pk, coupon.identifier]),
        reverse("corporate-coupon-cancel", args=[other.pk, coupon.identifier]),
    ]

    assert [client.get(p).status_code for p in paths] == [404] * len(paths)
    assert client.post(paths[-1]).status_code == 404
    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.VALID


def test_an_invited_person_creates_an_account_and_becomes_a_member_with_the_role(client, world):
    client.force_login(world.admin)
    sent = client.post(
        url("corporate-invite", world), {"email": "New.Issuer@Leasing.example", "role": "issuer"}
    )
    assert sent.url == url("corporate-people", world)
    pending = client.get(sent.url).context["pending"]
    assert [row["invitation"].email for row in pending] == ["new.issuer@leasing.example"]
    (message,) = mail.outbox
    assert message.to == ["new.issuer@leasing.example"]
    base = re.escape(settings.PUBLIC_BASE_URL)  # a sent link: on the public address
    link = re.search(base + r"(/corporate/invitations/\S+/)", message.body).group(1)
    client.logout()

    weak = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400 and weak.context["form"].errors["password1"]
    joined = client.post(link, {"password1": "Str0ng-Passw0rd", "password2": "Str0ng-Passw0rd"})

    assert joined.url == url("corporate-payer", world)
    member = CorporateMember.objects.get(user__username="new.issuer@leasing.example")
    assert (member.payer_id, member.role) == (world.wallet.payer_id, "issuer")
    assert client.get(joined.url).context["user"] == member.user
    assert client.get(link).status_code == 404  # used up
    assert AuditEvent.objects.filter(action="wallet.invitation_accepted").count() == 1


def test_an_invitation_to_an_existing_account_asks_to_sign_in_first_then_accepts(client, world):
    from wallets.services.payers import invitation_create

    known = UserFactory(email="known@leasing.example")
    created = invitation_create(
        payer=world.wallet.payer, email=known.email, role="viewer", actor=world.admin
    )
    link = reverse("corporate-invitation", args=[created.token])

    first = client.get(link)
    client.force_login(known)
    accepted = client.post(link)

    assert first.url.startswith(reverse("staff-login") + "?next=")
    assert accepted.url == url("corporate-payer", world)
    assert CorporateMember.objects.get(user=known).role == "viewer"


def test_the_last_admin_stays_and_roles_change_through_the_service(client, world):
    client.force_login(world.admin)
    me = CorporateMember.objects.get(user=world.admin)
    issuer = CorporateMember.objects.get(user=world.issuer)

    refused = client.post(url("corporate-member-role", world, me.pk), {"remove": "1"}, follow=True)
    demoted = client.post(
        url("corporate-member-role", world, me.pk), {f"m{me.pk}-role": "viewer"}, follow=True
    )
    promoted = client.post(
        url("corporate-member-role", world, issuer.pk), {f"m{issuer.pk}-role": "admin"}
    )

    assert "last admin" in texts(refused)[0] and "last admin" in texts(demoted)[0]
    assert promoted.url == url("corporate-people", world)
    assert set(CorporateMember.objects.values_list("user", "role")) == {
        (world.admin.pk, "admin"),
        (world.issuer.pk, "admin"),
        (world.viewer.pk, "viewer"),
    }
    assert AuditEvent.objects.filter(action="wallet.member_role_set").count() == 1


def test_an_admin_revokes_a_pending_invitation(client, world):
    client.force_login(world.admin)
    client.post(url("corporate-invite", world), {"email": "late@leasing.example", "role": "viewer"})
    invitation = CorporateInvitation.objects.get()
    link = re.search(r"(/corporate/invitations/\S+/)", mail.outbox[0].body).group(1)

    client.post(url("corporate-invitation-revoke", world, invitation.pk))

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.get(link).status_code == 404


def test_downloads_are_pdf_zip_and_xlsx_and_work_again(client, funded):
    world = funded
    batch = coupons_issue(wallet=world.wallet, fee=world.own_fee, count=2, actor=world.issuer)
    identifiers = sorted(batch.coupons.values_list("identifier", flat=True))
    client.force_login(world.viewer)

    pdfs = [
        client.get(url("corporate-batch-pdf", world, batch.pk)),
        client.get(url("corporate-batch-pdf", world, batch.pk)),
        client.get(url("corporate-coupon-pdf", world, identifiers[0])),
        client.get(url("corporate-funding-pdf", world)),
        client.get(url("corporate-statement-download", world, "pdf")),
    ]
    archive = client.get(url("corporate-batch-zip", world, batch.pk))
    sheet = client.get(url("corporate-statement-download", world, "xlsx"))

    assert [(r.status_code, r["Content-Type"]) for r in pdfs] == [(200, "application/pdf")] * 5
    assert all(r.content.startswith(b"%PDF") for r in pdfs)
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert names == [f"coupon-{i}.pdf" for i in identifiers]
    assert sheet["Content-Type"].endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(sheet.content)).active.max_row > 1
    assert client.get(url("corporate-statement-download", world, "csv")).status_code == 404
    bad_period = client.get(url("corporate-statement-download", world, "pdf", start="x", end="y"))
    assert bad_period.status_code == 400


def test_reports_count_coupons_by_status_and_show_the_statement(client, funded):
    world = funded
    coupons_issue(wallet=world.wallet, fee=world.fee, count=2, actor=world.issuer)
    client.force_login(world.viewer)

    page = client.get(url("corporate-reports", world))

    by_status = {row["status"]: row["count"] for row in page.context["by_status"]}
    assert by_status == {"valid": 2, "used": 0, "cancelled": 0, "expired": 0}
    statement = page.context["statement"]
    assert [row["line"].kind for row in page.context["lines"]] == ["funding", "block"]
    assert (statement.closing_available, statement.closing_blocked) == (200_000, 300_000)


def test_the_navigation_leads_corporate_people_and_clerks_to_their_pages(client, world):
    client.force_login(world.viewer)
    corporate = client.get(url("corporate-payer", world)).content.decode()
    client.force_login(world.clerk)
    office = client.get("/office/").content.decode()

    assert 'href="/corporate/"' in corporate and "Link an account" not in corporate
    assert 'href="/office/"' in office and "Link an account" not in office
    assert 'href="/corporate/"' not in office
