"""Every setting comes from the environment, with defaults that run on a laptop.

The README keeps the table of NPSLOOP_* variables; keep the two in step.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url
import django_stubs_ext

from npsloop import web_security
from npsloop.environment import envbool, envint

# Lets classes like ModelAdmin[Contact] be written for mypy and still run.
django_stubs_ext.monkeypatch()


BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.getenv("NPSLOOP_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use NPSLOOP_SECRET_KEY, else one generated once and kept in the data folder."""
    from_env = os.getenv("NPSLOOP_SECRET_KEY")
    if from_env:
        return from_env
    path = HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("NPSLOOP_DEBUG", False)
BASE_URL = os.getenv("NPSLOOP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Answers one network address may give through public survey links per hour.
LINK_ANSWERS_PER_IP_HOUR = envint("NPSLOOP_LINK_ANSWERS_PER_IP_HOUR", 30)
ALLOWED_HOSTS = [h.strip() for h in os.getenv("NPSLOOP_ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
    "npsloop.workspaces",
    "npsloop.events",
    "npsloop.contacts",
    "npsloop.surveys",
    "npsloop.program",
    "npsloop.insights",
    "npsloop.ops",
    "npsloop.channels",
    "npsloop.loop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that may refuse a request, so its refusals under /api/ are JSON.
    "npsloop.api.error_pages.json_error_pages",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "npsloop.inbound.refuse_nul",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a paused sign-in into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "npsloop.urls"
WSGI_APPLICATION = "npsloop.wsgi.application"

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
                "csp.context_processors.nonce",
            ]
        },
    }
]


