"""The resident's and the supplier's cabinet (/cabinet/, /supplier/) and the staff pages that serve
them. Every URL here has its row in tests/cabinet/test_isolation_matrix.py (a test fails
otherwise)."""

from django.urls import path, re_path

from cabinet import (
    auth_views,
    bills,
    notification_views,
    paying,
    readings_views,
    requests_views,
    staff_views,
    supplier_flows_views,
    supplier_views,
    views_home,
)
from cabinet.desk import views as desk_views

_ACCOUNT = r"^cabinet/accounts/(?P<tenant>[-\w]+)/(?P<number>[^/]+)/"
_PERIOD = r"(?P<period>\d{4}-(?:0[1-9]|1[0-2]))"
ACCOUNT = "cabinet/accounts/<slug:tenant>/<str:number>/"

urlpatterns = [
    # Residents: sign-up, sign-in, password reset, linking accounts, the debt position.
    path("cabinet/", views_home.home, name="cabinet-home"),
    # The warehouse's placeholder /my/ (url name kept) is the cabinet's home page too.
    path("my/", views_home.home, name="resident-home"),
    path("cabinet/signup/", auth_views.signup, name="cabinet-signup"),
    path("cabinet/login/", auth_views.signin, name="cabinet-login"),
    path("cabinet/logout/", auth_views.signout, name="cabinet-logout"),
    path("cabinet/password-reset/", auth_views.password_reset, name="cabinet-password-reset"),
    path(
        "cabinet/password-reset/sent/",
        auth_views.password_reset_done,
        name="cabinet-password-reset-done",
    ),
    path(
        "cabinet/password-reset/done/",
        auth_views.password_reset_complete,
        name="cabinet-password-reset-complete",
    ),
    path(
        "cabinet/password-reset/<uidb64>/<token>/",
        auth_views.password_reset_confirm,
        name="cabinet-password-reset-confirm",
    ),
    path("cabinet/link/", views_home.link, name="cabinet-link"),
    path(ACCOUNT + "unlink/", views_home.unlink, name="cabinet-unlink"),
    # Bills, charges and payment history; paying, also through the personal pay link.
    re_path(_ACCOUNT + r"documents/$", bills.documents, name="cabinet-documents"),
    re_path(_ACCOUNT + rf"documents/{_PERIOD}/$", bills.document, name="cabinet-document"),
    re_path(
        _ACCOUNT + rf"documents/{_PERIOD}/status/$",
        bills.document_status,
        name="cabinet-document-status",
    ),
    re_path(
        _ACCOUNT + rf"documents/{_PERIOD}\.pdf$", bills.document_pdf, name="cabinet-document-pdf"
    ),
    re_path(_ACCOUNT + r"charges/$", bills.charges, name="cabinet-charges"),
    re_path(_ACCOUNT + r"payments/$", bills.payments, name="cabinet-payments"),
    re_path(
        _ACCOUNT + r"payments/(?P<pk>\d+)/receipt\.pdf$", bills.receipt, name="cabinet-receipt"
    ),
    re_path(_ACCOUNT + r"pay/$", paying.pay, name="cabinet-pay"),
    path("pay/<str:token>/online/", paying.pay_link_pay, name="pay-link-pay"),
    # Meter readings, requests and the account's archive of files.
    path(ACCOUNT + "readings/", readings_views.readings, name="cabinet-readings"),
    path("cabinet/readings/<int:pk>/photo/", readings_views.reading_photo, name="reading-photo"),
    path(ACCOUNT + "requests/", requests_views.request_list, name="cabinet-requests"),
    path(ACCOUNT + "requests/<int:pk>/", requests_views.request_detail, name="cabinet-request"),
    path(ACCOUNT + "archive/", requests_views.archive, name="cabinet-archive"),
    path(
        "cabinet/attachments/<int:pk>/",
        requests_views.attachment_download,
        name="cabinet-attachment",
    ),
    # Notification preferences and "remind me on…".
    path("cabinet/notifications/", notification_views.notifications, name="cabinet-notifications"),
    path(
        "cabinet/notifications/reminders/",
        notification_views.reminder_add,
        name="cabinet-reminder-add",
    ),
    path(
        "cabinet/notifications/reminders/<int:pk>/cancel/",
        notification_views.reminder_cancel_view,
        name="cabinet-reminder-cancel",
    ),
    # The supplier's cabinet.
    path("supplier/", supplier_views.payments, name="supplier-home"),
    path("supplier/debt/", supplier_views.debt, name="supplier-debt"),
    path("supplier/payouts/", supplier_views.payouts, name="supplier-payouts"),
    path("supplier/flows/", supplier_flows_views.flows, name="supplier-flows"),
    path(
        "supplier/flows/files/<int:pk>/",
        supplier_flows_views.flow_file,
        name="supplier-flow-file",
    ),
    path(
        "supplier/secret/rotate/",
        supplier_flows_views.secret_rotate_view,
        name="supplier-secret-rotate-own",
    ),
    re_path(
        r"^supplier/export/(?P<what>payments|days|debt|payouts)\.(?P<file_format>csv|xlsx)$",
        supplier_views.export,
        name="supplier-export",
    ),
    # Staff: the residents' requests queue, and meter readings import and export.
    path("staff/requests/", staff_views.request_queue, name="staff-requests"),
    path("staff/requests/<int:pk>/", staff_views.request_detail, name="staff-request"),
    path(
        "staff/requests/<int:pk>/assign/",
        staff_views.request_assign_view,
        name="staff-request-assign",
    ),
    path(
        "staff/requests/<int:pk>/answer/",
        staff_views.request_answer_view,
        name="staff-request-answer",
    ),
    path(
        "staff/requests/<int:pk>/close/",
        staff_views.request_close_view,
        name="staff-request-close",
    ),
    path("staff/readings/", staff_views.readings_page, name="staff-readings"),
    # Staff: the operator's desk — the dashboard, the account search and the account card.
    path("staff/desk/", desk_views.dashboard, name="staff-desk"),
    path("staff/desk/accounts/", desk_views.account_search, name="staff-account-search"),
    path(
        "staff/desk/accounts/<slug:tenant>/<str:number>/",
        desk_views.account_card,
        name="staff-account-card",
    ),
]
