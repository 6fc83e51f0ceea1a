from django.urls import path

from invoicing import close_views, staff_views, views

urlpatterns = [
    path("pay/<str:token>", views.pay_link, name="pay-link"),
    path("staff/billing/", staff_views.billing_periods, name="billing-periods"),
    path(
        "staff/billing/<slug:code>/<str:period>/",
        staff_views.period_documents,
        name="billing-documents",
    ),
    path(
        "staff/billing/<slug:code>/<str:period>/close/",
        close_views.period_close_confirm,
        name="billing-close",
    ),
    path(
        "staff/billing/<slug:code>/<str:period>/print.pdf",
        staff_views.print_file,
        name="billing-print",
    ),
    path("staff/documents/<int:pk>/", staff_views.document_detail, name="document-detail"),
    path("staff/documents/<int:pk>/pdf", staff_views.document_pdf, name="document-pdf"),
    path("staff/documents/<int:pk>/docx", staff_views.document_docx, name="document-docx"),
]
