"""The agents' workspace: the case queue (`/staff/collections/`) and the case page with its
actions. Views check who may come in, parse the form and call one service.

Who may do what: operator staff of a tenant see its cases (accountants read only); collectors
and operator admins of the tenant act (`selectors.can_work_cases`), anyone else gets 403.
Another tenant's case is a 404; supplier users and residents get 403 (`staff_required`)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from core.errors import ApplicationError
from core.http import public_url
from core.money import format_currency
from core.ui.forms import form_errors
from core.ui.redirects import safe_next
from debt_collection import forms, selectors
from debt_collection.filters import CaseFilter
from debt_collection.models import CaseEventKind, CaseStage
from debt_collection.services import cases as case_services
from debt_collection.services.calls import voice_backend
from debt_collection.services.dunning.defaults import message_language
from debt_collection.services.plans import (
    instalment_pay_path,
    plan_create,
    plan_payment_assign,
    plans_check,
)
from debt_collection.services.promises import promise_record, promises_check
from debt_collection.tables import CaseTable
from messaging.models import MessageChannel
from warehouse.access import staff_required
from warehouse.models import Role, Tenant
from warehouse.scoping import role_in
from warehouse.selectors import staff_scope

CASES_PER_PAGE = 50


def _case_or_404(request, pk: int):
    case = selectors.case_of(request.user, pk)
    if case is None:
        raise Http404
    return case


def _may_work(request, case) -> None:
    if not selectors.can_work_cases(request.user, case.tenant):
        raise PermissionDenied


def _work_tenants(request):
    return [
        t for t in staff_scope(request.user, Tenant) if selectors.can_work_cases(request.user, t)
    ]


@staff_required
def case_queue(request):
    on = timezone.localdate()
    rows = selectors.queue_annotated(selectors.cases_of(request.user), on=on)
    filterset = CaseFilter(request.GET or None, queryset=rows, request=request)
    work_tenants = _work_tenants(request)
    table = CaseTable(filterset.qs, selectable=bool(work_tenants))
    RequestConfig(request, paginate={"per_page": CASES_PER_PAGE}).configure(table)
    agents = selectors.agents_of([t.pk for t in work_tenants])
    context = {
        "filter": filterset,
        "table": table,
        "may_work": bool(work_tenants),
        "assign_form": forms.AssignForm(agents=agents) if work_tenants else None,
        "auto_form": forms.AutoAssignForm() if work_tenants else None,
        "work_tenants": work_tenants,
        "section": "collections",
    }
    return render(request, "debt_collection/cases/queue.html", context)


@staff_required
def case_next(request):
    found = selectors.next_case(request.user, on=timezone.localdate(), now=timezone.now())
    if found is None:
        messages.info(request, _("Nothing to work: no callback is due and the queue is empty."))
        return redirect("case-queue")
    return redirect("case-detail", pk=found.pk)


@require_POST
@staff_required
def cases_bulk_assign(request):
    work_tenants = _work_tenants(request)
    if not work_tenants:
        raise PermissionDenied
    cases = selectors.cases_of(request.user).filter(tenant__in=work_tenants)
    agents = selectors.agents_of([t.pk for t in work_tenants])
    form = forms.BulkAssignForm(request.POST, agents=agents, cases=cases)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("case-queue")
    try:
        done = case_services.cases_assign_bulk(
            cases=form.cleaned_data["cases"], agent=form.cleaned_data["agent"], actor=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d cases assigned.") % {"n": done})
    return redirect(safe_next(request, "case-queue"))


@require_POST
@staff_required
def cases_auto_assign(request):
    form = forms.AutoAssignForm(request.POST)
    tenant = next((t for t in _work_tenants(request) if t.code == request.POST.get("tenant")), None)
    if tenant is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("case-queue")
    agents = [
        agent
        for agent in selectors.agents_of([tenant.pk])
        if role_in(agent, tenant) == Role.COLLECTOR
    ]
    try:
        given = case_services.cases_assign(
            tenant=tenant,
            agents=agents,
            strategy=form.cleaned_data["strategy"],
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(n)d unassigned cases of %(tenant)s handed to %(agents)d collectors.")
            % {"n": sum(given.values()), "tenant": tenant.name, "agents": len(given)},
        )
    return redirect("case-queue")


def _draft(case, debt) -> dict[str, str]:
    """The texts the SMS and letter forms start from, in the debtor's language (the tenant's
    message language, as the dunning messages speak), not the collector's."""
    with translation.override(message_language(case.tenant)):
        return {
            "subject": _("Overdue debt"),
            "body": _(
                "%(name)s, account %(number)s has %(amount)s overdue. Please pay, or call us to "
                "agree a date. %(tenant)s"
            )
            % {
                "name": case.account.payer_name,
                "number": case.account.account_number,
                "amount": format_currency(debt.overdue, case.tenant),
                "tenant": case.tenant.name,
            },
        }


