"""Residents' requests: filing with attachments (and their limits), the staff queue, assigning,
answering (and internal notes), closing, the e-mail at each step, the timeline the resident
sees, the account's archive, and who may open which page."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cabinet.models import RequestAttachment, RequestStatus, ServiceRequest
from cabinet.services.requests import MAX_ATTACHMENT_BYTES
from messaging.models import Message
from tests.factories import AccountHolderFactory, MembershipFactory, TenantFactory, UserFactory
from warehouse.models import AuditEvent, Role

pytest_plugins = ["tests.warehouse.charges_fixtures"]
pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"x" * 100


def pdf(name="bill.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def account(world):
    return world.account("VK-0001")


@pytest.fixture
def resident(account):
    user = UserFactory(username="resident-1", email="resident@example.com")
    AccountHolderFactory(user=user, account=account)
    return user


@pytest.fixture
def staff(world):
    return MembershipFactory(
        tenant=world.tenant, role=Role.COLLECTOR, user=UserFactory(username="olga")
    ).user


def urls(account, pk=None):
    args = [account.tenant.code, account.account_number]
    return {
        "list": reverse("cabinet-requests", args=args),
        "archive": reverse("cabinet-archive", args=args),
        "detail": reverse("cabinet-request", args=[*args, pk]) if pk else None,
    }


def file_request(client, account, **data):
    data = {"kind": "recalculation", "subject": "Hot water was off", "text": "Ten days.", **data}
    return client.post(urls(account)["list"], data)


def test_the_lifecycle_is_visible_to_the_resident_with_an_email_at_each_step(
    world, account, resident, staff, client, django_capture_on_commit_callbacks
):
    # filed, with a file
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = file_request(client, account, files=[pdf("act.pdf")])
    filed = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == urls(account, filed.pk)["detail"]
    assert (filed.status, filed.kind, filed.created_by) == ("new", "recalculation", resident)
    assert filed.attachments.get().filename == "act.pdf"

    # the staff see it in the queue, assign, write a note, answer with a file, close
    client.force_login(staff)
    queue = client.get(reverse("staff-requests"), {"status": "new"})
    assert "Hot water was off" in queue.content.decode()
    base = reverse("staff-request", args=[filed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + "assign/", {"assignee": staff.pk}).status_code == 302
        client.post(base + "answer/", {"text": "Checked the meter log.", "internal": "on"})
        client.post(
            base + "answer/",
            {"text": "We recalculate 10 days.", "files": [pdf("recalc.pdf")]},
        )
        client.post(base + "close/")
    filed.refresh_from_db()
    assert (filed.status, filed.assigned_to) == ("closed", staff)
    assert filed.closed_at is not None

    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        f"Request #{filed.pk} received",
        f"Request #{filed.pk} is being handled",
        f"Request #{filed.pk} answered",
        f"Request #{filed.pk} closed",
    ]
    assert all(m.to == ["resident@example.com"] for m in mail.outbox)
    assert "We recalculate 10 days." in mail.outbox[2].body
    assert Message.objects.filter(account=account, source="cabinet_request").count() == 4
    assert set(
        AuditEvent.objects.filter(action__startswith="request.").values_list("action", flat=True)
    ) == {"request.assigned", "request.noted", "request.answered", "request.closed"}

    # the resident sees every step and the answer, never the internal note
    client.force_login(resident)
    page = client.get(urls(account, filed.pk)["detail"]).content.decode()
    for step in (
        "Filed",
        "Assigned",
        "Answered",
        "Closed",
        "We recalculate 10 days.",
        "recalc.pdf",
    ):
        assert step in page
    assert "Checked the meter log." not in page
    assert "Send" not in page  # a closed request takes no more messages

    # the archive keeps both documents
    archive = client.get(urls(account)["archive"]).content.decode()
    assert "act.pdf" in archive and "recalc.pdf" in archive
    downloaded = client.get(
        reverse("cabinet-attachment", args=[RequestAttachment.objects.get(filename="act.pdf").pk])
    )
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF


def test_the_resident_replies_and_the_request_goes_back_to_the_staff(
    world, account, resident, staff, client
):
    client.force_login(resident)
    file_request(client, account)
    filed = ServiceRequest.objects.get()
    client.force_login(staff)
    base = reverse("staff-request", args=[filed.pk])
    client.post(base + "assign/", {"assignee": staff.pk})
    client.post(base + "answer/", {"text": "Which days?"})
    client.force_login(resident)
    response = client.post(urls(account, filed.pk)["detail"], {"text": "1st to 10th."})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == RequestStatus.ASSIGNED
    assert "1st to 10th." in client.get(urls(account, filed.pk)["detail"]).content.decode()


def test_a_closed_request_takes_nothing_more(world, account, resident, staff, client):
    client.force_login(resident)
    file_request(client, account)
    filed = ServiceRequest.objects.get()
    client.force_login(staff)
    client.post(reverse("staff-request-close", args=[filed.pk]))
    response = client.post(reverse("staff-request-answer", args=[filed.pk]), {"text": "late"})
    assert response.status_code == 400
    assert filed.messages.count() == 0
    client.force_login(resident)
    response = client.post(urls(account, filed.pk)["detail"], {"text": "hello?"})
    assert response.status_code == 400
    assert filed.messages.count() == 0


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (pdf("big.pdf", b"%PDF" + b"x" * MAX_ATTACHMENT_BYTES), "larger than 5 MB"),
        (pdf("tool.exe", b"MZ..."), "only PDF, JPG, JPEG, PNG files are accepted"),
        (pdf("fake.pdf", b"MZ this is no pdf"), "not a real PDF file"),
        (pdf("photo.png", b"%PDF-1.4"), "not a real PNG file"),
    ],
)
def test_attachments_are_limited_in_size_and_type(world, account, resident, client, upload, error):
    client.force_login(resident)
    response = file_request(client, account, files=[upload])
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


def test_at_most_five_files_per_message(world, account, resident, client):
    client.force_login(resident)
    response = file_request(client, account, files=[pdf(f"{i}.pdf") for i in range(6)])
    assert response.status_code == 400
    assert "At most 5 files" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_missing_subject_is_an_error_next_to_the_field(world, account, resident, client):
    client.force_login(resident)
    response = file_request(client, account, subject="")
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_queue_filters_by_status_kind_and_assignee(world, account, resident, staff, client):
    client.force_login(resident)
    file_request(client, account, subject="First", kind="question")
    file_request(client, account, subject="Second", kind="repair")
    second = ServiceRequest.objects.get(subject="Second")
    client.force_login(staff)
    client.post(reverse("staff-request-assign", args=[second.pk]), {"assignee": staff.pk})
    by_kind = client.get(reverse("staff-requests"), {"kind": "question"}).content.decode()
    assert "First" in by_kind and "Second" not in by_kind
    mine = client.get(reverse("staff-requests"), {"assigned_to": staff.pk}).content.decode()
    assert "Second" in mine and "First" not in mine
    assigned = client.get(reverse("staff-requests"), {"status": "assigned"}).content.decode()
    assert "Second" in assigned and "First" not in assigned


def test_only_the_tenants_staff_can_be_assigned(world, account, resident, staff, client):
    client.force_login(resident)
    file_request(client, account)
    filed = ServiceRequest.objects.get()
    stranger = MembershipFactory(tenant=TenantFactory()).user
    client.force_login(staff)
    response = client.post(
        reverse("staff-request-assign", args=[filed.pk]), {"assignee": stranger.pk}
    )
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.assigned_to is None


# --- isolation --------------------------------------------------------------------------------


@pytest.fixture
def filed(world, account, resident, client):
    client.force_login(resident)
    file_request(client, account, files=[pdf("act.pdf")])
    client.logout()
    return ServiceRequest.objects.get()


@pytest.fixture
def outsiders(world):
    other_resident = UserFactory(username="resident-2")
    AccountHolderFactory(user=other_resident, account=world.account("VK-0002"))
    return {
        "resident": other_resident,
        "staff": MembershipFactory(tenant=TenantFactory()).user,
        "supplier": MembershipFactory(supplier=world.supplier).user,
    }


@pytest.mark.parametrize("who", ["resident", "staff", "supplier"])
def test_nobody_else_sees_the_residents_requests(world, account, filed, outsiders, client, who):
    client.force_login(outsiders[who])
    links = urls(account, filed.pk)
    attachment = filed.attachments.get()
    for url in (links["list"], links["detail"], links["archive"]):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Hot water was off" not in response.content.decode()
    assert client.get(reverse("cabinet-attachment", args=[attachment.pk])).status_code == 404
    assert client.post(links["detail"], {"text": "intrusion"}).status_code == 404
    assert (
        client.post(links["list"], {"kind": "question", "subject": "x", "text": "y"}).status_code
        == 404
    )
    assert ServiceRequest.objects.count() == 1 and filed.messages.count() == 0


@pytest.mark.parametrize("who", ["staff", "supplier", "resident"])
def test_nobody_else_works_the_request(world, filed, outsiders, client, who):
    client.force_login(outsiders[who])
    expected = 404 if who == "staff" else 403
    base = reverse("staff-request", args=[filed.pk])
    assert client.get(base).status_code == expected
    assert client.post(base + "close/").status_code == expected
    assert client.post(base + "answer/", {"text": "x"}).status_code == expected
    queue = client.get(reverse("staff-requests"))
    assert queue.status_code == (200 if who == "staff" else 403)
    assert "Hot water was off" not in queue.content.decode()
    filed.refresh_from_db()
    assert filed.status == RequestStatus.NEW


def test_anonymous_is_sent_to_sign_in(world, account, filed, client):
    links = urls(account, filed.pk)
    for url in (
        links["list"],
        links["detail"],
        links["archive"],
        reverse("cabinet-attachment", args=[filed.attachments.get().pk]),
        reverse("staff-requests"),
        reverse("staff-request", args=[filed.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_tenants_staff_download_the_residents_file(world, filed, staff, client):
    client.force_login(staff)
    response = client.get(reverse("cabinet-attachment", args=[filed.attachments.get().pk]))
    assert response.status_code == 200
