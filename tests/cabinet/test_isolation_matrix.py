"""The cabinet's isolation matrix (issue 7, "Security"): every page and API of the cabinet, built
for one owner's objects, requested as every other kind of user.

The world (built once for the module, rolled back at its end): two tenants, `iso-a` and
`iso-b`, each with the suppliers vodokanal and teplo, a billed and closed period, a payment, a
meter with a reading and its photo, a request with a file and a reminder. The owner is account
70010155 of iso-a, held by `resident_a`. The actors:

    resident_a   holds the owner's account            resident_a2  holds another iso-a account
    resident_b   holds an iso-b account               supplier_a   vodokanal of iso-a
    supplier_a2  teplo of iso-a (also linked to the owner's account)
    supplier_b   vodokanal of iso-b (same code!)      staff_a      operator admin of iso-a
    staff_b      operator admin of iso-b              anonymous

Each row names the actors that may open it; every other actor must get a 403/404 (anonymous on
a page: the sign-in page; on the API: 401/403), a body without the owner's account number,
payer name or amounts, and — on a POST — no row written. Each row also has its positive case
(an allowed actor gets the page, with the owner's data on it), so the matrix cannot pass by
everything being broken, and a CSRF case for every form. `test_every_cabinet_url_is_in_the_matrix`
fails when a cabinet URL pattern has no row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model, Sum
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cabinet import urls as cabinet_urls
from cabinet.models import (
    Meter,
    MeterReading,
    ReadingSource,
    ReadingStatus,
    RequestEvent,
    RequestMessage,
    ServiceRequest,
)
from cabinet.models.notifications import Reminder
from cabinet.services.requests import request_file
from core.money import format_minor
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.services import pay_links
from splitting.core.payments import payment_post
from splitting.models import (
    Allocation,
    Checkout,
    FlowDelivery,
    FlowFile,
    Payment,
    PaymentStatus,
)
from tests.factories import MembershipFactory, UserFactory
from tests.month_end import month_end_close
from warehouse.models import (
    Account,
    AccountHolder,
    Role,
    Service,
    Supplier,
    SupplierFlow,
    Tenant,
)
from warehouse.services.accounts import accounts_import
from warehouse.services.charges import charges_import
from warehouse.services.tenants import tenant_setup

pytestmark = pytest.mark.django_db

PERIOD = "2026-11"
CODE = "424242"  # every account's verification code
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

TENANT_YAML = """\
code: {code}
name: {name}
profile: RU
currency: RUB
locale: ru
timezone: Europe/Moscow
due_day: 10
inn: "7707083893"
kpp: "773601001"
address: г. Москва, ул. Вавилова, д. 19
bank:
  name: ПАО Сбербанк
  bic: "044525225"
  account: "40702810238720001420"
  corr_account: "30101810400000000225"
services:
  - {{code: CW, name: Холодное водоснабжение, unit: m3}}
  - {{code: HEAT, name: Отопление, unit: Gcal}}
suppliers:
  - code: vodokanal
    name: {water}
    inn: "7702070139"
    kpp: "784201001"
    bank:
      name: АО «Райффайзенбанк»
      bic: "044525700"
      account: "40702810800001400002"
      corr_account: "30101810200000000700"
    commission: {{percent: "1.20", fixed: "0.00", min: "0.00", max: null}}
    service_codes: {{"01": CW}}
  - code: teplo
    name: {heat}
    inn: "500100732259"
    bank:
      name: АО «ТБанк»
      bic: "044525974"
      account: "40702810610000000001"
      corr_account: "30101810145250000974"
    commission: {{percent: "0.75", fixed: "5.00", min: "10.00", max: "500.00"}}
    service_codes: {{"OT": HEAT}}
