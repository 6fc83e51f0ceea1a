"""The pages of wallets, included from config/urls.py: the corporate payer's pages, the office
clerks' page and the operator's pages (`wallets.views`, one module per area)."""

from django.urls import path

from wallets.views import coupons, invitations, members, office, payers, staff, statements

# The corporate payer's pages.
urlpatterns = [
    path("corporate/", payers.home, name="corporate-home"),
    path(
        "corporate/invitations/<str:token>/",
        invitations.invitation,
        name="corporate-invitation",
    ),
    path("corporate/<int:payer>/", payers.payer_home, name="corporate-payer"),
    path("corporate/<int:payer>/issue/", coupons.issue, name="corporate-issue"),
    path("corporate/<int:payer>/batches/", coupons.batch_list, name="corporate-batches"),
    path("corporate/<int:payer>/batches/<int:pk>/", coupons.batch_detail, name="corporate-batch"),
    path(
        "corporate/<int:payer>/batches/<int:pk>/coupons.pdf",
        coupons.batch_pdf,
        name="corporate-batch-pdf",
    ),
    path(
        "corporate/<int:payer>/batches/<int:pk>/coupons.zip",
        coupons.batch_zip,
        name="corporate-batch-zip",
    ),
    path("corporate/<int:payer>/coupons/", coupons.coupon_list, name="corporate-coupons"),
    path(
        "corporate/<int:payer>/coupons/<str:identifier>.pdf",
        coupons.coupon_pdf_download,
        name="corporate-coupon-pdf",
    ),
    path(
        "corporate/<int:payer>/coupons/<str:identifier>/cancel/",
        coupons.coupon_cancel_view,
        name="corporate-coupon-cancel",
    ),
    path("corporate/<int:payer>/funding/", statements.funding, name="corporate-funding"),
    path(
        "corporate/<int:payer>/funding/instruction.pdf",
        statements.funding_pdf,
        name="corporate-funding-pdf",
    ),
    path("corporate/<int:payer>/reports/", statements.reports, name="corporate-reports"),
    path(
        "corporate/<int:payer>/reports/statement.<str:file_format>",
        statements.statement_download,
        name="corporate-statement-download",
    ),
    path("corporate/<int:payer>/people/", members.people, name="corporate-people"),
    path("corporate/<int:payer>/people/invite/", members.invite, name="corporate-invite"),
    path(
        "corporate/<int:payer>/people/<int:member>/role/",
        members.member_role,
        name="corporate-member-role",
    ),
    path(
        "corporate/<int:payer>/invitations/<int:pk>/revoke/",
        members.invitation_revoke_view,
        name="corporate-invitation-revoke",
    ),
]

# The office clerks' page.
urlpatterns += [
    path("office/", office.office_home, name="office-home"),
    path("office/redeem/", office.office_redeem, name="office-redeem"),
]

# The operator's wallet pages.
urlpatterns += [
    path("staff/wallets/", staff.payer_list, name="staff-wallets"),
    path("staff/wallets/payers/new/", staff.payer_new, name="staff-wallet-payer-new"),
    path("staff/wallets/payers/<int:pk>/", staff.payer_detail, name="staff-wallet-payer"),
    path(
        "staff/wallets/payers/<int:pk>/invite/",
        staff.payer_invite,
        name="staff-wallet-payer-invite",
    ),
    path("staff/wallets/report/", staff.wallet_report, name="staff-wallet-report"),
]
