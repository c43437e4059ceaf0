"""Request parameters in every encoding the Bot API accepts, read back with Telegram's coercions.

python-telegram-bot posts ``application/x-www-form-urlencoded`` (or multipart when it
uploads a file) where every value is a string and nested objects such as
``reply_markup`` are JSON text; other clients post JSON bodies or use query strings.
:class:`Params` hides the difference from the method implementations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import bad_request

_TRUE = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


async def read_params(request: web.Request) -> Params:
    """Collect query-string and body parameters of a Bot API request."""
    values: dict[str, Any] = dict(request.query) if request.query_string else {}
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON request body")
            values.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    with value.file:
                        uploads[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[name] = value
    return Params(values, uploads)


class Params:
    """Typed access to one request's parameters."""

    __slots__ = ("_uploads", "_values", "fault")

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self._values = values
        self._uploads = uploads or {}
        self.fault: str | None = None  # set when an injected fault lets the request through

    def set(self, name: str, value: Any) -> None:
        """Replace one value (the server resolves ``@username`` chat ids before the method sees them)."""
        self._values[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self._values or name in self._uploads

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            number = float(value) if isinstance(value, float) else int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
        if number != int(number):
            raise bad_request(f"invalid {name} specified")
        return int(number)

    def number(self, name: str) -> float | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in _TRUE
        return bool(value)

    def json_value(self, name: str, error: str) -> Any:
        """A nested object; ``error`` is Telegram's wording when it is not valid JSON."""
        value = self._values.get(name)
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error) from None

    def chat_id(self) -> int:
        """The target chat's id (the server has already resolved an ``@username`` into one)."""
        value = self._values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request("chat not found") from None

    def file(self, name: str) -> Upload | str | None:
        """An uploaded file, or the file_id / URL string sent instead."""
        if name in self._uploads:
            return self._uploads[name]
        value = self.text(name)
        if value and value.startswith("attach://"):
            upload = self._uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"there is no {name} in the request")
            return upload
        return value

    def as_record(self) -> dict[str, Any]:
        """JSON-safe copy for the sent log: uploads appear as their name and size."""
        record = dict(self._values)
        for name, upload in self._uploads.items():
            record[name] = {"filename": upload.filename, "size": len(upload.data)}
        return record
