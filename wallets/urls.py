"""The pages of wallets and coupons, included from config/urls.py. Each group of pages keeps its
own block below; a new group appends its own `urlpatterns += [...]` block."""

from django.urls import path

from wallets import portal_views as corporate

# The corporate payer's people (wallets.portal_views).
urlpatterns = [
    path("corporate/", corporate.home, name="corporate-home"),
    path(
        "corporate/invitations/<str:token>/",
        corporate.invitation,
        name="corporate-invitation",
    ),
    path("corporate/<int:payer>/", corporate.payer_home, name="corporate-payer"),
    path("corporate/<int:payer>/issue/", corporate.issue, name="corporate-issue"),
    path("corporate/<int:payer>/batches/", corporate.batch_list, name="corporate-batches"),
    path("corporate/<int:payer>/batches/<int:pk>/", corporate.batch_detail, name="corporate-batch"),
    path(
        "corporate/<int:payer>/batches/<int:pk>/coupons.pdf",
        corporate.batch_pdf,
        name="corporate-batch-pdf",
    ),
    path(
        "corporate/<int:payer>/batches/<int:pk>/coupons.zip",
        corporate.batch_zip,
        name="corporate-batch-zip",
    ),
    path("corporate/<int:payer>/coupons/", corporate.coupon_list, name="corporate-coupons"),
    path(
        "corporate/<int:payer>/coupons/<str:identifier>.pdf",
        corporate.coupon_pdf_download,
        name="corporate-coupon-pdf",
    ),
    path(
        "corporate/<int:payer>/coupons/<str:identifier>/cancel/",
        corporate.coupon_cancel_view,
        name="corporate-coupon-cancel",
    ),
    path("corporate/<int:payer>/funding/", corporate.funding, name="corporate-funding"),
    path(
        "corporate/<int:payer>/funding/instruction.pdf",
        corporate.funding_pdf,
        name="corporate-funding-pdf",
    ),
    path("corporate/<int:payer>/reports/", corporate.reports, name="corporate-reports"),
    path(
        "corporate/<int:payer>/reports/statement.<str:file_format>",
        corporate.statement_download,
        name="corporate-statement-download",
    ),
    path("corporate/<int:payer>/people/", corporate.people, name="corporate-people"),
    path("corporate/<int:payer>/people/invite/", corporate.invite, name="corporate-invite"),
    path(
        "corporate/<int:payer>/people/<int:member>/role/",
        corporate.member_role,
        name="corporate-member-role",
    ),
    path(
        "corporate/<int:payer>/invitations/<int:pk>/revoke/",
        corporate.invitation_revoke_view,
        name="corporate-invitation-revoke",
    ),
]

# (The office clerks' and the operator's pages are appended below.)

# The office clerks' page (wallets.office_views).
from wallets import office_views  # noqa: E402

urlpatterns += [
    path("office/", office_views.office_home, name="office-home"),
    path("office/redeem/", office_views.office_redeem, name="office-redeem"),
]

# The operator's wallet pages (wallets.staff_views).
from wallets import staff_views  # noqa: E402

urlpatterns += [
    path("staff/wallets/", staff_views.payer_list, name="staff-wallets"),
    path("staff/wallets/payers/new/", staff_views.payer_new, name="staff-wallet-payer-new"),
    path("staff/wallets/payers/<int:pk>/", staff_views.payer_detail, name="staff-wallet-payer"),
    path(
        "staff/wallets/payers/<int:pk>/invite/",
        staff_views.payer_invite,
        name="staff-wallet-payer-invite",
    ),
    path("staff/wallets/report/", staff_views.wallet_report, name="staff-wallet-report"),
]
