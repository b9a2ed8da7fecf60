"""The portal's application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` reverse proxies, take the client's address and scheme from the
    headers they add (per-address limits then count the client, not the proxy)."""
    count = int(app.config.get("PROXY_COUNT", 0))
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application from ``PORTAL_*`` settings, overridden by ``config``."""
    from portal.settings import load_settings

    app = Flask(__name__)
    app.config.from_mapping(load_settings())
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="portal_session",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
        BABEL_TRANSLATION_DIRECTORIES="../translations",
        MAX_CONTENT_LENGTH=None,
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config:
        app.config.update(config)
    trust_proxies(app)
    # The largest request body: one upload plus the form around it.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 256 * 1024

    from portal import cli, errors, forms, i18n, security, templating
    from portal.extensions import babel, csrf, db, htmx

    forms.install_html_params()

    db.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    # Blueprints, registered by hand.
    from portal.shell.views import bp as shell_bp

    app.register_blueprint(shell_bp)
    from portal.accounts import registration_views as _registration_routes  # noqa: F401
    from portal.accounts import views as _account_routes  # noqa: F401
    from portal.accounts.blueprints import auth as auth_bp
    from portal.accounts.blueprints import registration as registration_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(registration_bp)

    from portal.mail.views import bp as devmail_bp

    app.register_blueprint(devmail_bp)
    from portal.backoffice import application_views as _application_routes  # noqa: F401
    from portal.backoffice import views as _backoffice_routes  # noqa: F401
    from portal.backoffice.blueprint import bp as backoffice_bp

    app.register_blueprint(backoffice_bp)
    from portal.enrollment.views import bp as enrollment_bp

    app.register_blueprint(enrollment_bp)
    from portal.tracking.views import bp as tracking_bp

    app.register_blueprint(tracking_bp)
    from portal.rewards.views import bp as rewards_bp

    app.register_blueprint(rewards_bp)
    from portal.rewards.points_views import bp as points_bp

    app.register_blueprint(points_bp)
    from portal.rewards.office_views import bp as programs_bp

    app.register_blueprint(programs_bp)
    from portal.rewards.redeem_views import bp as redeem_bp

    app.register_blueprint(redeem_bp)
    from portal.rewards.order_views import bp as orders_bp

    app.register_blueprint(orders_bp)
    from portal.rewards.order_office_views import bp as order_office_bp

    app.register_blueprint(order_office_bp)
    from portal.cardmember.views import bp as cardmember_bp

    app.register_blueprint(cardmember_bp)
    from portal.cardmember.profile_views import bp as cm_profile_bp

    app.register_blueprint(cm_profile_bp)
    from portal.cardmember.revolving_views import bp as cm_revolving_bp

    app.register_blueprint(cm_revolving_bp)
    from portal.resources.views import bp as resources_bp

    app.register_blueprint(resources_bp)

    # What the search module indexes, handed to it by the features (portal.search.sources).
    from portal.resources.search_source import register as register_articles
    from portal.rewards.search_source import register as register_items

    register_items()
    register_articles()
    return app
