"""Legal work on a debt case: editable letter templates and the documents made from them, court
and enforcement proceedings, and hand-overs to collection agencies. Amounts in minor units."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from debt_collection.models.cases import DebtCase
from warehouse.models import Tenant


class DocumentKind(models.TextChoices):
    PRE_TRIAL = "pre_trial", _("Pre-trial claim letter")
    COURT_ORDER = "court_order", _("Application for a court order")


class DocumentLanguage(models.TextChoices):
    RU = "ru", "Русский"
    EN = "en", "English"


class DocumentTemplate(models.Model):
    """The text of a legal document: Django-template text whose blank-line separated paragraphs
    become the letter's paragraphs. A row without tenant is the default every tenant starts
    from; a tenant's own row (made when staff edit the text) wins over it."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=11, choices=DocumentKind.choices)
    language = models.CharField(max_length=2, choices=DocumentLanguage.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "language"],
                condition=Q(tenant__isnull=False),
                name="legal_template_one_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=Q(tenant__isnull=True),
                name="legal_template_one_default",
            ),
        ]

    def __str__(self):
        owner = self.tenant.code if self.tenant_id else "default"
        return f"{owner}: {self.get_kind_display()} ({self.language})"


class LegalDocument(models.Model):
    """A generated document, kept so it can be downloaded again exactly as it was made."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(DebtCase, on_delete=models.CASCADE, related_name="legal_documents")
    kind = models.CharField(max_length=11, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    addressee = models.CharField(max_length=300, blank=True)
    document_date = models.DateField()
    file = models.FileField(upload_to="legal/%Y/%m/")
    debt_total = models.BigIntegerField(help_text="minor units")
    penalty_total = models.BigIntegerField(default=0, help_text="minor units")
    state_fee = models.BigIntegerField(default=0, help_text="minor units")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    reissue_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="set when the amounts it demands changed since (e.g. penalties recalculated)",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} · case {self.case_id} · {self.document_date}"

    @property
    def claim_total(self) -> int:
        return self.debt_total + self.penalty_total + self.state_fee


class ProceedingStage(models.TextChoices):
    COURT = "court", _("In court")
    ENFORCEMENT = "enforcement", _("Enforcement")
    CLOSED = "closed", _("Closed")


class CourtProceeding(models.Model):
    """A claim in court and, after the decision, its enforcement by the bailiffs."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(DebtCase, on_delete=models.CASCADE, related_name="proceedings")
    stage = models.CharField(
        max_length=11, choices=ProceedingStage.choices, default=ProceedingStage.COURT
    )
    court_name = models.CharField(max_length=300)
    filed_on = models.DateField()
    case_number = models.CharField(max_length=60, blank=True)
    hearing_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    amount_claimed = models.BigIntegerField(help_text="minor units")
    amount_awarded = models.BigIntegerField(null=True, blank=True, help_text="minor units")
    award_note = models.CharField(
        max_length=300, blank=True, help_text="why more was awarded than claimed"
    )
    state_fee = models.BigIntegerField(default=0, help_text="minor units")
    writ_number = models.CharField(max_length=60, blank=True)
    enforcement_opened_on = models.DateField(null=True, blank=True)
    bailiff_office = models.CharField(max_length=300, blank=True)
    amount_collected = models.BigIntegerField(default=0, help_text="minor units")
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(stage="closed"),
                name="court_one_open_proceeding_per_case",
            ),
            models.CheckConstraint(
                condition=Q(amount_claimed__gt=0)
                & Q(state_fee__gte=0)
                & Q(amount_collected__gte=0)
                & (Q(amount_awarded__isnull=True) | Q(amount_awarded__gte=0)),
                name="court_amounts_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.court_name} {self.case_number or '—'} ({self.get_stage_display()})"


class Agency(models.Model):
    """A collection agency a tenant hands cases over to, for a commission on what it recovers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="collection_agencies")
    name = models.CharField(max_length=200)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2)
    contact = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["tenant", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="agency_name_per_tenant"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=100),
                name="agency_commission_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.commission_percent} %)"


class AgencyHandover(models.Model):
    """Cases handed to an agency on one day, with the debt handed over per case."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="handovers")
    handed_on = models.DateField()
    cases = models.ManyToManyField(DebtCase, through="AgencyHandoverLine", related_name="handovers")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-handed_on", "-id"]

    def __str__(self):
        return f"{self.agency.name} {self.handed_on}"


class AgencyHandoverLine(models.Model):
    handover = models.ForeignKey(AgencyHandover, on_delete=models.CASCADE, related_name="lines")
    case = models.ForeignKey(DebtCase, on_delete=models.PROTECT, related_name="handover_lines")
    debt_handed = models.BigIntegerField(help_text="minor units")

    class Meta:
        ordering = ["handover", "id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "case"], name="handover_case_once"),
            models.CheckConstraint(condition=Q(debt_handed__gt=0), name="handover_debt_positive"),
        ]

    def __str__(self):
        return f"{self.handover} · case {self.case_id}"
