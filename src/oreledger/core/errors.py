"""Domain errors: a stable code for machines and a sentence for people, in zh-Hans and en."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class DomainError(Exception):
    """A refused request: nothing was changed, and `code` says why."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        fields: dict[str, list[str]] | None = None,
        params: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        self.code = code
        self._message = message
        self.params = params or {}
        self.fields = fields or {}
        if status is not None:
            self.status = status
        super().__init__(code)

    @property
    def message(self) -> str:
        """The sentence in the active language."""
        text = str(self._message)
        return text % self.params if self.params else text

    def message_in(self, language: str) -> str:
        """The sentence in a given language, whatever the request's."""
        with translation.override(language):
            return self.message

    def bilingual(self) -> str:
        """ "中文 / English", for devices and logs read by both audiences."""
        zh, en = self.message_in("zh-hans"), self.message_in("en")
        return zh if zh == en else f"{zh} / {en}"

    def as_payload(self) -> dict[str, Any]:
        """The API error body of docs/specs/api-essentials.md."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class NotFound(DomainError):
    """Unknown, or outside the caller's jurisdiction (the two are never told apart)."""

    status = 404


class PermissionDenied(DomainError):
    """Visible to the caller, but the action is not theirs to take."""

    status = 403


class Conflict(DomainError):
    """The request lost a race or contradicts the current state."""

    status = 409
