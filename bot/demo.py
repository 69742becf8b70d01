"""`agency-bot demo`: the whole story against the built-in sandbox, no token, no network.

Staff invite officers (one with /invite in Telegram, the rest as the IT officer would script
them), officers open their deep links, a stranger tries a forged link and a latecomer a
used-up one; later issues extend the story with the broadcast, answers and reminders.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path

from bot.agencies import import_roster
from bot.config import settings_from_mapping
from bot.invites import create_invite
from bot.runner import running_bot
from bot.sandbox import Sandbox, SentMessage, SimUser
from bot.texts import t
from db.models import utcnow
from db.queries.people import list_contacts

# Recipients named in the sample letter (Kính gửi ...), one officer each.
DEMO_AGENCIES = (
    "bao-soc-trang",
    "dai-ptth",
    "hoi-khuyen-hoc",
    "hoi-vhnt",
    "so-gddt",
    "so-vhttdl",
    "ubnd-tp-soc-trang",
    "ubnd-vinh-chau",
    "ubnd-ke-sach",
    "ubnd-tran-de",
    "in-quang-minh",
    "cty-phat-hanh-sach",
)
OFFICER_NAMES = (
    "Trần Thị Bích",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Huỳnh Văn Em",
    "Võ Thị Giang",
    "Đặng Văn Hải",
    "Bùi Thị Hạnh",
    "Đỗ Văn Khoa",
    "Hồ Thị Lan",
    "Ngô Văn Minh",
    "Dương Thị Ngọc",
    "Lý Văn Phúc",
    "Thạch Thị Sa Rết",
    "Lâm Văn Tài",
)
_LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
WAIT = 10.0

Out = Callable[[str], None]


async def _invite(staff: SimUser, code: str) -> str:
    """Staff asks the bot for an invite link, as they would in Telegram; returns its token."""
    reply = await staff.ask(f"/invite {code}", contains="start=", timeout=WAIT)
    match = _LINK.search(reply.text or "")
    if match is None:
        raise RuntimeError(f"no invite link in the bot's answer: {reply.text!r}")
    return match.group(1)


def _first_line(message: SentMessage) -> str:
    return (message.text or "").split("\n")[0]


async def run_demo(officers: int = 12, out: Out = print) -> None:
    officers = max(1, min(officers, len(DEMO_AGENCIES)))
    with tempfile.TemporaryDirectory(prefix="agency-bot-demo-") as folder:
        async with Sandbox(bot_username="soctrang_congvan_bot") as sandbox:
            staff = sandbox.add_user("Nguyễn Văn An", username="an_stttt", user_id=100001)
            settings = settings_from_mapping(
                {
                    "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
                    "database": {"url": f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"},
                    "staff": {"admins": [staff.id]},
                },
                "demo",
            )
            out(f"Telegram sandbox listening on {sandbox.base_url} (no token, no network)")
            async with running_bot(settings) as bot:
                with as_file(files("bot.examples") / "agencies.csv") as roster:
                    result = await import_roster(bot.sessionmaker, roster)
                out(f"Roster imported: {result.created} agencies of Sóc Trăng province")
                chosen = DEMO_AGENCIES[:officers]
                out(f"{staff.first_name} (staff) sends /invite {chosen[0]} in Telegram; the IT")
                out(f"officer scripts the other {len(chosen) - 1} links (agency-bot invite --json)")
                tokens = [await _invite(staff, chosen[0])]
                async with bot.sessionmaker.begin() as session:
                    for code in [*chosen[1:], chosen[0]]:
                        invite = await create_invite(session, agency_code=code, now=utcnow())
                        tokens.append(invite.token)
                for token, name in zip(tokens, OFFICER_NAMES, strict=False):
                    officer = sandbox.add_user(name)
                    await officer.ask(f"/start {token}", "Chào mừng", WAIT)
                stranger = sandbox.add_user(OFFICER_NAMES[-1])
                forged = await stranger.ask("/start forged-token-0000000000", "không hợp lệ", WAIT)
                latecomer = sandbox.add_user("Người dùng lạ")
                used_up = await latecomer.ask(f"/start {tokens[-1]}", "hết số lượt", WAIT)
                async with bot.sessionmaker() as session:
                    contacts = await list_contacts(session)

        out("")
        out(f"Officers who joined through their invite links ({len(contacts)}):")
        width = max(len(c.display_name) for c in contacts)
        for contact in contacts:
            role = t("vi", f"role.{contact.role}")
            out(f"  ✓ {contact.display_name:<{width}}  {role:<17}  {contact.agency_name}")
        out("")
        out("Refused, nothing bound:")
        out(f"  ✗ {stranger.first_name}, forged link: “{_first_line(forged)}”")
        out(f"  ✗ {latecomer.first_name}, used-up link: “{_first_line(used_up)}”")
