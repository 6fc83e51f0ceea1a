"""The texts of the legal documents, per kind and language: the defaults (no tenant) and a
tenant's own edits of them.

A template's body is Django-template text; its blank-line separated paragraphs become the
letter's paragraphs, and a paragraph that is just `{{ table }}` is where the court order's
per-period table goes (at the end of the body when the template has none). The text is
rendered by an engine of its own with no template loaders (`ENGINE`), so an edited body can use
the placeholders and the built-in tags and filters but cannot include files."""

from django.db import transaction
from django.template import Engine, TemplateSyntaxError

from core.errors import ApplicationError
from debt_collection.models import DocumentKind, DocumentLanguage, DocumentTemplate
from warehouse.models import AuditEvent, Tenant

ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], autoescape=False)

# --- default templates ------------------------------------------------------------------------

_DEFAULTS = {
    (DocumentKind.PRE_TRIAL, DocumentLanguage.RU): (
        "Досудебная претензия",
        """Уважаемый(ая) {{ debtor }}!

По лицевому счёту № {{ account }} (адрес: {{ debtor_address }}) за период {{ periods }} \
образовалась задолженность по оплате жилищно-коммунальных услуг в размере {{ debt_total }}\
{% if has_penalty %}; на неё начислены пени в размере {{ penalty_total }} (ч. 14 ст. 155 \
Жилищного кодекса РФ){% endif %}.

Согласно ст. 153 и 155 Жилищного кодекса РФ плата за жилое помещение и коммунальные услуги \
вносится своевременно и полностью. Просим погасить задолженность в течение десяти дней со дня \
получения настоящей претензии по реквизитам {{ creditor }}.

Если задолженность не будет погашена, {{ creditor }} обратится в суд с заявлением о вынесении \
судебного приказа о взыскании задолженности, пеней и судебных расходов.

Итого к оплате: {{ claim_total }}.""",
    ),
    (DocumentKind.COURT_ORDER, DocumentLanguage.RU): (
        "Заявление о вынесении судебного приказа",
        """{{ creditor }} осуществляет начисление и приём платы за жилищно-коммунальные услуги. \
Должник {{ debtor }}, пользующийся помещением по адресу: {{ debtor_address }} (лицевой счёт \
№ {{ account }}), не исполнил обязанность по внесению платы за период {{ periods }}.

По состоянию на {{ date }} задолженность составляет {{ debt_total }}, пени по ч. 14 ст. 155 \
Жилищного кодекса РФ — {{ penalty_total }}. Расчёт по периодам и поставщикам услуг:

{{ table }}

На основании изложенного, руководствуясь ст. 121–124 Гражданского процессуального кодекса РФ, \
ст. 153 и 155 Жилищного кодекса РФ, прошу вынести судебный приказ о взыскании с {{ debtor }} \
в пользу {{ creditor }} задолженности в размере {{ debt_total }}, пеней в размере \
{{ penalty_total }}{% if has_state_fee %}, а также расходов по уплате государственной пошлины в \
размере {{ state_fee }}{% endif %}, всего {{ claim_total }}.

Приложения: расчёт задолженности и пеней; документ об уплате государственной пошлины; выписка \
по лицевому счёту.""",
    ),
    (DocumentKind.PRE_TRIAL, DocumentLanguage.EN): (
        "Letter before action",
        """Dear {{ debtor }},

Account {{ account }} ({{ debtor_address }}) shows unpaid charges for {{ periods }} of \
{{ debt_total }}{% if has_penalty %}, on which late-payment interest of {{ penalty_total }} has \
accrued{% endif %}.

Please pay the amount due within ten days of receiving this letter to the account of \
{{ creditor }} shown above.

If the debt is not paid, {{ creditor }} will apply to the court for a payment order for the \
debt, the interest and the costs, without further notice.

Total due: {{ claim_total }}.""",
    ),
    (DocumentKind.COURT_ORDER, DocumentLanguage.EN): (
        "Application for a payment order",
        """{{ creditor }} bills and collects the utility charges of the premises at \
{{ debtor_address }} (account {{ account }}). The debtor, {{ debtor }}, has not paid the charges \
for {{ periods }}.

As of {{ date }} the debt is {{ debt_total }} and the statutory late-payment interest \
{{ penalty_total }}, computed per period and supplier as follows:

{{ table }}

The applicant asks the court to order {{ debtor }} to pay {{ creditor }} the debt of \
{{ debt_total }} and interest of {{ penalty_total }}{% if has_state_fee %}, and the court fee of \
{{ state_fee }}{% endif %}, in total {{ claim_total }}.

Enclosures: statement of the debt and interest; proof of payment of the court fee; account \
statement.""",
    ),
}


def legal_defaults() -> None:
    """The default templates (no tenant), created the first time they are needed."""
    for (kind, language), (title, body) in _DEFAULTS.items():
        DocumentTemplate.objects.get_or_create(
            tenant=None, kind=kind, language=language, defaults={"title": title, "body": body}
        )


def document_language(tenant: Tenant) -> str:
    """The language of the tenant's letters and court documents, as its country decides."""
    return DocumentLanguage(tenant.country.letter_language)


def template_for(*, tenant: Tenant, kind: str, language: str | None = None) -> DocumentTemplate:
    """The tenant's own text of the document, or the default one."""
    if kind not in DocumentKind.values:
        raise ApplicationError(f"unknown document kind {kind!r}", code="unknown_kind")
    language = language or document_language(tenant)
    own = DocumentTemplate.objects.filter(tenant=tenant, kind=kind, language=language).first()
    if own:
        return own
    legal_defaults()
    return DocumentTemplate.objects.get(tenant=None, kind=kind, language=language)


def template_check(body: str) -> None:
    try:
        ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            f"the template text does not compile: {exc}", code="template_syntax"
        ) from exc


def template_save(
    *, tenant: Tenant, kind: str, language: str, title: str, body: str, actor=None
) -> DocumentTemplate:
    """Stores the tenant's own text (the default stays as it is for other tenants)."""
    if kind not in DocumentKind.values or language not in DocumentLanguage.values:
        raise ApplicationError("unknown document kind or language", code="unknown_kind")
    title, body = title.strip(), body.replace("\r\n", "\n").strip()
    if not title or not body:
        raise ApplicationError("a template needs a title and a body", code="template_empty")
    template_check(body)
    with transaction.atomic():
        template, _ = DocumentTemplate.objects.update_or_create(
            tenant=tenant,
            kind=kind,
            language=language,
            defaults={"title": title, "body": body, "updated_by": actor},
        )
        AuditEvent.objects.create(
            tenant=tenant,
            actor=actor,
            action="collections.template_save",
            detail={"kind": kind, "language": language, "template": template.pk},
        )
    return template


def template_reset(*, tenant: Tenant, kind: str, language: str, actor=None) -> None:
    """Back to the default text."""
    with transaction.atomic():
        deleted, _ = DocumentTemplate.objects.filter(
            tenant=tenant, kind=kind, language=language
        ).delete()
        if deleted:
            AuditEvent.objects.create(
                tenant=tenant,
                actor=actor,
                action="collections.template_reset",
                detail={"kind": kind, "language": language},
            )
