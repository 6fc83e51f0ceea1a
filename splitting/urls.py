from django.urls import path

from splitting import statement_views, terminal_views, views

urlpatterns = [
    path(
        "api/v1/terminals/<slug:processor>/",
        terminal_views.terminal_endpoint,
        name="terminal-endpoint",
    ),
    path("staff/payments/", views.payment_list, name="payment-list"),
    path("staff/payments/<int:pk>/", views.payment_detail, name="payment-detail"),
    path("staff/payments/<int:pk>/reverse/", views.payment_reverse_view, name="payment-reverse"),
    path("staff/registries/", views.registry_list, name="registry-list"),
    path("staff/registries/build/", views.registries_build_view, name="registries-build"),
    path("staff/registries/<int:pk>/payout/", views.registry_payout, name="registry-payout"),
    path(
        "staff/registries/<int:pk>/<str:file_format>",
        views.registry_download,
        name="registry-download",
    ),
    path("supplier/registries/", views.registry_list, name="supplier-registries"),
    path("staff/webhooks/", views.webhook_list, name="webhook-list"),
    path("staff/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path("staff/webhooks/<int:pk>/resend/", views.webhook_resend, name="webhook-resend"),
    path("staff/statements/", statement_views.statement_list, name="statement-list"),
    path("staff/statements/upload/", statement_views.statement_upload, name="statement-upload"),
    path("staff/suspense/", statement_views.suspense_list, name="suspense-list"),
    path("staff/suspense/<int:pk>/", statement_views.credit_detail, name="suspense-credit"),
    path("staff/suspense/<int:pk>/assign/", statement_views.credit_assign, name="suspense-assign"),
    path("staff/suspense/<int:pk>/refund/", statement_views.credit_refund, name="suspense-refund"),
]
