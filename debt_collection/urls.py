"""Pages and endpoints of debt collection: the agents' workspace and everything around it under
/staff/collections/ and the public instalment pay link (an account's messages and the SMS
status callback are messaging's, `messaging.urls`)."""

from django.urls import path

from debt_collection import (
    analytics_views,
    case_views,
    dunning_views,
    legal_views,
    letter_views,
    penalty_run_views,
    penalty_views,
    plan_views,
)

urlpatterns = [
    path("staff/collections/letters/", letter_views.letter_queue, name="letter-queue"),
    path("staff/collections/letters/print/", letter_views.letters_print_view, name="letters-print"),
    path(
        "staff/collections/letters/<int:pk>.docx",
        letter_views.letter_download,
        name="letter-download",
    ),
    path("staff/collections/", case_views.case_queue, name="case-queue"),
    path("staff/collections/next/", case_views.case_next, name="case-next"),
    path("staff/collections/assign/", case_views.cases_bulk_assign, name="cases-bulk-assign"),
    path("staff/collections/auto-assign/", case_views.cases_auto_assign, name="cases-auto-assign"),
    path("staff/collections/cases/<int:pk>/", case_views.case_detail, name="case-detail"),
    path(
        "staff/collections/cases/<int:pk>/<slug:action>/",
        case_views.case_action,
        name="case-action",
    ),
    path("pay/plan/<str:token>/", plan_views.plan_pay, name="plan-pay"),
    path("staff/collections/penalty-runs/", penalty_run_views.penalty_runs, name="penalty-runs"),
    path(
        "staff/collections/penalties/<str:account_number>/",
        penalty_views.penalty_calculator,
        name="penalty-calculator",
    ),
    path(
        "staff/collections/legal/cases/<int:pk>/documents/",
        legal_views.document_create,
        name="legal-document-create",
    ),
    path(
        "staff/collections/legal/documents/<int:pk>/",
        legal_views.document_download,
        name="legal-document-download",
    ),
    path(
        "staff/collections/legal/cases/<int:pk>/court/",
        legal_views.court_file,
        name="legal-court-file",
    ),
    path(
        "staff/collections/legal/proceedings/<int:pk>/<slug:action>/",
        legal_views.proceeding_action,
        name="legal-proceeding-action",
    ),
    path(
        "staff/collections/legal/cases/<int:pk>/handover/",
        legal_views.case_handover,
        name="legal-case-handover",
    ),
    path("staff/collections/templates/", legal_views.template_list, name="legal-templates"),
    path(
        "staff/collections/templates/<slug:kind>/",
        legal_views.template_edit,
        name="legal-template-edit",
    ),
    path("staff/collections/agencies/", legal_views.agency_list, name="legal-agencies"),
    path(
        "staff/collections/handovers/<int:pk>/",
        legal_views.handover_detail,
        name="legal-handover",
    ),
    path(
        "staff/collections/handovers/<int:pk>/xlsx",
        legal_views.handover_download,
        name="legal-handover-xlsx",
    ),
    path("staff/collections/cases.xlsx", legal_views.cases_download, name="legal-cases-xlsx"),
    path(
        "staff/collections/analytics/",
        analytics_views.analytics_page,
        name="collections-analytics",
    ),
    path(
        "staff/collections/analytics.xlsx",
        analytics_views.analytics_download,
        name="collections-analytics-xlsx",
    ),
    path("staff/collections/dunning/", dunning_views.dunning_overview, name="dunning-overview"),
]
