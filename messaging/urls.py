"""Messaging's endpoint and page: the SMS provider's delivery-status callback and an account's
messages for staff. Paths and names are the ones they had under debt_collection."""

from django.urls import path

from messaging import views

urlpatterns = [
    path("api/v1/sms/status", views.sms_status_callback, name="sms-status-callback"),
    path(
        "staff/collections/accounts/<str:account_number>/messages/",
        views.account_messages,
        name="account-messages",
    ),
]
