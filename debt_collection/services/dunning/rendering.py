"""The texts of dunning messages: each level's template (or the default text of its channel)
compiled once per run and rendered with every account's context — payer, amounts, the oldest
period, days past due, the overdue debt per supplier and the personal pay link. The context
holds plain values only, so a template can reach nothing but what `_contexts` puts there; the
supplier lines and pay links, which cost a query, are read only when a template names them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial

from django.db.models import Min, Sum
from django.template import Context, Engine
from django.template.base import TextNode, Variable, VariableNode
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize

from core.http import public_url
from core.money import format_currency
from debt_collection.models import DunningOutcome
from debt_collection.services.dunning.defaults import DEFAULT_TEXTS, message_language
from debt_collection.services.dunning.selection import (
    BATCH,
    Decision,
    overdue_debts,
    per_account,
)
from invoicing.models import DocumentStatus, PaymentDocument
from invoicing.services import pay_links
from messaging.models import MessageTemplate
from warehouse.models import Account, Supplier, Tenant
from warehouse.selectors_open_items import overdue_items

# Plain text: no HTML escaping of "&" or quotes in an SMS.
_ENGINE = Engine(autoescape=False)


def render_messages(
    decisions: list[Decision], *, tenant: Tenant, on: dt.date, now: dt.datetime
) -> list[Decision]:
    """Renders subject and body of every decision that sends; returns those. Each template is
    compiled once per run."""
    sending = [d for d in decisions if d.outcome in (DunningOutcome.QUEUED, DunningOutcome.LETTER)]
    compiled, needs = {}, set()
    for d in sending:
        if d.level.pk in compiled:
            continue
        template = d.level.template
        if template is not None:
            subject, body = template.subject, template.body
        else:
            subject, body = DEFAULT_TEXTS[message_language(tenant)][d.channel]
        compiled[d.level.pk] = (template_compile(subject), template_compile(body))
        needs |= {name for name in CONTEXT_NAMES if name in subject + body}
    facts = {
        d.account_id: (d.payer, d.number, d.overdue, d.total, d.dpd, d.oldest_period)
        for d in sending
    }
    contexts = _contexts(
        tenant=tenant, on=on, now=now, account_ids=list(facts), facts=facts, needs=needs
    )
    for d in sending:
        subject, body = compiled[d.level.pk]
        context = contexts[d.account_id]
        d.subject = template_render(subject, context).strip()[:200]
        d.body = template_render(body, context)
    return sending


class CompiledTemplate:
    """A template compiled once per run. A template of plain text and bare `{{ name }}`
    variables — the usual SMS — renders by joining its parts, which gives exactly what Django's
    renderer gives (same localisation of non-text values, no escaping) at a fraction of the
    cost; anything else (filters, tags, dotted names) renders through Django."""

    def __init__(self, text: str):
        self.template = _ENGINE.from_string(text)
        self.parts = self._plain_parts()

    def _plain_parts(self):
        parts = []
        for node in self.template.nodelist:
            if isinstance(node, TextNode):
                parts.append(node.s)
                continue
            if not isinstance(node, VariableNode):
                return None
            expression = node.filter_expression
            var = expression.var
            if expression.filters or not isinstance(var, Variable) or var.literal is not None:
                return None
            if var.lookups is None or len(var.lookups) != 1:
                return None
            parts.append((var.lookups[0],))
        return parts

    def render(self, context: dict) -> str:
        if self.parts is None:
            return self.template.render(Context(context, autoescape=False))
        out = []
        for part in self.parts:
            if type(part) is str:
                out.append(part)
            else:
                value = context.get(part[0], "")
                out.append(value if type(value) is str else str(localize(value)))
        return "".join(out)


def template_compile(text: str) -> CompiledTemplate:
    """A template body or subject compiled for rendering (raises TemplateSyntaxError)."""
    return CompiledTemplate(text)


def template_render(compiled: CompiledTemplate, context: dict) -> str:
    return compiled.render(context)


def message_template_preview(*, template: MessageTemplate, account: Account, on: dt.date) -> str:
    """The body `template` gives for `account` on `on` — for the staff page and tests."""
    context = _contexts(tenant=template.tenant, on=on, now=timezone.now(), account_ids=[account.pk])
    return template_render(template_compile(template.body), context[account.pk])


def _base_url() -> str:
    return public_url("")


def _pay_urls(*, tenant: Tenant, account_ids: list[int], now: dt.datetime) -> dict[int, str]:
    """The personal pay link of each account's latest issued, unexpired document (rebuilt from
    its salt, see invoicing.services.pay_links); the site's front page when it has none."""
    latest: dict[int, tuple[str, str]] = {}
    documents = PaymentDocument.objects.filter(
        status=DocumentStatus.ISSUED, pay_expires_at__gt=now
    ).values_list("account_id", "period", "pay_salt")
    for part in per_account(documents, tenant=tenant, account_ids=account_ids):
        for account_id, period, salt in part.iterator(chunk_size=BATCH):
            if account_id not in latest or latest[account_id][0] < period:
                latest[account_id] = (period, salt)
    base = _base_url()
    path = reverse("pay-link", args=["TOKEN"])
    fallback = base + "/"
    return {
        a: (base + path.replace("TOKEN", pay_links.pay_token(latest[a][1])))
        if a in latest
        else fallback
        for a in account_ids
    }


