"""Triage Desk settings: one module, configured by the environment (see .env.example).

With nothing set, the app runs embedded: SQLite, local-memory cache, Celery tasks run
eagerly in-process. DATABASE_URL switches to PostgreSQL; REDIS_URL (or CELERY_BROKER_URL)
switches Celery and the cache to Redis. A malformed value stops start-up with a message
naming the variable.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def _env_or_fail(name, cast, default):
    """Read a variable, turning any parse error into one clear start-up error."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"{name} is malformed: {exc}") from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _strict_bool(name, default):
    """env.bool reads any unknown word as False; a typo in a security flag must not."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off); got {raw!r}")


def _without_password(value: str) -> str:
    """A URL as an error may show it: whatever comes before the last @ after the scheme
    (the user and password, however malformed) replaced by ***."""
    head, at, host = value.rpartition("@")
    if not at:
        return value
    scheme, sep, _ = head.partition("://")
    return f"{scheme}{sep}***@{host}" if sep else f"***@{host}"


def _url_or_fail(name, value, schemes):
    if not value:
        return value
    parts = urlsplit(value)
    shown = repr(_without_password(value))
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL with scheme {' or '.join(schemes)}; got {shown}"
        )
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number: {shown}") from None
    if (
        parts.scheme.startswith("redis")
        and parts.path.strip("/")
        and not parts.path.strip("/").isdigit()
    ):
        raise ImproperlyConfigured(f"{name}: the Redis database must be a number; got {shown}")
    return value


def _at_least(name, value, minimum):
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be {minimum} or more; got {value}")
    return value


DEBUG = _strict_bool("DJANGO_DEBUG", False)
# With DEBUG off, `manage.py check` (so runserver, migrate and the stack) refuses a key
# that is unset, the example's or under 50 characters (core/checks.py); `make run` writes
# a local one to .env on its first run.
UNSET_SECRET_KEY = "insecure-local-only-key-change-me-in-production"  # noqa: S105 - refused
SECRET_KEY = env("DJANGO_SECRET_KEY", default="") or UNSET_SECRET_KEY
ALLOWED_HOSTS = _env_or_fail("DJANGO_ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = _env_or_fail("DJANGO_CSRF_TRUSTED_ORIGINS", env.list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "callers",
    "triage",
    "referrals",
    "dashboards",
    "consults",
    "training",
    # Above callers, triage and referrals: it may import them; they never import it.
    "consolidation",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Outermost after the id: CSP, no-store and friends reach every response, errors too.
    "core.middleware.SecurityHeadersMiddleware",
    # 400 before any other work: JSON nested too deep, a NUL character anywhere.
    "core.middleware.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionTouchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
            # Codes into words in every template (SCREENS.md): |agency, |flag, |fact_value.
            "builtins": ["triage.templatetags.words"],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or any django-environ URL) from DATABASE_URL.
_SQLITE_DEFAULT = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_database_url = _url_or_fail(
    "DATABASE_URL",
    env("DATABASE_URL", default="") or _SQLITE_DEFAULT,
    ("sqlite", "postgres", "postgresql", "pgsql", "psql"),
)
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception as exc:  # django-environ raises several types for bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and an immediate write lock let the embedded default take concurrent intakes
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them as plain indexes,
    # which is all the embedded default needs, so its warning about them is noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check that needs no round trip (core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"]["CONN_MAX_AGE"] = _env_or_fail("DB_CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound by the server and, from its 5th run in a connection, a statement
    # prepared: the intake's queries are then planned once per connection, not per call.
    # DB_PREPARED_STATEMENTS=0 behind a pooler that cannot keep prepared statements.
    if _strict_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
# The owning role, for `migrate` only (core/management/commands/migrate.py): the app's
# role (DATABASE_URL) may only INSERT and SELECT on the processing log and owns nothing.
# Same database as DATABASE_URL, other credentials. Unset: migrate as DATABASE_URL.
DATABASE_MIGRATE_URL = _url_or_fail(
    "DATABASE_MIGRATE_URL",
    env("DATABASE_MIGRATE_URL", default=""),
    ("postgres", "postgresql", "pgsql", "psql"),
)
try:
    DATABASE_MIGRATE = env.db_url_config(DATABASE_MIGRATE_URL) if DATABASE_MIGRATE_URL else None
except Exception as exc:  # django-environ raises several types for bad URLs
    raise ImproperlyConfigured(f"DATABASE_MIGRATE_URL is malformed: {exc}") from None
if DATABASE_MIGRATE and DATABASE_MIGRATE["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("DATABASE_MIGRATE_URL must name the same database as DATABASE_URL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: one URL feeds Celery and the cache; CELERY_BROKER_URL overrides the broker.
REDIS_URL = _url_or_fail("REDIS_URL", env("REDIS_URL", default=""), ("redis", "rediss"))
CELERY_BROKER_URL = _url_or_fail(
    "CELERY_BROKER_URL",
    env("CELERY_BROKER_URL", default="") or REDIS_URL,
    ("redis", "rediss", "amqp", "memory"),
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Supervisors asking for the same dashboard period within this many seconds share one
# computation of its figures (0: every view recounts).
DASHBOARD_CACHE_SECONDS = _env_or_fail("DASHBOARD_CACHE_SECONDS", env.int, 30)
if DASHBOARD_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("DASHBOARD_CACHE_SECONDS must be 0 or more.")

# Celery: no broker configured means the embedded default, where tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    # An eager send still takes a producer from the pool, and kombu warns "No hostname was
    # supplied" for a URL without one: named, the in-process broker starts silently.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = _at_least(
    "CELERY_TASK_SOFT_TIME_LIMIT", _env_or_fail("CELERY_TASK_SOFT_TIME_LIMIT", env.int, 600), 1
)
CELERY_TASK_TIME_LIMIT = _env_or_fail("CELERY_TASK_TIME_LIMIT", env.int, 900)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must be more than CELERY_TASK_SOFT_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT} <= {CELERY_TASK_SOFT_TIME_LIMIT})"
    )
# A message un-acked for longer than this is redelivered: keep it above the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    # A send finds the broker down at once instead of retrying the connection for about
    # 6 s: a handler's request that queues a task after its commit is never held up.
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep LOGGING below (its personal-data filters) instead of Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

DETECTION_HOUR = _env_or_fail("DETECTION_HOUR", env.int, 2)
DETECTION_MINUTE = _env_or_fail("DETECTION_MINUTE", env.int, 0)
if not (0 <= DETECTION_HOUR <= 23 and 0 <= DETECTION_MINUTE <= 59):
    raise ImproperlyConfigured("DETECTION_HOUR must be 0-23 and DETECTION_MINUTE 0-59")
# The nightly consolidation of dwellings (consolidation/consolidate.py), before detection.
CONSOLIDATION_HOUR = _env_or_fail("CONSOLIDATION_HOUR", env.int, 1)
CONSOLIDATION_MINUTE = _env_or_fail("CONSOLIDATION_MINUTE", env.int, 30)
if not (0 <= CONSOLIDATION_HOUR <= 23 and 0 <= CONSOLIDATION_MINUTE <= 59):
    raise ImproperlyConfigured("CONSOLIDATION_HOUR must be 0-23 and CONSOLIDATION_MINUTE 0-59")
# Scores are uk-address-matcher's match weights (log2 of the odds that two addresses are
# one): at or above MERGE, with the next candidate at least MERGE_GAP behind, the newer
# dwelling merges into the older; from SUGGEST up, the pair goes on the "Possible same
# dwelling" list for triage staff. Never where callers.addresses.merge_conflict forbids.
# Defaults from bench/bench_consolidate.py (README).
CONSOLIDATION_MERGE_WEIGHT = _env_or_fail("CONSOLIDATION_MERGE_WEIGHT", env.float, 20.0)
CONSOLIDATION_MERGE_GAP = _env_or_fail("CONSOLIDATION_MERGE_GAP", env.float, 5.0)
CONSOLIDATION_SUGGEST_WEIGHT = _env_or_fail("CONSOLIDATION_SUGGEST_WEIGHT", env.float, 5.0)
if CONSOLIDATION_SUGGEST_WEIGHT > CONSOLIDATION_MERGE_WEIGHT:
    raise ImproperlyConfigured(
        "CONSOLIDATION_SUGGEST_WEIGHT must not be above CONSOLIDATION_MERGE_WEIGHT"
    )
CELERY_BEAT_SCHEDULE = {
    # Before detection: the dwellings it merges have their calls counted together tonight
    # (it also runs detection itself for the dwellings it merged, so the order is not vital).
    "consolidate-dwellings-nightly": {
        "task": "consolidation.tasks.consolidate_dwellings",
        "schedule": crontab(hour=CONSOLIDATION_HOUR, minute=CONSOLIDATION_MINUTE),
    },
    "detect-repeat-callers-nightly": {
        "task": "referrals.tasks.detect_repeat_callers",
        "schedule": crontab(hour=DETECTION_HOUR, minute=DETECTION_MINUTE),
    },
    "flag-inactive-referrals-nightly": {
        "task": "referrals.tasks.flag_inactive_referrals",
        "schedule": crontab(hour=2, minute=30),
    },
    "apply-retention-nightly": {
        "task": "core.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    # The head of the processing log's hash chain, sealed and written to the application
    # log (core.services.processing_log_seal); verify with manage.py verify_processing_log.
    "seal-processing-log-nightly": {
        "task": "core.tasks.seal_processing_log",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Retention (days): calls are anonymised, closed referrals deleted, once past the period.
# The defaults (6 years) are a placeholder for the force's own retention schedule.
RETENTION_DAYS_CALLS = _env_or_fail("RETENTION_DAYS_CALLS", env.int, 2190)
RETENTION_DAYS_CLOSED_REFERRALS = _env_or_fail("RETENTION_DAYS_CLOSED_REFERRALS", env.int, 2190)
if RETENTION_DAYS_CALLS < 1 or RETENTION_DAYS_CLOSED_REFERRALS < 1:
    raise ImproperlyConfigured("RETENTION_DAYS_* must be at least 1")

# Argon2id first; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Words anyone in a control room would guess first (ASVS 6.1.2, 6.2.11).
    {"NAME": "core.validators.ContextWordsValidator"},
]
# The force's own names (e.g. "cambs,constabulary"), refused as the base of a password.
PASSWORD_CONTEXT_WORDS = _env_or_fail("PASSWORD_CONTEXT_WORDS", env.list, [])
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out (username, address) pair before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the per-address ceiling across usernames (LOGIN_FAILURES_PER_ADDRESS).
    "core.auth.AddressCeilingBackend",
    # ModelBackend that loads a request's user with their roles in one query.
    "core.auth.RoleAwareBackend",
]
# Lockout: 10 failures for one username from one address within 15 minutes pause that
# pair only, so nobody elsewhere can lock a colleague out mid-shift.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And a ceiling per address across usernames (one address trying many accounts): this
# many failures from one address within the same 15 minutes pause every login from it
# (core.auth.AddressCeilingBackend; 0 turns it off). High enough for a control room
# behind one NAT address, low enough to stop spraying.
LOGIN_FAILURES_PER_ADDRESS = _env_or_fail("LOGIN_FAILURES_PER_ADDRESS", env.int, 50)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed logins kept in the admin (successes always are)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.auth.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _env_or_fail("TRUSTED_PROXY_COUNT", env.int, 0)

# Second factor (TOTP, django-otp): required for supervisors, auditors and admins when
# on; any user may enrol, and then must use it.
OTP_REQUIRED_FOR_SUPERVISORS = _strict_bool("OTP_REQUIRED_FOR_SUPERVISORS", False)
# Everyone (ASVS level 2 asks for a second factor for all users).
OTP_REQUIRED_FOR_ALL = _strict_bool("OTP_REQUIRED_FOR_ALL", False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Triage Desk")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_ENGINE = "core.sessions"  # Django's database sessions, read by one plain query
SESSION_COOKIE_AGE = (
    _at_least("SESSION_IDLE_MINUTES", _env_or_fail("SESSION_IDLE_MINUTES", env.int, 30), 1) * 60
)
# Idle expiry: a request pushes the deadline on, at most once a minute
# (core.middleware.SessionTouchMiddleware), not with a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# One date style: config/formats/en_GB ("7 Dec 2026 14:05").
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.exists()

REST_FRAMEWORK = {
    # JSON only; DRF's browsable HTML API (?format=api) for development alone.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # JSON in too: no form or multipart bodies (the schema then documents JSON only).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The browser (CSRF-checked) and integrations (hashed, revocable tokens).
        "rest_framework.authentication.SessionAuthentication",
        "core.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Triage Desk API",
    "DESCRIPTION": "RCRP triage suggestions, call intake and Operation Farmington referrals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.roles.HasOperationalRole"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the sidecar package: control-room networks have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set (drf-spectacular warns, and check --deploy fails, otherwise).
    "ENUM_NAME_OVERRIDES": {
        "AgencyEnum": "triage.engine.AGENCIES",
        "ReferralStatusEnum": "referrals.models.Referral.Status",
        "ReferralActionKindEnum": "referrals.models.ReferralAction.Kind",
        "ConsultStatusEnum": "consults.models.Consult.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
        "core.openapi.forbid_unknown_keys",
        "core.openapi.forbid_nul",
        "triage.api.serializers.facts_rules_schema",
        "referrals.api.serializers.referral_create_schema",
    ],
}

# Security headers that hold everywhere; HTTPS-only settings follow DJANGO_SECURE.
SECURE = _strict_bool("DJANGO_SECURE", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and _strict_bool("DJANGO_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# No personal data in the logs: request lines lose their query strings, tracebacks lose
# exception messages (a database error quotes the values it refused), bodies are never
# logged, SQL is never logged. See core/log_filters.py.
LOG_LEVEL = env("LOG_LEVEL", default="INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "strip_query": {"()": "core.log_filters.StripQueryString"},
        "withhold_exception_detail": {"()": "core.log_filters.WithholdExceptionDetail"},
        "request_id": {"()": "core.log_filters.RequestIdFilter"},
    },
    "formatters": {
        "plain": {
            "()": "core.log_filters.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%SZ",  # UTC (SafeFormatter), as the processing log
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "withhold_exception_detail"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default "django" handlers include mail_admins, whose e-mail carries the
        # request's POST data: records go to the root handlers only.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lockouts only, usernames masked
        "django.request": {"filters": ["withhold_exception_detail"]},
        "django.server": {"filters": ["strip_query", "withhold_exception_detail"]},
        "django.security": {"filters": ["withhold_exception_detail"]},
        "celery": {"filters": ["withhold_exception_detail"]},
        # Run in-process (no broker), each task's "succeeded in 0.003s" line is noise to a
        # newcomer: failures only. A worker keeps LOG_LEVEL.
        "celery.app.trace": {
            "filters": ["withhold_exception_detail"],
            **({"level": "WARNING"} if CELERY_TASK_ALWAYS_EAGER and LOG_LEVEL == "INFO" else {}),
        },
    },
}
