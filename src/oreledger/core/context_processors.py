"""Template context every page needs: the menu and the person's jurisdiction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from oreledger.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu and the site's name."""
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user, request.path) if user is not None else [],
        "site_name": settings.OL_SITE_NAME,
        "node_role": settings.OL_NODE_ROLE,
    }
