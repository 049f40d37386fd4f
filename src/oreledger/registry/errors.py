"""Refusals of the registry services: a stable code, per-field sentences, nothing saved."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError, PermissionDenied

NOT_YOURS = _("Your role may not make this change.")
STATION_DISABLED = _("The station %(code)s is disabled.")


class InvalidRecord(DomainError):
    """A record that breaks a rule; `code` is the first failure's, `fields` all of them."""

    status = 400

    def __init__(self, error: ValidationError) -> None:
        self.error = error
        first = next(e for errors in self._by_field().values() for e in errors)
        super().__init__(first.code or "invalid", first.message, params=first.params)

    def _by_field(self) -> dict[str, list[ValidationError]]:
        if hasattr(self.error, "error_dict"):
            return {
                name: [e for err in errors for e in err.error_list]
                for name, errors in self.error.error_dict.items()
            }
        return {NON_FIELD_ERRORS: list(self.error.error_list)}

    def field_messages(self) -> dict[str, list[str]]:
        """{field: [sentence, …]} in the active language."""
        return {
            name: [str(e.message) % e.params if e.params else str(e.message) for e in errors]
            for name, errors in self._by_field().items()
        }

    def field_codes(self) -> dict[str, list[str]]:
        """{field: [code, …]}, the machine-readable reasons."""
        return {
            name: [e.code or "invalid" for e in errors] for name, errors in self._by_field().items()
        }

    def as_payload(self) -> dict[str, Any]:
        """The API error body, with the per-field sentences."""
        fields = self.field_messages()
        return {"error": {"code": self.code, "message": self.message, "fields": fields}}


def field_error(field: str, message: Any, code: str, **params: Any) -> InvalidRecord:
    """A refusal naming one field."""
    return InvalidRecord(
        ValidationError({field: ValidationError(message, code=code, params=params or None)})
    )


class NotYours(PermissionDenied):
    """The actor's role may not take this action."""

    def __init__(self) -> None:
        super().__init__("forbidden", NOT_YOURS)
