from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import portal

urlpatterns = [
    path("", portal.home, name="home"),
    path("staff/login/", portal.staff_login, name="staff-login"),
    path("staff/logout/", portal.staff_logout, name="staff-logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("warehouse.api")),
    path("api/v1/", include("invoicing.api")),
    path("api/v1/", include("splitting.views.api")),
    path("api/v1/", include("wallets.api")),
    path("", include("invoicing.urls")),
    path("", include("splitting.urls")),
    path("", include("messaging.urls")),
    path("", include("debt_collection.urls")),
    path("", include("cabinet.urls")),
    path("", include("wallets.urls")),
    path("", include("warehouse.urls")),
    path("sandbox-acquirer/", include("integrations.providers.sandbox_acquirer")),
]
