"""The sandbox's view of Telegram's HTML parse mode: the product's parser, Telegram's errors.

The sandbox turns what the bot sends into text and entities the way the Bot API does, so
tests see what a user would see and broken markup fails in tests rather than in production.
The parser is the product's own (`bot.telegram.html`); here its refusals become the 400
answer Telegram gives ("can't parse entities: …").

``ApiError`` lives here, the lowest module of the sandbox, so that ``botapi`` can import this
module; ``bot.sandbox.botapi`` re-exports it.
"""

from __future__ import annotations

from typing import Any

from bot.telegram import html

__all__ = ["ApiError", "parse_html", "utf16_len"]

utf16_len = html.utf16_len


class ApiError(Exception):
    """A Bot API error answer, raised wherever Telegram would answer ``{"ok": false}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def __str__(self) -> str:
        return f"{self.status} {self.description}"

    def to_response(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters is not None:
            body["parameters"] = self.parameters
        return body


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Split Telegram HTML into plain text and MessageEntity dicts, or raise ApiError 400."""
    try:
        return html.parse_html(text)
    except html.HtmlParseError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error.reason}") from None
