"""The Bot API methods the sandbox implements, acting on its simulated Telegram state.

Each method runs without awaiting between its checks and its effects (getUpdates and the
webhook methods aside), so hundreds of concurrent requests see consistent limits and ids.
"""

from __future__ import annotations

import ipaddress
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.botapi import METHODS, ApiError, formatted_text, validate_send
from bot.sandbox.limits import RateLimiter
from bot.sandbox.models import JSON, SentMessage, Stats, StoredFile
from bot.sandbox.notify import Notifier
from bot.sandbox.params import Upload
from bot.sandbox.state import WRONG_FILE, World
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookPusher

log = logging.getLogger(__name__)

Handler = Callable[[JSON, dict[str, Upload]], Awaitable[Any]]

_NOT_MESSAGES = {
    "sendChatAction",
    "sendMessageDraft",
    "sendRichMessageDraft",
    "sendChatJoinRequestWebApp",
    "sendGift",
}
# Methods that put messages in a chat: these count against Telegram's flood limits.
MESSAGE_METHODS = frozenset(
    m for m in METHODS if m.startswith(("send", "copy", "forward")) and m not in _NOT_MESSAGES
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # bots may download files up to 20 MB


def _bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


class BotApi:
    """Dispatches a validated call to its implementation; unimplemented methods answer True."""

    def __init__(
        self,
        world: World,
        updates: UpdateQueue,
        webhook: WebhookPusher,
        limiter: RateLimiter,
        stats: Stats,
        notifier: Notifier,
    ) -> None:
        self.world = world
        self.updates = updates
        self.webhook = webhook
        self.limiter = limiter
        self.stats = stats
        self.notifier = notifier
        self._media_groups = 0
        self._handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendMediaGroup": self.send_media_group,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getFile": self.get_file,
            "getChat": self.get_chat,
        }

    async def call(self, method: str, params: JSON, uploads: dict[str, Upload]) -> Any:
        """Run ``method`` (canonical name, coerced and validated params)."""
        handler = self._handlers.get(method)
        if handler is not None:
            return await handler(params, uploads)
        return self._unimplemented(method, params)

    def _unimplemented(self, method: str, params: JSON) -> bool:
        """Real methods the sandbox does not model still exist: accept them, visibly."""
        if "chat_id" in params:
            if method in MESSAGE_METHODS:
                user = self.world.reachable(params["chat_id"])
                self._admit(user.id, 1)
                self.limiter.record(user.id, time.monotonic())
            else:
                self.world.user(params["chat_id"])
        seen = self.stats.unimplemented_calls.get(method, 0)
        self.stats.unimplemented_calls[method] = seen + 1
        if not seen:
            log.info("sandbox does not model %s; answering true", method)
        return True

    # bot and updates -------------------------------------------------------------------------

    async def get_me(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def get_updates(self, params: JSON, uploads: dict[str, Upload]) -> list[JSON]:
        if self.webhook.url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        self.updates.set_allowed(params.get("allowed_updates"))
        limit = min(100, max(1, int(params.get("limit", 100))))
        timeout = max(0, int(params.get("timeout", 0)))
        return await self.updates.poll(params.get("offset"), limit, timeout)

    async def set_webhook(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        url = str(params["url"])
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: An HTTP(S) URL must be provided for webhook")
        if not _is_local(parts.hostname):
            raise _bad("bad webhook: the sandbox delivers only to loopback or private addresses")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        allowed = params.get("allowed_updates")
        self.updates.set_allowed(allowed)
        self.updates.supersede_polls()
        self.webhook.configure(url, secret, allowed)
        return True

    async def delete_webhook(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        await self.webhook.remove()
        return True

    async def get_webhook_info(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        return self.webhook.info()

    # sending ---------------------------------------------------------------------------------

    async def send_message(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        user = self.world.reachable(params["chat_id"])
        self._admit(user.id, 1)
        text, entities = _formatted(params, "text", "entities")
        sent = self._new_sent(user.id, "sendMessage", params)
        sent.text, sent.html, sent.entities = text, params["text"], entities
        return self._commit(sent)

    async def send_document(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        user = self.world.reachable(params["chat_id"])
        self._admit(user.id, 1)
        stored = self._input_file(params["document"], uploads, "document")
        sent = self._captioned(user.id, "sendDocument", params)
        sent.document = stored.as_document()
        return self._commit(sent)

    async def send_photo(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        user = self.world.reachable(params["chat_id"])
        self._admit(user.id, 1)
        stored = self._input_file(params["photo"], uploads, "photo")
        sent = self._captioned(user.id, "sendPhoto", params)
        sent.photo = stored.as_photo()
        return self._commit(sent)

    async def send_media_group(self, params: JSON, uploads: dict[str, Upload]) -> list[JSON]:
        user = self.world.reachable(params["chat_id"])
        media = params["media"]
        if not 2 <= len(media) <= 10:
            raise _bad("wrong number of messages in the media group; must be 2-10")
        kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
        if not kinds <= {"document", "photo"}:
            raise _bad("the sandbox models media groups of documents or photos only")
        if len(kinds) > 1:
            raise _bad("documents can't be mixed with other media types")
        for item in media:
            validate_send("sendDocument", {k: v for k, v in item.items() if k != "media"})
        self._admit(user.id, len(media))
        files = [self._input_file(item.get("media"), uploads, item["type"]) for item in media]
        self._media_groups += 1
        group_id = str(10_000_000_000 + self._media_groups)
        sents: list[SentMessage] = []
        for item, stored in zip(media, files, strict=True):
            sent = self._captioned(user.id, "sendMediaGroup", item)
            sent.media_group_id = group_id
            if item["type"] == "document":
                sent.document = stored.as_document()
            else:
                sent.photo = stored.as_photo()
            sents.append(sent)
        return [self._commit(sent) for sent in sents]

    async def copy_message(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        sent = self._copy("copyMessage", params)
        return {"message_id": self._commit(sent)["message_id"]}

    async def forward_message(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        return self._commit(self._copy("forwardMessage", params))

    # editing ---------------------------------------------------------------------------------

    async def edit_message_text(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        sent = self._editable(params)
        if sent.text is None:
            raise _bad("there is no text in the message to edit")
        text, entities = _formatted(params, "text", "entities")
        markup = params.get("reply_markup")
        if (text, entities, markup) == (sent.text, sent.entities, sent.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        sent.text, sent.html, sent.entities = text, params["text"], entities
        return self._edited(sent, markup)

    async def edit_message_caption(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        sent = self._editable(params)
        if sent.document is None and sent.photo is None:
            raise _bad("there is no caption in the message to edit")
        caption, entities = (None, []) if "caption" not in params else _caption(params)
        markup = params.get("reply_markup")
        if (caption, entities, markup) == (sent.caption, sent.entities, sent.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        sent.caption, sent.html, sent.entities = caption, params.get("caption"), entities
        return self._edited(sent, markup)

    async def edit_message_reply_markup(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        sent = self._editable(params)
        markup = params.get("reply_markup")
        if markup == sent.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._edited(sent, markup)

    async def delete_message(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        user = self.world.user(params["chat_id"])
        found = self.world.find(user.id, params["message_id"])
        if found is None:
            raise _bad("message to delete not found")
        if isinstance(found, SentMessage):
            found.deleted = True
        else:
            del self.world.messages[user.id][params["message_id"]]
        self.notifier.notify()
        return True

    # callbacks, commands, files, chats --------------------------------------------------------

    async def answer_callback_query(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        self.world.answer_callback(str(params["callback_query_id"]), dict(params))
        self.notifier.notify()
        return True

    async def set_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        key = self.world.scope_key(params.get("scope"))
        language = str(params.get("language_code", ""))
        self.world.commands[(key, language)] = [dict(c) for c in params["commands"]]
        return True

    async def get_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> list[JSON]:
        key = self.world.scope_key(params.get("scope"))
        language = str(params.get("language_code", ""))
        return [dict(c) for c in self.world.commands.get((key, language), [])]

    async def delete_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        key = self.world.scope_key(params.get("scope"))
        self.world.commands.pop((key, str(params.get("language_code", ""))), None)
        return True

    async def get_file(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        stored = self.world.file(str(params["file_id"]))
        if len(stored.content) > DOWNLOAD_LIMIT:
            raise _bad("file is too big")
        return stored.as_file()

    async def get_chat(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        user = self.world.user(params["chat_id"])
        return {
            **self.world.chat_json(user),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    # helpers ---------------------------------------------------------------------------------

    def _admit(self, chat_id: int, count: int) -> None:
        """429 if ``count`` more messages to ``chat_id`` would break a flood limit."""
        wait = self.limiter.retry_after(chat_id, time.monotonic(), count)
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _new_sent(self, chat_id: int, method: str, params: JSON) -> SentMessage:
        sent = SentMessage(
            message_id=0,
            chat_id=chat_id,
            text=None,
            html=None,
            caption=None,
            entities=[],
            reply_markup=params.get("reply_markup"),
            document=None,
            edited=False,
            method=method,
            date=int(time.time()),
        )
        sent.reply_to = self._reply_to(chat_id, params.get("reply_parameters"))
        return sent

    def _captioned(self, chat_id: int, method: str, params: JSON) -> SentMessage:
        sent = self._new_sent(chat_id, method, params)
        if "caption" in params:
            sent.caption, sent.entities = _caption(params)
            sent.html = params["caption"]
        return sent

    def _reply_to(self, chat_id: int, reply: JSON | None) -> JSON | None:
        if not reply:
            return None
        try:
            target = (int(reply.get("chat_id", chat_id)), int(reply.get("message_id", 0)))
        except (TypeError, ValueError):
            raise _bad("message to be replied not found") from None
        found = self.world.find(*target)
        if found is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad("message to be replied not found")
        return self.world.as_json(found)

    def _commit(self, sent: SentMessage) -> JSON:
        """Deliver a checked message: id, store, count it against the limits, wake waiters."""
        sent.message_id = self.world.next_message_id(sent.chat_id)
        self.world.store(sent.chat_id, sent.message_id, sent)
        self.limiter.record(sent.chat_id, time.monotonic())
        self.stats.sent_messages += 1
        self.notifier.notify()
        return self.world.message_json(sent)

    def _editable(self, params: JSON) -> SentMessage:
        if "chat_id" not in params:  # inline messages: the sandbox has none
            raise ApiError(400, EDIT_NOT_FOUND)
        user = self.world.reachable(params["chat_id"])
        found = self.world.find(user.id, params["message_id"])
        if found is None:
            raise ApiError(400, EDIT_NOT_FOUND)
        if not isinstance(found, SentMessage):
            raise _bad("message can't be edited")
        return found

    def _edited(self, sent: SentMessage, markup: JSON | None) -> JSON:
        sent.reply_markup = markup  # Telegram drops the keyboard unless it is sent again
        sent.edited = True
        sent.edit_date = int(time.time())
        self.stats.edited_messages += 1
        self.notifier.notify()
        return self.world.message_json(sent)

    def _input_file(self, value: Any, uploads: dict[str, Upload], kind: str) -> StoredFile:
        """Resolve an InputFile parameter: attach:// upload or an existing file_id (no URLs)."""
        if not isinstance(value, str) or not value:
            raise ApiError(400, WRONG_FILE)
        if value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, WRONG_FILE)
            if not upload.content:
                raise _bad("file must be non-empty")
            name = upload.filename if kind == "document" else None
            mime = None
            if kind == "document":
                guessed = mimetypes.guess_type(name or "")[0]
                mime = guessed or upload.content_type or "application/octet-stream"
            return self.world.add_file(upload.content, kind, name, mime)
        return self.world.file(value)  # URLs are not fetched: they fail like unknown ids

    def _copy(self, method: str, params: JSON) -> SentMessage:
        source_chat = self.world.user(params["from_chat_id"])
        source = self.world.find(source_chat.id, params["message_id"])
        if source is None:
            raise _bad(f"message to {'copy' if method == 'copyMessage' else 'forward'} not found")
        user = self.world.reachable(params["chat_id"])
        self._admit(user.id, 1)
        original = self.world.as_json(source)
        sent = self._new_sent(user.id, method, params)
        if method == "forwardMessage":
            sent.reply_markup = None
        sent.text = original.get("text")
        sent.entities = list(original.get("entities") or original.get("caption_entities") or [])
        sent.document = original.get("document")
        sent.photo = original.get("photo")
        sent.caption = original.get("caption")
        if method == "copyMessage" and "caption" in params:
            sent.caption, sent.entities = _caption(params)
        sent.html = sent.text if sent.text is not None else sent.caption
        return sent


def _formatted(params: JSON, field: str, entities_field: str) -> tuple[str, list[JSON]]:
    """Plain text and entities, from parse_mode or from explicit entities."""
    text, entities = formatted_text(str(params[field]), params.get("parse_mode"))
    if not entities and params.get("parse_mode") is None:
        entities = list(params.get(entities_field) or [])
    return text, entities


def _is_local(host: str) -> bool:
    """Webhooks stay on this machine or network: the sandbox must never push to the internet."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def _caption(params: JSON) -> tuple[str, list[JSON]]:
    return _formatted(params, "caption", "caption_entities")
