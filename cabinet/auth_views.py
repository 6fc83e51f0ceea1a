"""The residents' sign-up, sign-in, sign-out and password reset (by e-mail) under /cabinet/.

Sign-in takes an e-mail or a phone (cabinet.auth_backends) and is rate-limited per client
address and per login (cabinet.ratelimit): over the limit the form says so and answers 429.
The reset e-mail goes through Django's mail backend; its link works once (Django's token is
bound to the password hash, which the reset changes)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as django_auth
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from cabinet import ratelimit
from cabinet.forms_auth import TOO_MANY, ResetForm, SignInForm, SignUpForm
from core.ui.redirects import safe_next
from warehouse.models import AuditEvent, User

BACKEND = "cabinet.auth_backends.EmailOrPhoneBackend"
SECTION = "my"


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("cabinet-home")
    status = 200
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        ip = ratelimit.client_ip(request)
        if ratelimit.SIGN_UP_PER_IP.blocked(ip):
            form.is_valid()
            form.add_error(None, TOO_MANY)
            status = 429
        elif form.is_valid():
            ratelimit.SIGN_UP_PER_IP.hit(ip)
            data = form.cleaned_data
            with transaction.atomic():
                user = User.objects.create_user(
                    username=data["email"] or data["phone"],
                    email=data["email"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    phone=data["phone"],
                )
                AuditEvent.objects.create(actor=user, action="cabinet.signed_up", detail={"ip": ip})
            login(request, user, backend=BACKEND)
            messages.success(
                request, _("Welcome! Link your first account with the code from your bill.")
            )
            return redirect("cabinet-link")
    return render(
        request, "cabinet/auth/signup.html", {"form": form, "section": SECTION}, status=status
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def signin(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request, "cabinet-home"))
    form = SignInForm(request, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            login(request, form.user)
            return redirect(safe_next(request, "cabinet-home"))
        status = 429 if form.rate_limited else 200
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "cabinet/auth/login.html", context | {"section": SECTION}, status=status)


signout = django_auth.LogoutView.as_view(next_page="cabinet-login")


class PasswordResetView(django_auth.PasswordResetView):
    form_class = ResetForm
    template_name = "cabinet/auth/password_reset_form.html"
    email_template_name = "cabinet/auth/password_reset_email.txt"
    subject_template_name = "cabinet/auth/password_reset_subject.txt"
    success_url = reverse_lazy("cabinet-password-reset-done")

    def form_valid(self, form):
        limit, ip = ratelimit.RESET_PER_IP, ratelimit.client_ip(self.request)
        if limit.blocked(ip):
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        limit.hit(ip)
        return super().form_valid(form)


class PasswordResetConfirmView(django_auth.PasswordResetConfirmView):
    template_name = "cabinet/auth/password_reset_confirm.html"
    success_url = reverse_lazy("cabinet-password-reset-complete")


password_reset = PasswordResetView.as_view()
password_reset_done = django_auth.PasswordResetDoneView.as_view(
    template_name="cabinet/auth/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = django_auth.PasswordResetCompleteView.as_view(
    template_name="cabinet/auth/password_reset_complete.html"
)
