"""Pages and endpoints of debt collection (staff pages under /staff/collections/)."""

from django.urls import path  # noqa: F401

urlpatterns = []