"""

# (tenant code, account number, payer name, water, heat, payment) per account, amounts in
# minor units. The owner's amounts are odd enough that finding them in a body is no accident.
OWNER = ("iso-a", "70010155", "Isolda Ownerova", 432_187, 123_459, 135_731)
NEIGHBOUR = ("iso-a", "70010166", "Nikolai Sosedov", 20_000, 10_000, 5_000)
OTHER = ("iso-b", "80020177", "Boris Chuzhoy", 30_000, 15_000, 7_000)

ACTORS = (
    "resident_a",
    "resident_a2",
    "resident_b",
    "supplier_a",
    "supplier_a2",
    "supplier_b",
    "staff_a",
    "staff_b",
    "anonymous",
)


@pytest.fixture(autouse=True)
def _frozen_clock(clock):
    """The shared frozen clock (tests/conftest.py):
    pay links of the 2026-12 documents expire 60 days after their due date."""
    return clock


def _amount_marks(minor: int) -> set[str]:
    """How an amount may appear on a page: "4 321,87", "4321.87"… — its last three digits of
    units and its cents, with either separator."""
    units, cents = divmod(minor, 100)
    tail = f"{units % 1000:03d}" if units >= 1000 else str(units)
    return {f"{tail}.{cents:02d}", f"{tail},{cents:02d}"}


# --- the world --------------------------------------------------------------------------------


def _tenant(code: str, name: str, accounts: list[tuple]):
    tenant = tenant_setup(
        data=TENANT_YAML.format(
            code=code, name=name, water=f"Водоканал {code}", heat=f"Теплосеть {code}"
        ).encode(),
        filename="tenant.yaml",
    ).tenant
    register = "account_number,address,premises,payer_name,links\n" + "".join(
        f"{number},ул. Изоляции д. {i},{i},{payer},vodokanal:W-{number}|teplo:H-{number}\n"
        for i, (_code, number, payer, *_amounts) in enumerate(accounts, start=1)
    )
    accounts_import(
        tenant=tenant,
        data=register.encode(),
        filename="accounts.csv",
        verification_codes=lambda: CODE,
    )
    suppliers = {s.code: s for s in Supplier.objects.filter(tenant=tenant)}
    header = "supplier_account,service_code,quantity,unit,tariff,amount,kind\n"
    for supplier, prefix, service, position in (
        ("vodokanal", "W", "01", 3),
        ("teplo", "H", "OT", 4),
    ):
        rows = "".join(
            f"{prefix}-{row[1]},{service},,,,{Decimal(row[position]).scaleb(-2)},regular\n"
            for row in accounts
        )
        outcome = charges_import(
            tenant=tenant,
            supplier=suppliers[supplier],
            period=PERIOD,
            data=(header + rows).encode(),
            filename=f"{supplier}.csv",
        )
        assert outcome.ok, outcome.message
    month_end_close(tenant=tenant, period=PERIOD)
    by_number = {a.account_number: a for a in Account.objects.filter(tenant=tenant)}
    payments = {}
    for row in accounts:
        payments[row[1]] = payment_post(
            tenant=tenant,
            account=by_number[row[1]],
            amount=row[5],
            channel="bank",
            external_id=f"iso-{row[1]}",
        ).payment
    return tenant, suppliers, by_number, payments


def _resident(name: str, account: Account):
    user = UserFactory(username=name, email=f"{name}@example.com")
    AccountHolder.objects.create(user=user, account=account)
    return user


def _cabinet_objects(tenant, supplier, account, resident, tag: str):
    meter = Meter.objects.create(
        tenant=tenant,
        premises=account.premises,
        supplier=supplier,
        service=Service.objects.get(tenant=tenant, code="CW"),
        serial=f"SER-{tag}",
    )
    reading = MeterReading.objects.create(
        meter=meter,
        value=Decimal("1111.222") if tag == "A" else Decimal("55.5"),
        taken_on=dt.date(2026, 10, 20),
        submitted_at=timezone.now(),
        source=ReadingSource.RESIDENT,
        submitted_by=resident,
        status=ReadingStatus.ACCEPTED,
        photo=SimpleUploadedFile(f"meter-{tag}.png", PNG, content_type="image/png"),
    )
    filed = request_file(
        account=account,
        kind="question",
        subject=f"Leaking riser {tag}-7Q",
        text=f"Water on the floor of flat {tag}",
        files=[SimpleUploadedFile(f"leak-{tag}.png", PNG, content_type="image/png")],
        actor=resident,
    )
    reminder = Reminder.objects.create(
        user=resident, account=account, remind_on=timezone.localdate() + dt.timedelta(days=5)
    )
    return meter, reading, filed, reminder


def _build(media_root) -> SimpleNamespace:
    tenant_a, suppliers_a, accounts_a, payments_a = _tenant(
        "iso-a", "Isolation Operator A", [OWNER, NEIGHBOUR]
    )
    tenant_b, suppliers_b, accounts_b, _payments_b = _tenant(
        "iso-b", "Isolation Operator B", [OTHER]
    )
    owner = accounts_a[OWNER[1]]
    users = {
        "resident_a": _resident("iso-resident-a", owner),
        "resident_a2": _resident("iso-resident-a2", accounts_a[NEIGHBOUR[1]]),
        "resident_b": _resident("iso-resident-b", accounts_b[OTHER[1]]),
        "supplier_a": MembershipFactory(supplier=suppliers_a["vodokanal"]).user,
        "supplier_a2": MembershipFactory(supplier=suppliers_a["teplo"]).user,
        "supplier_b": MembershipFactory(supplier=suppliers_b["vodokanal"]).user,
        "staff_a": MembershipFactory(tenant=tenant_a, role=Role.OPERATOR_ADMIN).user,
        "staff_b": MembershipFactory(tenant=tenant_b, role=Role.OPERATOR_ADMIN).user,
    }
    meter, reading, filed, reminder = _cabinet_objects(
        tenant_a, suppliers_a["vodokanal"], owner, users["resident_a"], "A"
    )
    _cabinet_objects(
        tenant_b, suppliers_b["vodokanal"], accounts_b[OTHER[1]], users["resident_b"], "B"
    )
    document = PaymentDocument.objects.get(
        account=owner, period=PERIOD, status=DocumentStatus.ISSUED
    )
    payment = payments_a[OWNER[1]]
    flow_file = _flow_file(suppliers_a["vodokanal"])
    shares = Allocation.objects.filter(payment=payment).values_list("amount", flat=True)
    collected = Allocation.objects.filter(supplier=suppliers_a["vodokanal"]).aggregate(
        total=Sum("amount")
    )["total"]
    amounts = [OWNER[3], OWNER[4], OWNER[5], document.amount_due, collected, *shares]
    marks = {OWNER[1], OWNER[2], "SER-A", "Leaking riser A-7Q", "1111.222"}
    for minor in amounts:
        if abs(minor) >= 10_000:
            marks |= _amount_marks(abs(minor))
    sessions = {}
    for actor, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        media_root=media_root,
        sessions=sessions,
        clients={},
        tenant=tenant_a,
        other_tenant=tenant_b,
        water=suppliers_a["vodokanal"],
        heat=suppliers_a["teplo"],
        owner=owner,
        neighbour=accounts_a[NEIGHBOUR[1]],
        users=users,
        meter=meter,
        reading=reading,
        request=filed,
        attachment=filed.attachments.get(),
        reminder=reminder,
        document=document,
        token=pay_links.pay_token(document.pay_salt),
        payment=payment,
        marks=marks,
        flow_file=flow_file,
    )


def _flow_file(supplier) -> FlowFile:
    """A file vodokanal's reporting flow made (its cabinet lists and serves it)."""
    flow = SupplierFlow.objects.create(supplier=supplier, format="csv")
    record = FlowFile.objects.create(
        tenant=supplier.tenant,
        supplier=supplier,
        flow=flow,
        first_day=dt.date(2026, 12, 1),
        last_day=dt.date(2026, 12, 1),
        format="csv",
        filename="REG-iso.csv",
        content=b"id;amount\n",
        sha256="0" * 64,
        lines=0,
        gross=0,
        commission=0,
        net=0,
        created_at=timezone.now(),
    )
    FlowDelivery.objects.create(
        file=record, tenant=supplier.tenant, method="download", status="download"
    )
    return record