def _legal_template():
    """H5's slot for legal documents; a missing template leaves the slot empty."""
    try:
        return get_template("debt_collection/cases/_legal.html")
    except TemplateDoesNotExist:
        return None


@staff_required
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    on = timezone.localdate()
    if case.stage == CaseStage.PROMISED:
        promises_check(on=on, case=case)
    elif case.stage == CaseStage.PLAN:
        plans_check(on=on, case=case)
    case = _case_or_404(request, pk)
    debt = selectors.case_debt(case.account, on=on)
    may_work = selectors.can_work_cases(request.user, case.tenant) and (
        case.stage != CaseStage.CLOSED
    )
    plans = selectors.case_plans(case)
    for plan in plans:
        for instalment in plan.instalments.all():
            instalment.pay_url = public_url(instalment_pay_path(instalment))
    agents = selectors.agents_of([case.tenant_id])
    outcomes = dict(case_services.ContactOutcome.choices)
    events = list(case.events.select_related("actor"))
    for event in events:
        event.outcome_label = outcomes.get(event.outcome, event.outcome)
    draft = _draft(case, debt)
    closing = next((e for e in events if e.kind == CaseEventKind.CLOSED), None)
    context = {
        # why it closed, in the reader's language when the system closed it (`CaseEvent.text`)
        "closed_reason": closing.text if closing else case.closed_reason,
        "message_language": message_language(case.tenant),  # the messages' own language
        "case": case,
        "account": case.account,
        "debt": debt,
        "payments": selectors.case_payments(case.account),
        "case_messages": selectors.case_messages(case),
        "promises": selectors.case_promises(case),
        "plans": plans,
        "events": events,
        "may_work": may_work,
        "may_call": may_work and bool(case.account.phone) and voice_backend() is not None,
        "legal_template": _legal_template(),
        "contact_form": forms.ContactForm(),
        "note_form": forms.NoteForm(),
        "callback_form": forms.CallbackForm(),
        "sms_form": forms.MessageForm(initial={"body": draft["body"]}),
        "letter_form": forms.LetterForm(initial=draft),
        "promise_form": forms.PromiseForm(),
        "plan_form": forms.PlanForm(),
        "plan_payment_form": forms.PlanPaymentForm(),
        "assign_form": forms.AssignForm(agents=agents, initial={"agent": case.assigned_to_id}),
        "close_form": forms.CloseForm(),
        "section": "collections",
    }
    return render(request, "debt_collection/cases/detail.html", context)


def _contact(request, case, form):
    case_services.contact_log(case=case, actor=request.user, **form.cleaned_data)
    kind = CaseEventKind(form.cleaned_data["kind"]).label
    return _("The %(kind)s is logged.") % {"kind": kind.lower()}


def _note(request, case, form):
    case_services.note_add(case=case, note=form.cleaned_data["note"], actor=request.user)
    return _("The note is added.")


