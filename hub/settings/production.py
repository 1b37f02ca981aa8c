"""Production: PostgreSQL (``DATABASE_URL``), Redis (``REDIS_URL``), SMTP (``EMAIL_URL``).

Secure cookies, HSTS and HTTPS redirects are on; ``manage.py check --deploy`` passes.
"""

from .base import *  # noqa: F403
from .base import env, mailers_from_url

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Both default to True (``check --deploy``); ``make prod-like`` turns them off to serve plain HTTP locally.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Production mails go out by SMTP (a local MTA by default).
MAILERS = mailers_from_url(env("EMAIL_URL", default="smtp://localhost:25"))
