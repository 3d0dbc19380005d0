"""The console: support staff and biller admins at work, one module per area.

`base` holds the blueprint and what every page shares; importing the area modules here registers their
routes on it (each imports `base`, never this package or another area, so there is no cycle).
"""

from web.console import (  # noqa: F401  (each area registers its routes on bp)
    admin,
    auth,
    bills,
    cadences,
    conversation_labels,
    conversations,
    customers,
    imports,
    navigation,
    reconciliation,
    senders,
    settings,
    simulator,
    support_tools,
    timefmt,
    users,
    webhooks,
    wording,
)
from web.console.auth import login_manager
from web.console.base import bp
from web.console.errors import is_console_page, render_error_page

__all__ = ["bp", "is_console_page", "login_manager", "render_error_page"]