def _callback(request, case, form):
    at = form.cleaned_data["at"]
    case_services.callback_schedule(
        case=case, at=at, note=form.cleaned_data["note"], actor=request.user
    )
    return _("Callback scheduled for %(at)s.") % {
        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    }


def _sms(request, case, form):
    case_services.case_message_send(
        case=case, channel=MessageChannel.SMS, body=form.cleaned_data["body"], actor=request.user
    )
    return _("The SMS is queued.")


def _letter(request, case, form):
    case_services.case_message_send(
        case=case,
        channel=MessageChannel.LETTER,
        body=form.cleaned_data["body"],
        subject=form.cleaned_data["subject"],
        actor=request.user,
    )
    return _("The letter is queued for printing.")


def _promise(request, case, form):
    promise = promise_record(case=case, actor=request.user, **form.cleaned_data)
    return _(
        "Promise of %(amount)s by %(date)s recorded; the case leaves the queue until then."
    ) % {
        "amount": format_currency(promise.amount, case.tenant),
        "date": f"{promise.due_date:%Y-%m-%d}",
    }


def _plan(request, case, form):
    plan = plan_create(case=case, actor=request.user, **form.cleaned_data)
    return _("Payment plan of %(months)d instalments, %(total)s in total.") % {
        "months": plan.months,
        "total": format_currency(plan.total, case.tenant),
    }


def _plan_payment(request, case, form):
    plan = selectors.case_active_plan(case)
    payment = selectors.account_payment(case.account, form.cleaned_data["payment"])
    if plan is None or payment is None:
        raise ApplicationError(_("No such payment of the account, or no active plan."))
    number = form.cleaned_data["instalment"]
    instalment = selectors.plan_instalment(plan, number) if number else None
    if number and instalment is None:
        raise ApplicationError(_("The plan has no such instalment."))
    row = plan_payment_assign(plan=plan, payment=payment, instalment=instalment, actor=request.user)
    return _("%(amount)s of the payment counts toward the payment plan.") % {
        "amount": format_currency(row.amount, case.tenant)
    }


def _assign(request, case, form):
    agent = form.cleaned_data["agent"]
    case_services.case_assign(case=case, agent=agent, actor=request.user)
    if agent is None:
        return _("The case is unassigned.")
    return _("The case is assigned to %(agent)s.") % {"agent": agent.get_full_name() or agent}


def _call(request, case, form):
    case_services.case_call(case=case, actor=request.user)
    return _("Twilio is ringing your phone; the payer is called when you answer.")


def _close(request, case, form):
    case_services.case_close_by_agent(
        case=case, reason=form.cleaned_data["reason"], actor=request.user
    )
    return _("The case is closed.")


ACTIONS = {
    "contact": (forms.ContactForm, _contact),
    "note": (forms.NoteForm, _note),
    "callback": (forms.CallbackForm, _callback),
    "sms": (forms.MessageForm, _sms),
    "letter": (forms.LetterForm, _letter),
    "promise": (forms.PromiseForm, _promise),
    "plan": (forms.PlanForm, _plan),
    "plan_payment": (forms.PlanPaymentForm, _plan_payment),
    "assign": (forms.AssignForm, _assign),
    "close": (forms.CloseForm, _close),
    "call": (forms.CallForm, _call),
}


@require_POST
@staff_required
def case_action(request, pk: int, action: str):
    case = _case_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    _may_work(request, case)
    form_class, act = ACTIONS[action]
    kwargs = {"agents": selectors.agents_of([case.tenant_id])} if action == "assign" else {}
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(reverse("case-detail", args=[case.pk]) + f"#{action}")
    try:
        done = act(request, case, form)
    except case_services.ContactLimitReached as exc:
        # The law (or the tenant) refuses the contact: the case page again, with the reason and
        # the refusal's status (422), so that nothing reads it as done.
        messages.error(request, exc.message)
        response = case_detail(request, pk=case.pk)
        response.status_code = exc.status_code
        return response
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("case-detail", pk=case.pk)