def _database() -> dict[str, object]:
    url = os.getenv("NPSLOOP_DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600))
        config["CONN_HEALTH_CHECKS"] = True
        if config.get("ENGINE") == "django.db.backends.postgresql":
            options = config.setdefault("OPTIONS", {})
            assert isinstance(options, dict)
            # Django's queries are never prepared (it binds parameters on the client); a
            # statement npsloop asks to prepare is, once per connection (the widget's check:
            # planning its joins costs PostgreSQL ten times running them).
            options.setdefault("prepare_threshold", 1_000_000_000)
        return config
    # SQLite is the embedded default: WAL lets the web server read while the worker writes,
    # IMMEDIATE transactions take the write lock up front so concurrent writers wait
    # (busy timeout) instead of failing with "database is locked" half-way through.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "npsloop.sqlite3",
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASES = {"default": _database()}


# Per-process memory for things worth a few seconds of staleness (checked API keys,
# surveys named by requests); nothing in it is needed for correctness across processes.
def _shared_cache() -> dict[str, object]:
    """NPSLOOP_CACHE_URL (redis://…): counters every web process must agree on, such as the
    public link's per-IP rate limit. Without it each process counts on its own."""
    url = os.getenv("NPSLOOP_CACHE_URL")
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError(f"NPSLOOP_CACHE_URL must be redis://… or rediss://…, got {url!r}")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


CACHES = {
    # Per process, for what may be a few seconds stale (API keys, surveys): no network hop.
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
    "shared": _shared_cache(),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _huey() -> dict[str, object]:
    url = os.getenv("NPSLOOP_QUEUE_URL", "")
    common: dict[str, object] = {
        "name": "npsloop",
        "immediate": envbool("NPSLOOP_QUEUE_IMMEDIATE", False),
        "consumer": {"workers": envint("NPSLOOP_WORKERS", 3), "worker_type": "thread"},
    }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {**common, "huey_class": "huey.RedisHuey", "url": url}
    if url and not url.startswith("sqlite://"):
        raise ValueError(
            "NPSLOOP_QUEUE_URL must start with redis://, rediss://, unix:// or sqlite://, "
            f"got {url!r}"
        )
    filename = urlparse(url).path if url else str(HOME / "queue.sqlite3")
    return {**common, "huey_class": "huey.SqliteHuey", "filename": filename}


HUEY = _huey()


def _email() -> dict[str, object]:
    """NPSLOOP_EMAIL_URL: console (default), smtp://user:pass@host:587 (STARTTLS unless
    ?tls=0), smtps://user:pass@host:465 (implicit TLS), or anymail://ESP for an email
    service provider through django-anymail (`pip install 'npsloop[esp]'`), configured by
    NPSLOOP_ANYMAIL_* variables (e.g. NPSLOOP_ANYMAIL_POSTMARK_SERVER_TOKEN)."""
    url = os.getenv("NPSLOOP_EMAIL_URL", "console")
    if url in {"", "console", "console://"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "anymail":
        return _anymail(parsed.hostname or "")
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ValueError(
            f"NPSLOOP_EMAIL_URL must be console, smtp://…, smtps://… or anymail://ESP, got {url!r}"
        )
    query = parse_qs(parsed.query)
    implicit_tls = parsed.scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if implicit_tls else 587),
        "EMAIL_HOST_USER": parsed.username or "",
        "EMAIL_HOST_PASSWORD": parsed.password or "",
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_USE_TLS": not implicit_tls and query.get("tls", ["1"])[0] != "0",
        # Far below the dispatcher's 10-minute claim: a hung server can't stall a batch.
        "EMAIL_TIMEOUT": envint("NPSLOOP_EMAIL_TIMEOUT", 30),
    }


def _anymail(esp: str) -> dict[str, object]:
    if importlib.util.find_spec("anymail") is None:
        raise ValueError(
            "NPSLOOP_EMAIL_URL=anymail://… needs django-anymail: pip install 'npsloop[esp]'"
        )
    if not esp.replace("_", "").isalnum() or (
        importlib.util.find_spec(f"anymail.backends.{esp}") is None
    ):
        raise ValueError(
            f"NPSLOOP_EMAIL_URL=anymail://{esp}: unknown provider; use the name of an anymail "
            "backend such as postmark, mailgun, sendgrid, amazon_ses, brevo or sparkpost"
        )
    prefix = "NPSLOOP_ANYMAIL_"
    return {
        "EMAIL_BACKEND": f"anymail.backends.{esp}.EmailBackend",
        "ANYMAIL": {k[len(prefix) :]: v for k, v in os.environ.items() if k.startswith(prefix)},
        "ANYMAIL_PROVIDER": esp,
    }


globals().update(_email())
DEFAULT_FROM_EMAIL = os.getenv("NPSLOOP_FROM_EMAIL", "npsloop <nps@localhost>")

# How long the event log keeps an event (GET /api/v1/events); the worker prunes older ones.
EVENT_RETENTION_DAYS = envint("NPSLOOP_EVENT_RETENTION_DAYS", 90)
if EVENT_RETENTION_DAYS < 1:
    raise ValueError(
        f"NPSLOOP_EVENT_RETENTION_DAYS must be a whole number of days, 1 or more; "
        f"got {EVENT_RETENTION_DAYS}"
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]


# Sign-in throttling, reverse proxies, HTTPS and the Content-Security-Policy: web_security.py.
AUTHENTICATION_BACKENDS = web_security.AUTHENTICATION_BACKENDS
AXES_FAILURE_LIMIT = web_security.sign_in_throttle()[0]
AXES_COOLOFF_TIME = web_security.sign_in_throttle()[1]
globals().update(web_security.sign_in_throttling())
PROXIES = web_security.proxies()
globals().update(web_security.behind_proxies(PROXIES))
globals().update(web_security.https(BASE_URL, PROXIES))
CONTENT_SECURITY_POLICY = web_security.CONTENT_SECURITY_POLICY

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.getenv("NPSLOOP_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the admin's and the API docs' files from the installed packages, so the
# production server needs no collectstatic step and no CDN.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("NPSLOOP_LOG_LEVEL", "INFO")},
}
