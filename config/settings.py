"""Settings, read from the environment (12-factor). Every value has a working default for the
embedded demo: SQLite, Celery eager, console e-mail. Production sets its values in the
environment only; the demo SECRET_KEY is refused when DEBUG is off."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEMO_SECRET_KEY = "unibill-demo-secret-key-do-not-use-in-production"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the demo default; set SECRET_KEY when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The one base of every link printed or sent outside (bills, messages, the addresses given to a
# payment provider and the sandbox acquirer's webhooks): `core.http.public_url`. The demo derives
# it from HOST and PORT, which `make demo` serves on; production sets it.
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=f"http://{HOST}:{PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",  # htmx served locally: {% load django_htmx %}{% htmx_script %}
    "core",
    "warehouse",
    "invoicing",
    "splitting",
    "wallets",
    "messaging",
    "debt_collection",
    "cabinet",
    "integrations",
    "demo",
    "config.apps.WiringConfig",  # last: connects the hooks between the apps
]
# `manage.py simulate` (tests/simulation, DESIGN.md "Running it"): the simulation's command is
# installed only when that command runs; production never imports it.
if env.bool("UNIBILL_SIMULATION", default=False):
    INSTALLED_APPS.append("tests.simulation")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "warehouse.middleware.AuditActorMiddleware",  # who changes what: warehouse.audit_history
    "config.tenant_time.TenantTimeMiddleware",  # every page in the user's tenant time
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "warehouse.context_processors.roles",
                "wallets.context.wallet_nav",
                "config.navigation.nav",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'unibill.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production (e.g. CONN_MAX_AGE=60 under gunicorn).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
# Sessions that test on one PostgreSQL server at once each name their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "warehouse.User"
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# Where a phone written without a country code is when no tenant is known (a resident signing up)
PHONE_REGION = env.str("PHONE_REGION", default="RU")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Unibill <noreply@unibill.local>")

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    # Hourly, so that each tenant's registries are built soon after its own midnight.
    "build-registries": {"task": "splitting.build_registries", "schedule": 3600.0},
    "deliver-due-supplier-events": {"task": "splitting.deliver_due_events", "schedule": 60.0},
    "expire-checkouts": {"task": "splitting.expire_checkouts", "schedule": 3600.0},
    # Checkouts whose webhook has not come: their providers are asked (checkout_reconcile).
    "reconcile-checkouts": {"task": "splitting.reconcile_checkouts", "schedule": 120.0},
    # The suppliers' reporting flows: the files of the stretches that ended, then their sending.
    "build-flow-files": {"task": "splitting.build_flow_files", "schedule": 3600.0},
    "deliver-due-flow-files": {"task": "splitting.deliver_due_flow_files", "schedule": 300.0},
}

# Outbound webhooks to suppliers' billing systems.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)

# Personal pay links stop working this many days after the document's due date.
PAY_LINK_DAYS_AFTER_DUE = env.int("PAY_LINK_DAYS_AFTER_DUE", default=60)
# Issuing coupons that block more than this (minor units of the tenant's currency) asks the
# corporate payer to confirm on a page that shows the balance before and after (wallets).
COUPON_CONFIRM_THRESHOLD = env.int("COUPON_CONFIRM_THRESHOLD", default=1_000_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Unibill API",
    "DESCRIPTION": "Utility billing consolidation and debt collection.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Eager tasks (the demo) would log every chunk to the command's console.
    "loggers": {"celery": {"level": "WARNING"}, "kombu": {"level": "WARNING"}},
}

# Online payment providers (splitting.channels.providers). The sandbox acquirer ships with
# Unibill and answers under /sandbox-acquirer/ when enabled (the demo; off in production unless
# set).
SANDBOX_ACQUIRER = {
    "enabled": env.bool("SANDBOX_ACQUIRER_ENABLED", default=DEBUG),
    "api_key": env.str("SANDBOX_ACQUIRER_SECRET", default="sandbox-demo-api-key"),
    "webhook_secret": env.str(
        "SANDBOX_ACQUIRER_WEBHOOK_SECRET", default="sandbox-demo-webhook-secret"
    ),
    "webhook_url": env.str(
        "SANDBOX_ACQUIRER_WEBHOOK_URL",
        default=f"{PUBLIC_BASE_URL}/api/v1/providers/sandbox/webhook",
    ),
    # Off: the acquirer sends no webhooks, as when they are lost (checkouts end by reconcile).
    "webhooks": env.bool("SANDBOX_ACQUIRER_WEBHOOKS", default=True),
}
# A checkout still open this long after it started has its provider asked (beat, every 2 min).
CHECKOUT_RECONCILE_AFTER_MINUTES = env.int("CHECKOUT_RECONCILE_AFTER_MINUTES", default=5)
# Per provider code: `adapter` (integrations.providers), its options, the selection `rules`
# (amounts in minor units, fee to the payer as percent + fixed, the channels it is offered on)
# and the `tenants` it serves ("*" or a list of tenant codes).
PAYMENT_PROVIDERS = {}
if SANDBOX_ACQUIRER["enabled"]:
    PAYMENT_PROVIDERS["sandbox"] = {
        "adapter": "sandbox",
        "name": gettext_lazy("Card (sandbox)"),
        "base_url": env.str("SANDBOX_ACQUIRER_URL", default=f"{PUBLIC_BASE_URL}/sandbox-acquirer"),
        "secret": SANDBOX_ACQUIRER["api_key"],
        "webhook_secret": SANDBOX_ACQUIRER["webhook_secret"],
        "rules": {
            "min_amount": 100,
            "max_amount": 15_000_000,
            "fee_percent": "0",
            "fee_fixed": 0,
            "channels": ["cabinet", "pay_link"],
        },
        "tenants": "*",
    }
if env.str("STRIPE_API_KEY", default=""):
    PAYMENT_PROVIDERS["stripe"] = {
        "adapter": "stripe",
        "name": gettext_lazy("Card (Stripe)"),
        "api_key": env.str("STRIPE_API_KEY"),
        "webhook_secret": env.str("STRIPE_WEBHOOK_SECRET", default=""),
        "api_base": env.str("STRIPE_API_BASE", default=""),
        "rules": {
            "min_amount": env.int("STRIPE_MIN_AMOUNT", default=100),
            "max_amount": env.int("STRIPE_MAX_AMOUNT", default=None),
            "fee_percent": env.str("STRIPE_FEE_PERCENT", default="0"),
            "fee_fixed": env.int("STRIPE_FEE_FIXED", default=0),
            "channels": env.list("STRIPE_CHANNELS", default=["cabinet", "pay_link"]),
        },
        "tenants": env.list("STRIPE_TENANTS", default=["*"]),
    }

# SMS (messaging.services.sending.sms_backend): "twilio" when
# TWILIO_ACCOUNT_SID is set, else "console" (printed and logged, never sent). TWILIO_API_URL
# points the Twilio client at another address (a local double, a staging stub); empty means
# Twilio itself. TWILIO_STATUS_CALLBACK_URL is the public URL of /api/v1/sms/status that
# Twilio posts delivery statuses to (and signs); empty: no status callbacks are requested.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_API_URL = env.str("TWILIO_API_URL", default="")
TWILIO_STATUS_CALLBACK_URL = env.str("TWILIO_STATUS_CALLBACK_URL", default="")
TWILIO_TIMEOUT = env.float("TWILIO_TIMEOUT", default=10.0)
SMS_BACKEND = env.str("SMS_BACKEND", default="twilio" if TWILIO_ACCOUNT_SID else "console")
# Click-to-call on the case page through Twilio Voice (the same account and From number).
TWILIO_VOICE_ENABLED = env.bool("TWILIO_VOICE_ENABLED", default=False)
if SMS_BACKEND not in ("console", "twilio"):
    raise ImproperlyConfigured(f"SMS_BACKEND is {SMS_BACKEND!r}; use console or twilio.")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND is twilio: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM."
    )
# A hung SMTP server must not hold a Celery worker forever (Django's default: no timeout).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=30.0)

# Dunning (debt_collection.services.dunning): beat runs `run_dunning_all` hourly and each
# tenant's procedure runs in the hour when its local time is this hour (after quiet hours).
# The pay links put into messages are built on PUBLIC_BASE_URL (above).
DUNNING_LOCAL_HOUR = env.int("DUNNING_LOCAL_HOUR", default=10)
CELERY_BEAT_SCHEDULE["run-dunning"] = {
    "task": "debt_collection.run_dunning_all",
    "schedule": 3600.0,
}

# Promises to pay and payment plans (debt_collection.tasks.check_promises_and_plans): daily;
# a run is idempotent, so when in the day it runs does not matter.
CELERY_BEAT_SCHEDULE["check-promises-and-plans"] = {
    "task": "debt_collection.check_promises_and_plans",
    "schedule": 86400.0,
}

# The cabinet's notifications (cabinet.tasks): "remind me on…" reminders daily (a run sends each
# due reminder once, whenever in the day it runs); new bills and payments every 5 minutes.
CELERY_BEAT_SCHEDULE["cabinet-send-due-reminders"] = {
    "task": "cabinet.send_due_reminders",
    "schedule": 86400.0,
}
CELERY_BEAT_SCHEDULE["cabinet-notify-new-bills-and-payments"] = {
    "task": "cabinet.notify_new_bills_and_payments",
    "schedule": 300.0,
}

# The residents' cabinet (cabinet.auth_views): residents sign in with an e-mail or a phone
# (the backend also takes usernames, so staff sign in as before). The session cookie is
# HTTP-only; session and CSRF cookies are Secure outside DEBUG (the demo). The CSRF cookie stays
# readable by scripts, as Django recommends (HttpOnly would protect nothing there).
AUTHENTICATION_BACKENDS = ["cabinet.auth_backends.EmailOrPhoneBackend"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# The sign-in and code-entry rate limits (cabinet.ratelimit) count in the cache, which every
# worker must share: Redis when REDIS_URL is set, else this process's memory (the demo).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if not REDIS_URL:
    # The sandbox acquirer is another party: in the embedded demo its checkouts outlive the
    # process that opened them (seed_demo opens one that the served demo is later asked about).
    CACHES["sandbox_acquirer"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "sandbox-acquirer"),
    }
# Where collectstatic writes (the cabinet's page benchmark collects into a temporary folder).
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)
# Coupons past their validity release their blocked funds (wallets.services).
CELERY_BEAT_SCHEDULE["expire-coupons"] = {"task": "wallets.expire_coupons", "schedule": 3600.0}
