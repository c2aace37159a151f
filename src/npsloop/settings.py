"""Every setting comes from the environment, with defaults that run on a laptop.

The README keeps the table of NPSLOOP_* variables; keep the two in step.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF

# Lets classes like ModelAdmin[Contact] be written for mypy and still run.
django_stubs_ext.monkeypatch()


def envbool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


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


def sign_in_throttle() -> tuple[int, timedelta]:
    """NPSLOOP_SIGN_IN_FAILURES wrong passwords for one account, or from one network address,
    pause its sign-in for NPSLOOP_SIGN_IN_PAUSE_MINUTES."""
    failures = envint("NPSLOOP_SIGN_IN_FAILURES", 10)
    minutes = envint("NPSLOOP_SIGN_IN_PAUSE_MINUTES", 15)
    if failures < 1:
        raise ValueError(f"NPSLOOP_SIGN_IN_FAILURES must be at least 1, got {failures}")
    if minutes < 1:
        raise ValueError(f"NPSLOOP_SIGN_IN_PAUSE_MINUTES must be at least 1, got {minutes}")
    return failures, timedelta(minutes=minutes)


# django-axes counts failed sign-ins (in the database, so every web process agrees) on the
# sign-in page and the admin's alike, and refuses even the right password during a pause,
# before the password hasher runs.
AUTHENTICATION_BACKENDS = [
    "npsloop.sign_in.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME = sign_in_throttle()
# Either is enough: guessing one account from many addresses, or many accounts from one.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A pause ends one pause after the last counted failure, whatever is tried meanwhile, so a
# guesser can't keep the owner out by guessing on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Off: a success would clear every failure from that address too, so a guesser with an
# account of their own could sign in between guesses to restart the count.
AXES_RESET_ON_SUCCESS = False
# No row for each successful sign-in (nothing reads them, and nothing would prune them).
AXES_DISABLE_ACCESS_LOG = True
# Its "AXES: BEGIN version …" banner would be printed by every npsloop command.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "npsloop.sign_in.paused"
AXES_CLIENT_IP_CALLABLE = "npsloop.sign_in.client_address"
# Reverse proxies in front of the web server, each appending to X-Forwarded-For: sign-ins
# are then counted by the address the outermost one saw, not the proxy's own.
PROXIES = envint("NPSLOOP_PROXIES", 0)
if PROXIES < 0:
    raise ValueError(f"NPSLOOP_PROXIES must be 0 (none) or the number of proxies, got {PROXIES}")
if PROXIES:
    # The proxies set X-Forwarded-Proto (overwriting a client's): believed only when there
    # are proxies to set it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

HSTS_OPTIONS = ("NPSLOOP_HSTS_SECONDS", "NPSLOOP_HSTS_INCLUDE_SUBDOMAINS", "NPSLOOP_HSTS_PRELOAD")
YEAR = 365 * 24 * 3600


def https() -> dict[str, object]:
    """With an https:// NPSLOOP_BASE_URL: cookies only over HTTPS, HSTS for a year, and plain
    HTTP redirected to the public address — except /healthz, for a load balancer's check.
    npsloop itself serves plain HTTP, so a proxy in front terminates TLS and says so in
    X-Forwarded-Proto. HSTS for subdomains, and the browsers' preload list, are hard to undo
    and reach beyond npsloop: only when the operator opts in."""
    if not BASE_URL.startswith("https://"):
        for name in HSTS_OPTIONS:
            if os.getenv(name):
                raise ValueError(
                    f"{name} applies only to an https:// NPSLOOP_BASE_URL, and it is {BASE_URL!r}"
                )
        return {}
    if PROXIES < 1:
        raise ValueError(
            "NPSLOOP_BASE_URL is https://, but npsloop serves plain HTTP: behind the proxy that "
            "terminates TLS, set NPSLOOP_PROXIES to the number of proxies in front (1 for one), "
            "so that npsloop believes the X-Forwarded-Proto they set"
        )
    seconds = envint("NPSLOOP_HSTS_SECONDS", YEAR)
    subdomains = envbool("NPSLOOP_HSTS_INCLUDE_SUBDOMAINS", False)
    preload = envbool("NPSLOOP_HSTS_PRELOAD", False)
    if seconds < 0:
        raise ValueError(f"NPSLOOP_HSTS_SECONDS must be 0 (no HSTS) or more seconds, got {seconds}")
    if preload and not (subdomains and seconds >= YEAR):
        raise ValueError(
            "NPSLOOP_HSTS_PRELOAD needs NPSLOOP_HSTS_INCLUDE_SUBDOMAINS=1 and "
            f"NPSLOOP_HSTS_SECONDS of at least {YEAR} (a year), as the browsers' preload list "
            "requires"
        )
    return {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        # Redirects go to the public address, never to a Host header a request made up.
        "SECURE_SSL_HOST": urlparse(BASE_URL).netloc,
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
        "SECURE_HSTS_SECONDS": seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": subdomains,
        "SECURE_HSTS_PRELOAD": preload,
        # `check --deploy` recommends both; leaving them off is a decision, taken above.
        "SILENCED_SYSTEM_CHECKS": [
            *([] if subdomains else ["security.W005"]),
            *([] if preload else ["security.W021"]),
        ],
    }


globals().update(https())

# Content-Security-Policy of every page (django-csp): npsloop's pages load scripts, styles and
# images from npsloop only, and no other site may frame them. The pages that need more say
# so themselves, and only they (see docs/security.md, "Headers and HTTPS"). NONCE appears in
# a page's header only when the page uses its nonce (the widget demo's inline snippet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
