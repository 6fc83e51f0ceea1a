"""The resident's requests: the list and a form to file one, each request's timeline (its steps,
the messages the resident may see, the files) with a reply form, the account's archive of every
file exchanged, and the download of one file (for the resident and the tenant's staff)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cabinet.models import (
    RequestAttachment,
    RequestKind,
    RequestStatus,
    ServiceRequest,
)
from cabinet.readings_views import held_account
from cabinet.services.requests import MAX_ATTACHMENTS, request_file, request_reply
from core.errors import ApplicationError
from warehouse.scoping import scope


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _files_help() -> str:
    return _("PDF, JPEG or PNG, at most 5 MB each, up to %(count)d files.") % {
        "count": MAX_ATTACHMENTS
    }


# Lazy: `gettext_lazy(...) % {...}` would translate once, at import, in the default language.
FILES_HELP = lazy(_files_help, str)()


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RequestKind.choices)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    text = forms.CharField(
        label=gettext_lazy("Your request"), widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label=gettext_lazy("Files"), required=False, help_text=FILES_HELP)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"), widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(label=gettext_lazy("Files"), required=False, help_text=FILES_HELP)


@login_required(login_url="cabinet-login")
def request_list(request, tenant: str, number: str):
    account = held_account(request, tenant, number)
    form = RequestForm()
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                filed = request_file(
                    account=account,
                    kind=form.cleaned_data["kind"],
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error("files", exc.message)
            else:
                messages.success(request, _("Request #%(pk)d filed.") % {"pk": filed.pk})
                return redirect("cabinet-request", tenant=tenant, number=number, pk=filed.pk)
    requests = ServiceRequest.objects.filter(account=account).order_by("-created_at", "-id")
    context = {"account": account, "requests": requests, "form": form, "section": "my"}
    status = 400 if request.method == "POST" else 200
    return render(request, "cabinet/requests/list.html", context, status=status)


def timeline(service_request: ServiceRequest) -> list[dict]:
    """The steps and the messages the resident sees, in order."""
    entries = [
        {"at": e.at, "kind": e.kind, "label": e.get_kind_display(), "actor": e.actor}
        for e in service_request.events.select_related("actor")
        if e.kind != "message"
    ]
    for message in (
        service_request.messages.filter(internal=False)
        .select_related("author")
        .prefetch_related("attachments")
    ):
        entries.append(
            {
                "at": message.created_at,
                "kind": "message",
                "label": _("Message"),
                "actor": message.author,
                "message": message,
            }
        )
    return sorted(entries, key=lambda e: (e["at"], e["kind"] != "filed"))


@login_required(login_url="cabinet-login")
def request_detail(request, tenant: str, number: str, pk: int):
    account = held_account(request, tenant, number)
    service_request = (
        ServiceRequest.objects.filter(account=account, pk=pk).select_related("created_by").first()
    )
    if service_request is None:
        raise Http404
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                request_reply(
                    request=service_request,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error("files" if exc.code.startswith("attachment") else None, exc.message)
            else:
                messages.success(request, _("Message sent."))
                return redirect("cabinet-request", tenant=tenant, number=number, pk=pk)
    context = {
        "account": account,
        "req": service_request,
        "timeline": timeline(service_request),
        "first_files": service_request.attachments.filter(message__isnull=True),
        "form": form if service_request.status != RequestStatus.CLOSED else None,
        "section": "my",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cabinet/requests/detail.html", context, status=status)


@login_required(login_url="cabinet-login")
def archive(request, tenant: str, number: str):
    account = held_account(request, tenant, number)
    files = (
        RequestAttachment.objects.filter(request__account=account)
        .exclude(message__internal=True)
        .select_related("request", "uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    context = {"account": account, "files": files, "section": "my"}
    return render(request, "cabinet/requests/archive.html", context)


@login_required(login_url="cabinet-login")
def attachment_download(request, pk: int):
    """One file of a request: for the resident holding the account and the tenant's staff
    (through `scope()`; a supplier user sees no request). Internal notes carry no files."""
    attachment = scope(request.user, RequestAttachment).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