@pytest.fixture(scope="module")
def iso(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once in a transaction that is rolled back after the module; each test
    runs in a savepoint inside it (pytest-django's `db`), as Django's TestCase does."""
    media = tmp_path_factory.mktemp("iso-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), VAR_DIR=media):
        atomics = TestCase._enter_atomics()
        try:
            yield _build(media)
        finally:
            TestCase._rollback_atomics(atomics)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, iso):
    """Overrides tests/conftest.py's: the world's files stay where the world put them."""
    settings.MEDIA_ROOT = str(iso.media_root)
    settings.VAR_DIR = iso.media_root
    yield
    cache.clear()  # the link form's rate limits count in the cache: leave none behind


# --- the rows ---------------------------------------------------------------------------------

RESIDENT_A = frozenset({"resident_a"})
STAFF_A = frozenset({"staff_a"})
SUPPLIER_A = frozenset({"supplier_a"})
# The account's money (its payments, its balance) whole: its holder and the tenant's staff.
ACCOUNT_SEERS = frozenset({"resident_a", "staff_a"})
# The owner's suppliers get a payment in their favour and the balance too, but only their own
# share of either (`test_a_supplier_sees_only_its_share_of_the_owners_money`).
SHARE_SEERS = {"supplier_a": "vodokanal", "supplier_a2": "teplo"}
MONEY_SEERS = ACCOUNT_SEERS | frozenset(SHARE_SEERS)
OWN_PAGES = frozenset(ACTORS) - {"anonymous"}


def _base(w) -> str:
    return f"/cabinet/accounts/{w.tenant.code}/{w.owner.account_number}/"


def _count(*models: type[Model]) -> Callable:
    return lambda w: tuple(model.objects.count() for model in models)


@dataclass(frozen=True)
class Row:
    """One URL of the matrix.

    `allowed`: the actors who get `status` on it (the positive case, with the owner's data when
    `shows`). `own_data`: actors who also get a page, but only with their own data (a list
    page, the debt position): for them the body is checked, not the status. Everyone else is
    refused: a status in `refused` (anonymous: the sign-in page, or 401/403 on the API).
    `state` reads what must not change when a refused actor posts."""

    name: str
    url: Callable
    allowed: frozenset = frozenset()
    method: str = "GET"
    data: Callable | None = None
    state: Callable | None = None
    status: int = 200
    shows: bool = True
    own_data: frozenset = frozenset()
    refused: frozenset = frozenset({403, 404})
    api: bool = False
    label: str = ""
    hidden: tuple = ()  # marks the allowed actors must not see either (pay link: masked data)
    positive: str = ""  # the allowed actor of the positive case (default: the first allowed)

    @property
    def sign_in(self) -> str:
        """Where anonymous is sent: residents sign in on the cabinet's page, staff and supplier
        users on the staff one."""
        return (
            "/staff/login/" if self.name.startswith(("staff-", "supplier-")) else "/cabinet/login/"
        )

    @property
    def owner(self) -> str:
        if self.positive:
            return self.positive
        return "resident_a" if "resident_a" in self.allowed else sorted(self.allowed)[0]

    @property
    def id(self) -> str:
        return f"{self.name}{'-' + self.label if self.label else ''}-{self.method}"

    def post_data(self, w) -> dict:
        return self.data(w) if self.data else {}


def _reading_post(w):
    return {"meter": w.meter.pk, f"m{w.meter.pk}-value": "1200"}


def _request_post(w):
    return {"kind": "question", "subject": "Intruder's question", "text": "Hello"}


def _reminder_post(w):
    day = timezone.localdate() + dt.timedelta(days=7)
    return {"account": w.owner.pk, "remind_on": day.isoformat(), "note": ""}


def _import_post(w):
    csv = f"account_number,serial,value,date\n{w.owner.account_number},SER-A,1300,2026-11-05\n"
    return {
        "tenant": w.tenant.code,
        "file": SimpleUploadedFile("readings.csv", csv.encode(), content_type="text/csv"),
    }


def _export_query(w) -> str:
    return f"/staff/readings/?supplier={w.water.pk}&period={PERIOD}"


ROWS = [
    # The resident's pages: the holder only (staff and supplier users included get a 404).
    Row("cabinet-documents", lambda w: _base(w) + "documents/", RESIDENT_A),
    Row("cabinet-document", lambda w: _base(w) + f"documents/{PERIOD}/", RESIDENT_A),
    Row(
        "cabinet-document-status",
        lambda w: _base(w) + f"documents/{PERIOD}/status/",
        RESIDENT_A,
        shows=False,  # the paid-state icon alone
    ),
    Row(
        "cabinet-document-pdf",
        lambda w: _base(w) + f"documents/{PERIOD}.pdf",
        RESIDENT_A,
        shows=False,
    ),
    Row("cabinet-charges", lambda w: _base(w) + "charges/", RESIDENT_A),
    Row("cabinet-payments", lambda w: _base(w) + "payments/", RESIDENT_A),
    Row(
        "cabinet-receipt",
        lambda w: _base(w) + f"payments/{w.payment.pk}/receipt.pdf",
        RESIDENT_A,
        shows=False,
    ),
    Row("cabinet-pay", lambda w: _base(w) + "pay/", RESIDENT_A),
    Row(
        "cabinet-pay",
        lambda w: _base(w) + "pay/",
        RESIDENT_A,
        method="POST",
        data=lambda w: {"mode": "all"},
        state=_count(Checkout),
    ),
    Row("cabinet-readings", lambda w: _base(w) + "readings/", RESIDENT_A),
    Row(
        "cabinet-readings",
        lambda w: _base(w) + "readings/",
        RESIDENT_A,
        method="POST",
        data=_reading_post,
        state=_count(MeterReading),
        status=302,
        shows=False,
    ),
    Row(
        "reading-photo",
        lambda w: f"/cabinet/readings/{w.reading.pk}/photo/",
        RESIDENT_A | STAFF_A,
        shows=False,
    ),
    Row("cabinet-requests", lambda w: _base(w) + "requests/", RESIDENT_A),
    Row(
        "cabinet-requests",
        lambda w: _base(w) + "requests/",
        RESIDENT_A,
        method="POST",
        data=_request_post,
        state=_count(ServiceRequest),
        status=302,
        shows=False,
    ),
    Row("cabinet-request", lambda w: _base(w) + f"requests/{w.request.pk}/", RESIDENT_A),
    Row(
        "cabinet-request",
        lambda w: _base(w) + f"requests/{w.request.pk}/",
        RESIDENT_A,
        method="POST",
        data=lambda w: {"text": "Any news?"},
        state=_count(RequestMessage, RequestEvent),
        status=302,
        shows=False,
    ),
    Row("cabinet-archive", lambda w: _base(w) + "archive/", RESIDENT_A),
    Row(
        "cabinet-attachment",
        lambda w: f"/cabinet/attachments/{w.attachment.pk}/",
        RESIDENT_A | STAFF_A,
        shows=False,
    ),
    Row(
        "cabinet-unlink",
        lambda w: _base(w) + "unlink/",
        RESIDENT_A,
        method="POST",
        state=_count(AccountHolder),
        status=302,
        shows=False,
    ),
    # The resident's own pages: everyone signed in gets one, with their own data only.
    Row("cabinet-home", lambda w: "/cabinet/", RESIDENT_A, own_data=OWN_PAGES),
    Row("resident-home", lambda w: "/my/", RESIDENT_A, own_data=OWN_PAGES),
    Row(
        "cabinet-notifications",
        lambda w: "/cabinet/notifications/",
        RESIDENT_A,
        own_data=OWN_PAGES,
    ),
    Row(
        "cabinet-reminder-add",
        lambda w: "/cabinet/notifications/reminders/",
        RESIDENT_A,
        method="POST",
        data=_reminder_post,
        state=lambda w: (
            Reminder.objects.count(),
            Reminder.objects.get(pk=w.reminder.pk).remind_on,
        ),
        status=302,
        shows=False,
        refused=frozenset({400, 403, 404}),  # the owner's account is not among the choices
    ),
    Row(
        "cabinet-reminder-cancel",
        lambda w: f"/cabinet/notifications/reminders/{w.reminder.pk}/cancel/",
        RESIDENT_A,
        method="POST",
        state=_count(Reminder),
        status=302,
        shows=False,
    ),
    # Linking: the code on the bill is the proof; a wrong code links nothing for anyone.
    Row("cabinet-link", lambda w: "/cabinet/link/", RESIDENT_A, own_data=OWN_PAGES, shows=False),
    Row(
        "cabinet-link",
        lambda w: "/cabinet/link/",
        OWN_PAGES,  # whoever signed in has the bill's code may link its account
        method="POST",
        data=lambda w: {"account_number": w.owner.account_number, "code": CODE},
        state=_count(AccountHolder),
        status=302,
        shows=False,
        label="right-code",
        positive="resident_b",
    ),
    Row(
        "cabinet-link",
        lambda w: "/cabinet/link/",
        method="POST",
        data=lambda w: {"account_number": w.owner.account_number, "code": "999999"},
        state=_count(AccountHolder),
        refused=frozenset({200, 403, 404}),  # the form with its error
        label="wrong-code",
    ),
    # The personal pay link: whoever has the link pays, and sees masked data only.
    Row(
        "pay-link-pay",
        lambda w: f"/pay/{w.token}/online/",
        frozenset(ACTORS),
        shows=False,
        hidden=(OWNER[1], OWNER[2]),
    ),
    Row(
        "pay-link-pay",
        lambda w: f"/pay/{w.token[:-4]}AAAA/online/",
        refused=frozenset({404}),
        label="forged-token",
    ),
    Row(
        "pay-link-pay",
        lambda w: f"/pay/{w.token[:-4]}AAAA/online/",
        method="POST",
        data=lambda w: {"mode": "all", "provider": "sandbox"},
        state=_count(Checkout),
        refused=frozenset({404}),
        label="forged-token",
    ),
    # The supplier's cabinet, asked for vodokanal of iso-a by id.
    Row("supplier-home", lambda w: f"/supplier/?supplier={w.water.pk}", SUPPLIER_A),
    Row("supplier-debt", lambda w: f"/supplier/debt/?supplier={w.water.pk}", SUPPLIER_A),
    Row(
        "supplier-payouts",
        lambda w: f"/supplier/payouts/?supplier={w.water.pk}",
        SUPPLIER_A,
        shows=False,  # no payout yet: the page has nothing of the owner
    ),
    Row(
        "supplier-export",
        lambda w: f"/supplier/export/payments.csv?supplier={w.water.pk}",
        SUPPLIER_A,
    ),
    Row("supplier-flows", lambda w: f"/supplier/flows/?supplier={w.water.pk}", SUPPLIER_A),
    Row(
        "supplier-flow-file",
        lambda w: f"/supplier/flows/files/{w.flow_file.pk}/?supplier={w.water.pk}",
        SUPPLIER_A,
        shows=False,  # the file's own bytes, checked by the status
    ),
    Row(
        "supplier-secret-rotate-own",
        lambda w: f"/supplier/secret/rotate/?supplier={w.water.pk}",
        SUPPLIER_A,
        method="POST",
        state=lambda w: Supplier.objects.get(pk=w.water.pk).webhook_secret,
        status=302,
        shows=False,
    ),
    # The staff pages of the cabinet: the tenant's operator staff.
    Row("staff-requests", lambda w: "/staff/requests/", STAFF_A, own_data=frozenset({"staff_b"})),
    Row("staff-request", lambda w: f"/staff/requests/{w.request.pk}/", STAFF_A),
    Row(
        "staff-request-assign",
        lambda w: f"/staff/requests/{w.request.pk}/assign/",
        STAFF_A,
        method="POST",
        data=lambda w: {"assignee": w.users["staff_a"].pk},
        state=lambda w: (
            RequestEvent.objects.count(),
            ServiceRequest.objects.get(pk=w.request.pk).assigned_to_id,
        ),
        status=302,
        shows=False,
    ),
    Row(
        "staff-request-answer",
        lambda w: f"/staff/requests/{w.request.pk}/answer/",
        STAFF_A,
        method="POST",
        data=lambda w: {"text": "We are on it."},
        state=_count(RequestMessage, RequestEvent),
        status=302,
        shows=False,
    ),
    Row(
        "staff-request-close",
        lambda w: f"/staff/requests/{w.request.pk}/close/",
        STAFF_A,
        method="POST",
        state=lambda w: ServiceRequest.objects.get(pk=w.request.pk).status,
        status=302,
        shows=False,
    ),
    Row(
        "staff-readings",
        _export_query,
        STAFF_A,
        own_data=frozenset({"staff_b"}),  # the form, with the supplier refused
        shows=False,  # a CSV of the meter readings
    ),
    Row(
        "staff-readings",
        lambda w: "/staff/readings/",
        STAFF_A,
        method="POST",
        data=_import_post,
        state=_count(MeterReading),
        refused=frozenset({400, 403, 404}),  # the tenant is not among the choices
        shows=False,
    ),
    # The operator's desk: the dashboard (tenant figures, no account on it), the account
    # search and the account card.
    Row(
        "staff-desk",
        lambda w: "/staff/desk/",
        STAFF_A,
        own_data=frozenset({"staff_b"}),
        shows=False,
    ),
    Row(
        "staff-account-search",
        lambda w: f"/staff/desk/accounts/?q={OWNER[2].split()[1]}",
        STAFF_A,
        own_data=frozenset({"staff_b"}),
    ),
    Row(
        "staff-account-card",
        lambda w: f"/staff/desk/accounts/{OWNER[0]}/{OWNER[1]}/",
        STAFF_A,
    ),
    # The REST API's reads (and the one write) of the cabinet's objects.
    Row(
        "api-account-balance",
        lambda w: f"/api/v1/accounts/{w.owner.account_number}/balance?tenant={w.tenant.code}",
        MONEY_SEERS,
        api=True,
    ),
    Row("api-payment", lambda w: f"/api/v1/payments/{w.payment.pk}", MONEY_SEERS, api=True),
    Row(
        "api-payment-reverse",
        lambda w: f"/api/v1/payments/{w.payment.pk}/reverse",
        STAFF_A,
        method="POST",
        state=lambda w: Payment.objects.get(pk=w.payment.pk).status,
        api=True,
    ),
    Row(
        "api-supplier-balance",
        lambda w: f"/api/v1/suppliers/vodokanal/balance?tenant={w.tenant.code}",
        SUPPLIER_A | STAFF_A,
        api=True,
    ),
    # The payment documents: the holder and the staff; a supplier user gets none (a 404).
    Row(
        "api-account-documents",
        lambda w: f"/api/v1/accounts/{w.owner.account_number}/documents?tenant={w.tenant.code}",
        RESIDENT_A | STAFF_A,
        api=True,
    ),
    Row(
        "api-document",
        lambda w: f"/api/v1/documents/{w.document.reference}",
        RESIDENT_A | STAFF_A,
        api=True,
    ),
    Row(
        "api-document-pdf",
        lambda w: f"/api/v1/documents/{w.document.reference}.pdf",
        RESIDENT_A | STAFF_A,
        api=True,
        shows=False,  # a compressed PDF
    ),
]


def _owner_uid(w) -> str:
    return urlsafe_base64_encode(force_bytes(w.users["resident_a"].pk))


# Pages without anyone's objects (signing up, in and out, resetting a password): every actor
# gets them, with nothing of the owner on them.
PUBLIC = [
    Row("cabinet-signup", lambda w: "/cabinet/signup/"),
    Row("cabinet-login", lambda w: "/cabinet/login/"),
    Row("cabinet-logout", lambda w: "/cabinet/logout/", method="POST"),
    Row("cabinet-password-reset", lambda w: "/cabinet/password-reset/"),
    Row("cabinet-password-reset-done", lambda w: "/cabinet/password-reset/sent/"),
    Row("cabinet-password-reset-complete", lambda w: "/cabinet/password-reset/done/"),
    Row(
        "cabinet-password-reset-confirm",
        lambda w: f"/cabinet/password-reset/{_owner_uid(w)}/not-the-token/",
    ),
]


def _cases():
    for row in ROWS:
        for actor in ACTORS:
            if actor not in row.allowed:
                yield pytest.param(row, actor, id=f"{row.id}-{actor}")


def _positives():
    for row in ROWS:
        if row.allowed:
            yield pytest.param(row, row.owner, id=f"{row.id}-{row.owner}")


# --- requests ----------------------------------------------------------------------------------


def _client(w, actor: str, **options) -> Client:
    """The actor's client, signed in with the session the world made for them; its cookies
    are reset so that nothing (a message, a language) carries over from another test."""
    client = Client(**options) if options else w.clients.setdefault(actor, Client())
    client.cookies = SimpleCookie()
    if actor != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[actor]
    return client


def _send(client: Client, row: Row, w):
    url = row.url(w)
    if row.method == "POST":
        return client.post(url, row.post_data(w))
    return client.get(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(w, body: str, url: str = "", posted: dict | None = None) -> set[str]:
    """The owner's marks in `body`, what the asker sent set aside: a page may echo the URL (the
    language switch's `next`) or a posted field (a form with its error), and the asker knew
    those already."""
    echoes = [url.replace("&", "&amp;"), url, url.split("?")[0]]
    echoes += [value for value in (posted or {}).values() if isinstance(value, str)]
    for echo in sorted(filter(None, echoes), key=len, reverse=True):
        body = body.replace(echo, "")
    return {mark for mark in w.marks if mark in body}


def _assert_refused(row: Row, actor: str, response) -> None:
    status = response.status_code
    if actor == "anonymous" and not row.api and status == 302:
        assert response["Location"].startswith(row.sign_in + "?next="), (
            f"anonymous sent to {response['Location']}"
        )
        return
    allowed = row.refused | ({401, 403} if row.api and actor == "anonymous" else set())
    assert status in allowed, f"{actor} got {status} on {row.id}"


# --- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "actor"), list(_cases()))
def test_nobody_else_gets_the_owners_data(iso, row, actor):
    before = row.state(iso) if row.state else None
    response = _send(_client(iso, actor), row, iso)
    leaks = _leaks(iso, _body(response), row.url(iso), row.post_data(iso))

    if actor in row.own_data:
        assert response.status_code in {200, 302, 403, 404}, f"{actor}: {response.status_code}"
    else:
        _assert_refused(row, actor, response)
    assert not leaks, f"{actor} sees {leaks} on {row.id}"
    if row.state:
        assert row.state(iso) == before, f"{actor}'s {row.method} changed something"


@pytest.mark.parametrize(("row", "actor"), list(_positives()))
def test_the_owner_gets_it(iso, row, actor):
    before = row.state(iso) if row.state else None
    response = _send(_client(iso, actor), row, iso)
    body = _body(response)

    assert response.status_code == row.status, f"{actor} got {response.status_code}: {body[:300]}"
    if row.shows:
        assert _leaks(iso, body), (
            f"nothing of the owner on {row.id}: the matrix would prove nothing"
        )
    for mark in row.hidden:
        assert mark not in body, f"{mark} is on {row.id}"
    if row.state and row.method == "POST" and row.status == 302:
        assert row.state(iso) != before, f"the owner's {row.method} changed nothing"


@pytest.mark.parametrize("actor", ["resident_b", "anonymous"])
@pytest.mark.parametrize("row", PUBLIC, ids=[row.id for row in PUBLIC])
def test_the_public_pages_show_nothing_of_the_owner(iso, row, actor):
    response = _send(_client(iso, actor), row, iso)

    assert response.status_code in {200, 302}
    assert not _leaks(iso, _body(response), row.url(iso))


def test_the_pay_link_page_masks_the_payer(iso):
    response = Client().get(f"/pay/{iso.token}/online/")

    body = _body(response)
    assert response.status_code == 200
    assert pay_links.mask_name(OWNER[2]) in body
    assert OWNER[1] not in body and OWNER[2] not in body


@pytest.mark.parametrize(
    "row",
    [row for row in ROWS if row.method == "POST" and not row.api and row.allowed],
    ids=lambda row: row.id,
)
def test_every_form_needs_the_csrf_token(iso, row):
    client = _client(iso, row.owner, enforce_csrf_checks=True)
    before = row.state(iso) if row.state else None

    response = _send(client, row, iso)

    assert response.status_code == 403
    if row.state:
        assert row.state(iso) == before


# The forms the matrix posts to as nobody in particular: their own data, or no one's yet.
OTHER_FORMS = [
    ("cabinet-signup", "anonymous", lambda w: "/cabinet/signup/"),
    ("cabinet-login", "anonymous", lambda w: "/cabinet/login/"),
    ("cabinet-password-reset", "anonymous", lambda w: "/cabinet/password-reset/"),
    (
        "cabinet-password-reset-confirm",
        "anonymous",
        lambda w: f"/cabinet/password-reset/{_owner_uid(w)}/set-password/",
    ),
    ("cabinet-logout", "resident_a", lambda w: "/cabinet/logout/"),
    ("cabinet-notifications", "resident_a", lambda w: "/cabinet/notifications/"),
    ("pay-link-pay", "anonymous", lambda w: f"/pay/{w.token}/online/"),
]


@pytest.mark.parametrize(("name", "actor", "url"), OTHER_FORMS, ids=[f[0] for f in OTHER_FORMS])
def test_the_other_forms_need_the_csrf_token_too(iso, name, actor, url):
    client = _client(iso, actor, enforce_csrf_checks=True)

    response = client.post(url(iso), {"login": "iso-resident-a@example.com", "mode": "all"})

    assert response.status_code == 403


def test_the_pay_link_asks_for_the_tan_first_when_the_tenant_wants_one(iso):
    Tenant.objects.filter(pk=iso.tenant.pk).update(tan_required=True)

    response = Client().get(f"/pay/{iso.token}/online/")

    assert response.status_code == 302 and response["Location"] == f"/pay/{iso.token}"


def test_a_reversed_payment_through_the_api_needs_the_csrf_token_too(iso):
    client = _client(iso, "staff_a", enforce_csrf_checks=True)

    response = client.post(f"/api/v1/payments/{iso.payment.pk}/reverse", {})

    assert response.status_code == 403
    assert Payment.objects.get(pk=iso.payment.pk).status == PaymentStatus.BOOKED


@pytest.mark.parametrize("actor", sorted(SHARE_SEERS))
def test_a_supplier_sees_only_its_share_of_the_owners_money(iso, actor):
    own = SHARE_SEERS[actor]
    [other] = set(SHARE_SEERS.values()) - {own}
    shares = dict(
        Allocation.objects.filter(payment=iso.payment)
        .values("supplier__code")
        .annotate(total=Sum("amount"))
        .values_list("supplier__code", "total")
    )
    client = _client(iso, actor)

    payment = client.get(f"/api/v1/payments/{iso.payment.pk}")
    balance = client.get(
        f"/api/v1/accounts/{iso.owner.account_number}/balance?tenant={iso.tenant.code}"
    )

    assert payment.status_code == 200 and balance.status_code == 200
    assert [a["supplier"] for a in payment.json()["allocations"]] == [own]
    assert payment.json()["amount"] == format_minor(shares[own])
    assert [s["supplier"] for s in balance.json()["suppliers"]] == [own]
    hidden = _amount_marks(shares[other]) | _amount_marks(OWNER[5]) | {other}
    for response in (payment, balance):
        assert not {mark for mark in hidden if mark in _body(response)}, response.json()


# --- the guard ---------------------------------------------------------------------------------


def _names(patterns) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name)
    return names


def test_every_cabinet_url_is_in_the_matrix():
    """A new page of the cabinet fails here until it has its row (and its isolation cases)."""
    covered = {row.name for row in ROWS + PUBLIC}
    cabinet = _names(cabinet_urls.urlpatterns)

    assert None not in cabinet, "every cabinet URL pattern needs a name"
    assert cabinet - covered == set(), "cabinet URLs without a row in the isolation matrix"


def test_every_row_reaches_the_view_it_names(iso):
    """So a row cannot test a URL that resolves elsewhere (or nowhere)."""
    for row in ROWS + PUBLIC:
        path = row.url(iso).split("?")[0]
        try:
            match = resolve(path)
        except Resolver404:
            pytest.fail(f"{row.id}: {path} resolves to nothing")
        assert match.url_name == row.name, f"{row.id}: {path} is {match.url_name}"
