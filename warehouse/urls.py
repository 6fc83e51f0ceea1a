from django.urls import path

from warehouse import audit_views, views

urlpatterns = [
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/tenants/<slug:code>/", views.staff_tenant, name="staff-tenant"),
    path("staff/imports/", views.import_list, name="import-list"),
    path("staff/imports/upload/", views.import_upload, name="import-upload"),
    path("staff/imports/<int:pk>/", views.import_batch, name="import-batch"),
    path("staff/imports/<int:pk>/report.xlsx", views.import_report, name="import-report"),
    path("staff/imports/<int:pk>/run-again/", views.import_rerun, name="import-rerun"),
    path("staff/imports/<int:pk>/compare/", views.import_diff, name="import-diff"),
    path("staff/mapping-queue/", views.mapping_queue, name="mapping-queue"),
    path("staff/mapping-queue/<int:pk>/link/", views.mapping_link, name="mapping-link"),
    path("staff/mapping-queue/<int:pk>/create/", views.mapping_create, name="mapping-create"),
    path("staff/audit/", audit_views.audit_changes, name="audit-changes"),
    path("staff/audit/changes.xlsx", audit_views.audit_changes_xlsx, name="audit-changes-xlsx"),
]
