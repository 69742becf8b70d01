"""Records the sandbox keeps about what the bot did, in a shape tests can assert on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


@dataclass
class SentMessage:
    """A message the bot sent, as the user currently sees it (edits are applied in place).

    ``text``/``caption`` are plain (entities parsed out); ``html`` is the text or caption as
    the bot sent it; ``entities`` belong to whichever of text or caption the message has.
    """

    message_id: int
    chat_id: int
    text: str | None
    html: str | None
    caption: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    document: JSON | None
    edited: bool
    method: str
    date: int = 0
    edit_date: int | None = None
    photo: list[JSON] | None = None
    reply_to: JSON | None = None
    media_group_id: str | None = None
    deleted: bool = False

    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def shown_text(self) -> str:
        """Text or caption, whichever the user sees (empty if neither)."""
        return self.text if self.text is not None else (self.caption or "")


@dataclass
class ApiCall:
    """One request the bot made: what it asked for and what it was answered."""

    method: str
    params: JSON
    status: int
    response: JSON
    at: float

    @property
    def ok(self) -> bool:
        """Whether Telegram accepted the call."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (None for errors)."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")

    def __str__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k in _SUMMARY_KEYS}
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.method}({shown}) -> {outcome}"


_SUMMARY_KEYS = ("chat_id", "message_id", "text", "caption", "callback_query_id", "offset")


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_document(self) -> JSON:
        """The Bot API ``Document`` object for this file."""
        doc: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo(self) -> list[JSON]:
        """The Bot API ``PhotoSize`` array (one size; the sandbox does not decode images)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.content),
                "width": 320,
                "height": 320,
            }
        ]

    def as_file(self) -> JSON:
        """The Bot API ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass
class Stats:
    """Counters a benchmark reads after a run."""

    api_calls: int = 0
    sent_messages: int = 0
    edited_messages: int = 0
    rate_limited: int = 0
    faults_injected: int = 0
    errors: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    unimplemented_calls: dict[str, int] = field(default_factory=dict)
