"""Failures the sandbox reports, worded the way Telegram words them."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure; the server turns it into Telegram's ``{"ok": false, ...}`` envelope."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 error; ``reason`` is the text after Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """A 403 error; ``reason`` is the text after Telegram's ``Forbidden:`` prefix."""
    return ApiError(403, f"Forbidden: {reason}")


class SandboxError(Exception):
    """A test or tool misused the control API, e.g. pressed a button that does not exist.

    Kept apart from :class:`ApiError` so a broken test never looks like a bot bug.
    """
