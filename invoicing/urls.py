from django.urls import path

from invoicing import views

urlpatterns = [
    path("pay/<str:token>", views.pay_link, name="pay-link"),
]
