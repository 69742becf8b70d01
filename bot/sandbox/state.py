"""What the simulated Telegram knows: chats, messages, files, callback queries, commands."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.sandbox.botapi import ApiError
from bot.sandbox.models import JSON, SentMessage, StoredFile

if TYPE_CHECKING:
    from bot.sandbox.users import SimUser

CHAT_NOT_FOUND = "Bad Request: chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"

Stored = SentMessage | JSON  # the bot's messages are SentMessage; users' are their JSON


@dataclass
class CallbackQuery:
    """A press the bot has to answer within ``ttl`` seconds, exactly once."""

    user_id: int
    created: float
    answer: JSON | None = None


class World:
    """The sandbox's Telegram-side state. Purely synchronous: nothing here awaits."""

    def __init__(self, bot_user: JSON) -> None:
        self.bot_user = bot_user
        self.users: dict[int, SimUser] = {}
        self.blocked: set[int] = set()
        self.messages: dict[int, dict[int, Stored]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_ttl = 15.0
        self._last_message_id: dict[int, int] = {}
        self._file_seq = 0
        self._callback_seq = 0

    # chats -----------------------------------------------------------------------------------

    def user(self, chat_id: object) -> SimUser:
        """The user whose private chat is ``chat_id``; 400 "chat not found" otherwise."""
        key = _as_chat_id(chat_id)
        user = self.users.get(key) if key is not None else None
        if user is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        return user

    def reachable(self, chat_id: object) -> SimUser:
        """Like :meth:`user`, but 403 if the user blocked the bot (sending is refused)."""
        user = self.user(chat_id)
        if user.id in self.blocked:
            raise ApiError(403, BLOCKED)
        return user

    def chat_json(self, user: SimUser) -> JSON:
        """The private ``Chat`` with ``user``."""
        chat: JSON = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            chat["last_name"] = user.last_name
        if user.username:
            chat["username"] = user.username
        return chat

    # messages --------------------------------------------------------------------------------

    def next_message_id(self, chat_id: int) -> int:
        """Message ids increase per chat, shared by both sides, as in Telegram."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def store(self, chat_id: int, message_id: int, message: Stored) -> None:
        """Remember a message so it can be replied to, edited, pressed or deleted."""
        self.messages.setdefault(chat_id, {})[message_id] = message

    def find(self, chat_id: int, message_id: int) -> Stored | None:
        """A message still present in the chat."""
        found = self.messages.get(chat_id, {}).get(message_id)
        if isinstance(found, SentMessage) and found.deleted:
            return None
        return found

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, without deleted ones."""
        return [
            m
            for m in self.messages.get(chat_id, {}).values()
            if isinstance(m, SentMessage) and not m.deleted
        ]

    def message_json(self, sent: SentMessage) -> JSON:
        """The ``Message`` object for a bot message, as currently shown."""
        message: JSON = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "chat": self.chat_json(self.users[sent.chat_id]),
            "date": sent.date,
        }
        if sent.text is not None:
            message["text"] = sent.text
            if sent.entities:
                message["entities"] = sent.entities
        if sent.caption is not None:
            message["caption"] = sent.caption
            if sent.entities:
                message["caption_entities"] = sent.entities
        # Telegram shows only an inline keyboard in a Message; a ForceReply or a reply
        # keyboard is an instruction to the client, not part of the message object.
        inline = sent.reply_markup if (sent.reply_markup or {}).get("inline_keyboard") else None
        optional = {
            "document": sent.document,
            "photo": sent.photo,
            "reply_markup": inline,
            "edit_date": sent.edit_date,
            "reply_to_message": sent.reply_to,
            "media_group_id": sent.media_group_id,
        }
        message.update({k: v for k, v in optional.items() if v is not None})
        return message

    def as_json(self, message: Stored) -> JSON:
        """The ``Message`` object for any stored message."""
        return self.message_json(message) if isinstance(message, SentMessage) else message

    # files -----------------------------------------------------------------------------------

    def add_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Store uploaded bytes under a fresh file_id."""
        self._file_seq += 1
        seq = self._file_seq
        ext = os.path.splitext(file_name or "")[1] if kind == "document" else ".jpg"
        stored = StoredFile(
            file_id=f"SBX{kind[:3].upper()}{seq:06d}-{os.urandom(6).hex()}",
            file_unique_id=f"AgAD{seq:06d}",
            file_path=f"{kind}s/file_{seq}{ext}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        """A known file; 400 "wrong file identifier" otherwise."""
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError(400, WRONG_FILE)
        return stored

    # callback queries ------------------------------------------------------------------------

    def new_callback(self, user_id: int) -> str:
        """Open a callback query the bot must answer."""
        self._callback_seq += 1
        query_id = str(4_000_000_000_000_000 + self._callback_seq * 7919)
        self.callbacks[query_id] = CallbackQuery(user_id=user_id, created=time.monotonic())
        return query_id

    def answer_callback(self, query_id: str, answer: JSON) -> None:
        """Answer once, in time; 400 "query is too old" for unknown, late or repeated answers."""
        query = self.callbacks.get(query_id)
        if query is None or query.answer is not None:
            raise ApiError(400, QUERY_TOO_OLD)
        if time.monotonic() - query.created > self.callback_ttl:
            raise ApiError(400, QUERY_TOO_OLD)
        query.answer = answer

    # commands --------------------------------------------------------------------------------

    def scope_key(self, scope: JSON | None) -> str:
        """A ``BotCommandScope`` as a string: "default", "all_private_chats", "chat:42"..."""
        if not scope:
            return "default"
        kind = str(scope.get("type", "default"))
        if kind in {"chat", "chat_administrators", "chat_member"}:
            user = self.user(scope.get("chat_id"))
            key = f"{kind}:{user.id}"
            if kind == "chat_member":
                key += f":{scope.get('user_id')}"
            return key
        return kind


def _as_chat_id(value: object) -> int | None:
    """Chat ids arrive as ints or numeric strings; ``@username`` never names a private chat."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
