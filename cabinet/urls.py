"""The resident's and the supplier's cabinet (/cabinet/, /supplier/) and the staff pages that serve
them."""

from django.urls import path  # noqa: F401

urlpatterns = []