def _supplier_lines(*, tenant: Tenant, on: dt.date, account_ids: list[int]) -> dict[int, list]:
    money = partial(format_currency, owner=tenant)
    names = dict(Supplier.objects.filter(tenant=tenant).values_list("id", "name"))
    wanted = set(account_ids)
    lines = defaultdict(list)
    rows = (
        overdue_items(on)
        .values("account_id", "supplier_id")
        .annotate(overdue=Sum("open_amount"), oldest=Min("period"))
        .order_by("account_id", "supplier_id")
        .values_list("account_id", "supplier_id", "overdue", "oldest")
    )
    for part in per_account(rows, tenant=tenant, account_ids=account_ids):
        for account_id, supplier_id, overdue, oldest in part.iterator(chunk_size=BATCH):
            if account_id in wanted:
                lines[account_id].append(
                    {
                        "name": names.get(supplier_id, ""),
                        "overdue": money(overdue),
                        "oldest_period": oldest,
                    }
                )
    return lines


CONTEXT_NAMES = (
    "payer_name",
    "account_number",
    "total_due",
    "overdue",
    "oldest_period",
    "days_past_due",
    "suppliers",
    "pay_url",
    "tenant",
    "currency",
)


def _contexts(
    *,
    tenant: Tenant,
    on: dt.date,
    now: dt.datetime,
    account_ids: list[int],
    facts: dict[int, tuple] | None = None,
    needs: set[str] | None = None,
) -> dict[int, dict]:
    """Template contexts of `account_ids`. `facts` — account id → (payer name, account number,
    overdue, total, days past due, oldest period) — come from the run; without them they are
    read here. Supplier lines and pay links, which cost a query, are built only when `needs`
    (the names the run's templates use; None: all) asks for them."""
    needs = set(CONTEXT_NAMES) if needs is None else needs
    if facts is None:
        debts = {
            row[0]: row[1:] for row in overdue_debts(tenant=tenant, on=on, account_ids=account_ids)
        }
        facts = {
            pk: (payer, number, *debts.get(pk, (0, 0, 0, "")))
            for pk, payer, number in Account.objects.filter(pk__in=account_ids).values_list(
                "pk", "payer_name", "account_number"
            )
        }
    lines = (
        _supplier_lines(tenant=tenant, on=on, account_ids=account_ids)
        if "suppliers" in needs
        else {}
    )
    pay_urls = (
        _pay_urls(tenant=tenant, account_ids=account_ids, now=now) if "pay_url" in needs else {}
    )
    money = partial(format_currency, owner=tenant)
    contexts = {}
    for pk in account_ids:
        payer, number, overdue, total, dpd, oldest_period = facts[pk]
        contexts[pk] = {
            "payer_name": payer,
            "account_number": number,
            "total_due": money(max(total, 0)),
            "overdue": money(overdue),
            "oldest_period": oldest_period,
            "days_past_due": dpd,
            "suppliers": lines.get(pk, []),
            "pay_url": pay_urls.get(pk, ""),
            "tenant": tenant.name,
            "currency": tenant.currency,
        }
    return contexts
