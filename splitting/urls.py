from django.urls import include, path

from splitting.views import cashdesk as cashdesk_views
from splitting.views import checkouts_staff
from splitting.views import flows as flow_views
from splitting.views import payment_requests as payment_request_views
from splitting.views import payments as views
from splitting.views import providers as provider_views
from splitting.views import reconciliation as reconciliation_views
from splitting.views import settlement as settlement_views
from splitting.views import statements as statement_views
from splitting.views import terminals as terminal_views

urlpatterns = [
    path("", include("splitting.urls_accounting")),
    path(
        "api/v1/terminals/<slug:processor>/",
        terminal_views.terminal_endpoint,
        name="terminal-endpoint",
    ),
    path("staff/payments/", views.payment_list, name="payment-list"),
    path("staff/payments/<int:pk>/", views.payment_detail, name="payment-detail"),
    path("staff/payments/<int:pk>/reverse/", views.payment_reverse_view, name="payment-reverse"),
    path("staff/payments/<int:pk>/refund/", views.payment_refund_view, name="payment-refund"),
    path("staff/registries/", settlement_views.registry_list, name="registry-list"),
    path(
        "staff/registries/build/", settlement_views.registries_build_view, name="registries-build"
    ),
    path(
        "staff/registries/<int:pk>/payout/",
        settlement_views.registry_settle_view,
        name="registry-payout",
    ),
    path("staff/registries/settle-day/", settlement_views.day_settle_view, name="registries-day"),
    path(
        "staff/registries/<int:pk>/<str:file_format>",
        settlement_views.registry_download,
        name="registry-download",
    ),
    path("supplier/registries/", settlement_views.registry_list, name="supplier-registries"),
    path("staff/payouts/", settlement_views.payout_list, name="payout-list"),
    path("staff/flows/", flow_views.flow_log, name="flow-log"),
    path("staff/flows/files/<int:pk>/", flow_views.flow_file_download, name="flow-file"),
    path(
        "staff/flows/deliveries/<int:pk>/resend/",
        flow_views.flow_delivery_resend_view,
        name="flow-delivery-resend",
    ),
    path(
        "staff/suppliers/<int:pk>/rotate-secret/",
        flow_views.supplier_secret_rotate_view,
        name="supplier-secret-rotate",
    ),
    path(
        "flow-files/<uuid:public_id>/<str:token>/", flow_views.flow_file_link, name="flow-file-link"
    ),
    path(
        "staff/payouts/files/<int:pk>/",
        settlement_views.payout_file_download,
        name="payout-file",
    ),
    path(
        "staff/payouts/<int:pk>/order/",
        settlement_views.payout_order_download,
        name="payout-order",
    ),
    path("staff/payouts/claims/repay/", settlement_views.claim_repay_view, name="claim-repay"),
    path(
        "staff/payouts/debits/<int:pk>/clear/",
        settlement_views.bank_debit_clear_view,
        name="bank-debit-clear",
    ),
    path("staff/webhooks/", views.webhook_list, name="webhook-list"),
    path("staff/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("staff/webhooks/<int:pk>/resend/", views.webhook_resend, name="webhook-resend"),
    path("staff/statements/", statement_views.statement_list, name="statement-list"),
    path("staff/statements/upload/", statement_views.statement_upload, name="statement-upload"),
    path("staff/suspense/", statement_views.suspense_list, name="suspense-list"),
    path("staff/suspense/<int:pk>/", statement_views.credit_detail, name="suspense-credit"),
    path("staff/suspense/<int:pk>/assign/", statement_views.credit_assign, name="suspense-assign"),
    path("staff/suspense/<int:pk>/refund/", statement_views.credit_refund, name="suspense-refund"),
    path("staff/reconciliation/", reconciliation_views.reconciliation, name="reconciliation"),
]

# Online payment providers (splitting.views.providers).

urlpatterns += [
    path(
        "api/v1/providers/<slug:code>/webhook",
        provider_views.provider_webhook,
        name="provider-webhook",
    ),
    path("api/v1/checkouts", provider_views.CheckoutCreateApi.as_view(), name="api-checkouts"),
    path("pay/return/<uuid:uid>/", provider_views.checkout_result, name="checkout-result"),
    path("staff/checkouts/stuck/", checkouts_staff.stuck_checkout_list, name="stuck-checkouts"),
    path(
        "staff/checkouts/<int:pk>/ask/",
        checkouts_staff.stuck_checkout_ask,
        name="stuck-checkout-ask",
    ),
]

# The cash desk (splitting.views.cashdesk).

urlpatterns += [
    path("staff/cashdesk/", cashdesk_views.cashdesk, name="cashdesk"),
    path("staff/cashdesk/shift/open/", cashdesk_views.shift_open_view, name="cashdesk-open"),
    path("staff/cashdesk/pay/", cashdesk_views.cashdesk_pay, name="cashdesk-pay"),
    path(
        "staff/cashdesk/payments/<int:pk>/",
        cashdesk_views.desk_payment,
        name="cashdesk-payment",
    ),
    path(
        "staff/cashdesk/payments/<int:pk>/receipt.pdf",
        cashdesk_views.receipt,
        name="cashdesk-receipt",
    ),
    path("staff/cashdesk/shift/close/", cashdesk_views.shift_close_view, name="cashdesk-close"),
    path("staff/cashdesk/shifts/<int:pk>/", cashdesk_views.shift_report, name="cashdesk-shift"),
    path(
        "staff/cashdesk/shifts/<int:pk>/report.pdf",
        cashdesk_views.shift_report_download,
        name="cashdesk-shift-pdf",
    ),
]

# Front-office redirect (splitting.views.payment_requests).

urlpatterns += [
    path(
        "api/v1/payment-requests",
        payment_request_views.PaymentRequestApi.as_view(),
        name="api-payment-requests",
    ),
    path(
        "pay/request/<uuid:uid>/",
        payment_request_views.payment_request_pay,
        name="payment-request-pay",
    ),
    path(
        "pay/request/<uuid:uid>/done/",
        payment_request_views.payment_request_done,
        name="payment-request-done",
    ),
]
