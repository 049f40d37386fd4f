"""Template context every page needs: the menu and the person's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from oreledger.core.navigation import menu_for

ACCOUNT_PAGES = ("/accounts/me/", "/accounts/password/")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu and the site's name."""
    user = getattr(request, "user", None)
    menu = menu_for(user, request.path) if user is not None else []
    lit = any(item["active"] for section in menu for item in section["items"])
    return {
        "menu": menu,
        # The person's own account pages are reached from their name, which is then marked.
        "account_page": not lit and request.path.startswith(ACCOUNT_PAGES),
        "site_name": settings.OL_SITE_NAME,
        "node_role": settings.OL_NODE_ROLE,
    }
