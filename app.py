"""The application factory: gunicorn, the CLI and the tests all build the app here."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, jsonify, request
from flask_migrate import Migrate
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from catalogues import TRANSLATIONS_DIR
from config import Settings
from extensions import babel, csrf, limiter
from models.db import Database, get_session, set_clock_offset
from models.encryption import SecretBox
from shared_state import init_shared_state
from web.edge import register_edge_checks
from web.filters import register_filters
from web.i18n import register_i18n, select_locale
from web.security import register_security_headers

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: dict | Settings | None = None) -> Flask:
    """Build the app from the environment, with `config` overriding any setting (tests, tools)."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = config if isinstance(config, Settings) else Settings(**{k.lower(): v for k, v in (config or {}).items()})
    settings = settings.resolved(app.instance_path)
    app.extensions["settings"] = settings
    if settings.clock_offset_seconds:
        set_clock_offset(settings.clock_offset_seconds)
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        TESTING=settings.app_env == "test",
    )
    configure_logging(settings)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops, x_host=settings.proxy_hops
        )
    register_extensions(app, settings)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    return app


def configure_logging(settings: Settings) -> None:
    """Plain, timestamped logs to stderr; messages carry ids, never phone numbers or names."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask, settings: Settings) -> None:
    """Bind the database, migrations, translations, CSRF protection and rate limits to this app."""
    Database(settings.database_url).init_app(app)
    SecretBox(settings.encryption_keys).init_app(app)
    init_shared_state(app, settings.redis_url)
    Migrate(directory=str(MIGRATIONS_DIR)).init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = settings.rate_limit_storage
    if settings.is_production and not settings.redis_url:
        logging.getLogger(__name__).warning(
            "REDIS_URL is not set: rate limits, sign-in delays and the bill-fetch breaker count per process, "
            "so every extra web worker or server multiplies them. Set REDIS_URL in production."
        )
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True  # Redis down: count per process, never answer 500
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    register_filters(app)
    register_i18n(app)
    register_security_headers(app)
    register_edge_checks(app)


def register_blueprints(app: Flask) -> None:
    """Mount each surface under its own prefix."""
    from api import bp as api_bp
    from web.console import bp as console_bp
    from web.console import login_manager
    from web.pay import bp as pay_bp
    from web.pay import register_short_links
    from web.preferences import bp as preferences_bp
    from web.receipts import bp as receipts_bp
    from webhooks import bp as webhooks_bp

    # Machine clients authenticate with keys and signatures, not browser sessions: no CSRF tokens.
    csrf.exempt(api_bp)
    csrf.exempt(webhooks_bp)
    csrf.exempt(preferences_bp)  # one-click unsubscribe: the signed token is the authorisation
    app.register_blueprint(api_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(pay_bp)
    app.register_blueprint(preferences_bp)
    app.register_blueprint(receipts_bp)
    app.register_blueprint(console_bp)
    login_manager.init_app(app)
    register_short_links(app, app.extensions["settings"].link_base_url)

    from errors.http import DATABASE_OUTAGES, outage_reason

    @app.get("/healthz")
    def healthz():
        """Liveness and database reachability, for load balancers and uptime checks."""
        try:
            get_session().execute(text("SELECT 1"))
        except DATABASE_OUTAGES as exc:  # one line per check: load balancers ask every few seconds
            logging.getLogger(__name__).warning("health check failed: %s", outage_reason(exc))
            return jsonify({"status": "unavailable", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})


def register_commands(app: Flask) -> None:
    """Add the operator commands (biller, user, bills, demo, worker, scheduler)."""
    from commands import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    """JSON errors for the API and webhooks; plain pages for people; a 503 with Retry-After when the database is out."""
    from errors.http import (
        http_error_json,
        passed_on_headers,
        register_database_outages,
        register_domain_errors,
        wants_json,
    )
    from web.console import is_console_page, render_error_page
    from web.error_pages import render_domain_error
    from web.pay import render_message_page

    register_domain_errors(app, page=render_domain_error)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if wants_json(request.path):
            return http_error_json(exc)
        if is_console_page(request.path):  # staff pages and the bare root: the console's own error pages
            return render_error_page(exc)
        if exc.code in (404, 429):
            return render_message_page(exc.code)
        return exc

    # Console pages too get the plain page: the console's own needs the signed-in user, loaded from the database.
    register_database_outages(app, page=lambda exc: render_message_page(exc.code, headers=passed_on_headers(exc)))
