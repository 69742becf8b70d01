"""Simulated Telegram users: they write to the bot, press its buttons, block it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from bot.sandbox.html import utf16_len
from bot.sandbox.models import JSON, SentMessage
from bot.sandbox.notify import Notifier
from bot.sandbox.state import World
from bot.sandbox.updates import UpdateQueue

COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class SimUser:
    """A person in a private chat with the bot; every action becomes an update for the bot."""

    def __init__(
        self,
        world: World,
        updates: UpdateQueue,
        notifier: Notifier,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str,
    ) -> None:
        self._world = world
        self._updates = updates
        self._notifier = notifier
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def chat_id(self) -> int:
        """The private chat with the bot has the user's id."""
        return self.id

    @property
    def blocked(self) -> bool:
        """Whether the user has blocked the bot."""
        return self.id in self._world.blocked

    def as_json(self) -> JSON:
        """The Bot API ``User`` object."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    # writing to the bot ----------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: int | None = None) -> JSON:
        """Send a text; a leading /command gets its bot_command entity, as Telegram adds it."""
        message = self._new_message(reply_to)
        message["text"] = text
        command = COMMAND.match(text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return self._emit("message", message)

    async def send_document(
        self,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "application/pdf",
    ) -> JSON:
        """Send a file; the bot can getFile and download it, or resend it by file_id."""
        stored = self._world.add_file(content, "document", filename, mime_type)
        message = self._new_message(None)
        message["document"] = stored.as_document()
        if caption is not None:
            message["caption"] = caption
        return self._emit("message", message)

    async def send_photo(self, content: bytes, *, caption: str | None = None) -> JSON:
        """Send a photo."""
        stored = self._world.add_file(content, "photo", None, None)
        message = self._new_message(None)
        message["photo"] = stored.as_photo()
        if caption is not None:
            message["caption"] = caption
        return self._emit("message", message)

    async def edit(self, message: JSON, text: str) -> JSON:
        """Edit a text this user sent (the update `send` returned): an edited_message update."""
        sent = message["message"]
        edited: JSON = {**sent, "text": text, "edit_date": int(time.time())}
        command = COMMAND.match(text)
        edited.pop("entities", None)
        if command:
            edited["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        self._world.store(self.id, edited["message_id"], edited)
        update = self._updates.push("edited_message", edited)
        self._notifier.notify()
        return update if update is not None else {"edited_message": edited}

    async def forward(self, text: str, *, original_sender: str = "Người khác") -> JSON:
        """Forward somebody else's text message to the bot (a forward_origin of type
        hidden_user, as Telegram sends for users who hide their account)."""
        message = self._new_message(None)
        message["text"] = text
        message["forward_origin"] = {
            "type": "hidden_user",
            "date": int(time.time()) - 60,
            "sender_user_name": original_sender,
        }
        command = COMMAND.match(text)
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return self._emit("message", message)

    async def press(self, message: SentMessage | int, button: str) -> JSON:
        """Press the callback button whose label contains ``button`` (an exact label wins)."""
        sent = self._shown(message)
        buttons = [b for b in sent.buttons() if "callback_data" in b]
        exact = [b for b in buttons if b.get("text") == button]
        candidates = exact or [b for b in buttons if button in str(b.get("text", ""))]
        if len(candidates) != 1:
            labels = [b.get("text") for b in sent.buttons()]
            problem = "no callback button" if not candidates else "several buttons"
            raise LookupError(
                f"{problem} matching {button!r} on message {sent.message_id}: {labels}"
            )
        return self._press(sent, str(candidates[0]["callback_data"]))

    async def press_data(self, message: SentMessage | int, data: str) -> JSON:
        """Forge a press with arbitrary callback data, as a modified client could."""
        return self._press(self._shown(message), data)

    # the chat's status -----------------------------------------------------------------------

    def block(self) -> None:
        """Block the bot: later sends fail with 403; the bot gets a my_chat_member update."""
        if self.blocked:
            return
        self._world.blocked.add(self.id)
        self._emit_member_change("member", "kicked")

    def unblock(self) -> None:
        """Unblock the bot (a real user would then usually send /start)."""
        if not self.blocked:
            return
        self._world.blocked.discard(self.id)
        self._emit_member_change("kicked", "member")

    # what the bot sent -----------------------------------------------------------------------

    @property
    def inbox(self) -> list[SentMessage]:
        """The bot's messages to this user, oldest first, with edits applied."""
        return self._world.sent_to(self.id)

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,
        where: Callable[[SentMessage], bool] | None = None,
    ) -> SentMessage:
        """The newest bot message (new or edited) whose text or caption contains ``contains``."""

        def probe() -> SentMessage | None:
            for sent in reversed(self.inbox):
                if contains is not None and contains not in sent.shown_text:
                    continue
                if where is not None and not where(sent):
                    continue
                return sent
            return None

        def describe() -> str:
            shown = "\n".join(f"  #{m.message_id}: {m.shown_text[:120]!r}" for m in self.inbox)
            return (
                f"no message to {self!r} containing {contains!r} within {timeout}s; "
                f"inbox:\n{shown or '  (empty)'}"
            )

        return await self._notifier.wait_until(probe, timeout, describe)

    async def ask(
        self, text: str, contains: str | None = None, timeout: float = 5.0
    ) -> SentMessage:
        """Send `text` and wait for the bot's first answer to it that contains `contains`.

        Only messages the bot sends (or edits) after this one count, so a test or the demo can
        hold a conversation without mistaking an earlier answer for the new one.
        """
        update = await self.send(text)
        asked = int(update["message"]["message_id"])
        return await self.wait_for_message(
            contains, timeout=timeout, where=lambda sent: sent.message_id > asked
        )

    def answered(self, callback_query_id: str) -> JSON | None:
        """The answerCallbackQuery parameters the bot gave for this press, if it answered."""
        query = self._world.callbacks.get(str(callback_query_id))
        return query.answer if query is not None else None

    # helpers ---------------------------------------------------------------------------------

    def _shown(self, message: SentMessage | int) -> SentMessage:
        message_id = message if isinstance(message, int) else message.message_id
        found = self._world.find(self.id, message_id)
        if not isinstance(found, SentMessage):
            raise LookupError(f"the bot has no message {message_id} in the chat with {self!r}")
        return found

    def _press(self, sent: SentMessage, data: str) -> JSON:
        query: JSON = {
            "id": self._world.new_callback(self.id),
            "from": self.as_json(),
            "message": self._world.message_json(sent),
            "chat_instance": str(abs(self.id) * 1_000_003 % 2**62),
            "data": data,
        }
        return self._emit("callback_query", query)

    def _new_message(self, reply_to: int | None) -> JSON:
        if self.blocked:
            raise RuntimeError(f"{self!r} has blocked the bot; call unblock() first")
        message: JSON = {
            "message_id": self._world.next_message_id(self.id),
            "from": self.as_json(),
            "chat": self._world.chat_json(self),
            "date": int(time.time()),
        }
        if reply_to is not None:
            original = self._world.find(self.id, reply_to)
            if original is None:
                raise LookupError(f"no message {reply_to} to reply to in {self!r}'s chat")
            message["reply_to_message"] = self._world.as_json(original)
        return message

    def _emit(self, kind: str, payload: JSON) -> JSON:
        if kind == "message":
            self._world.store(self.id, payload["message_id"], payload)
        update = self._updates.push(kind, payload)
        self._notifier.notify()
        return update if update is not None else {kind: payload}

    def remove_bot_from_group(self, group_id: int, title: str = "Nhóm") -> None:
        """Remove the bot from a group this user administers: a my_chat_member update about
        that group (the user's own chat with the bot is untouched)."""
        group: JSON = {"id": group_id, "type": "group", "title": title}
        change: JSON = {
            "chat": group,
            "from": self.as_json(),
            "date": int(time.time()),
            "old_chat_member": self._bot_member("member"),
            "new_chat_member": self._bot_member("kicked"),
        }
        self._emit("my_chat_member", change)

    def _emit_member_change(self, old: str, new: str) -> None:
        change: JSON = {
            "chat": self._world.chat_json(self),
            "from": self.as_json(),
            "date": int(time.time()),
            "old_chat_member": self._bot_member(old),
            "new_chat_member": self._bot_member(new),
        }
        self._emit("my_chat_member", change)

    def _bot_member(self, status: str) -> JSON:
        member: JSON = {"status": status, "user": self._world.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        return member
