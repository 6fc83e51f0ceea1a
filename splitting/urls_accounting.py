"""The accounting export's pages (splitting.views.accounting), included by `splitting.urls`."""

from django.urls import path

from splitting.views import accounting as accounting_views

urlpatterns = [
    path("staff/accounting/", accounting_views.accounting_export, name="accounting-export"),
    path(
        "staff/accounting/<slug:tenant>/<str:period>/acts/<slug:supplier>.<slug:file_format>",
        accounting_views.accounting_act_download,
        name="accounting-act",
    ),
    path(
        "staff/accounting/<slug:tenant>/<str:period>/<slug:name>.<slug:file_format>",
        accounting_views.accounting_file_download,
        name="accounting-file",
    ),
]
