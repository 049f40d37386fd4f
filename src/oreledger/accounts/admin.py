"""Django admin for accounts (administrators only)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from oreledger.accounts.models import (
    ApiToken,
    Department,
    DepartmentKind,
    Region,
    SignedInSession,
    SignInEvent,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """People, with their role and jurisdiction."""

    list_display = ("username", "display_name", "role", "region", "enterprise", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("oreledger", {"fields": ("display_name", "role", "region", "department", "enterprise")}),
    )
    raw_id_fields = ("enterprise",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    """The administrative tree."""

    list_display = ("code", "name_zh", "name_en", "level", "parent")
    search_fields = ("code", "name_zh", "name_en")


admin.site.register(DepartmentKind)
admin.site.register(Department)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens (keys are never stored, only their hash)."""

    list_display = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "key_hash")


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin[SignInEvent]):
    """The sign-in audit, read-only."""

    list_display = ("at", "username", "user", "outcome", "factor", "address")
    list_filter = ("outcome", "factor")
    search_fields = ("username", "address")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SignedInSession)
class SignedInSessionAdmin(admin.ModelAdmin[SignedInSession]):
    """Sessions (ended from the user's page, not here)."""

    list_display = ("user", "address", "started_at", "last_seen_at", "ended_at")
    exclude = ("session_key",)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
