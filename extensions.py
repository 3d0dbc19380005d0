"""Flask extensions, created unbound here and bound to an app in create_app()."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address)

# Surfaces whose routes declare no rate limit: the payment page (its misses are counted by web.pay.count_miss) and
# the signed inbound webhooks. Flask-Limiter would still resolve limits for every request; these skip it.
# A limit declared on one of their routes must take its blueprint out of this set.
UNLIMITED_BLUEPRINTS = frozenset({"pay", "webhooks"})


@limiter.request_filter
def _declares_no_limit() -> bool:
    return request.blueprint in UNLIMITED_BLUEPRINTS or request.endpoint == "short_link"
