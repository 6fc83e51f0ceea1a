from django.urls import path

from warehouse import views

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/login/", views.staff_login, name="staff-login"),
    path("staff/logout/", views.staff_logout, name="staff-logout"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/tenants/<slug:code>/", views.staff_tenant, name="staff-tenant"),
    path("supplier/", views.supplier_home, name="supplier-home"),
    path("my/", views.resident_home, name="resident-home"),
]
