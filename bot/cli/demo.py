"""`agency-bot demo`: the whole story against the built-in sandbox, no token, no network.

Staff invite officers (one with /invite in Telegram, the rest as the IT officer would script
them), officers open their deep links, a stranger tries a forged link and a latecomer a
used-up one; staff broadcast the sample letter with its three items, each agency reads what
is asked of it, officers acknowledge and report; the Department of Education relays it to its
units and the district office of Mỹ Xuyên to its schools, some of which acknowledge and
report; one agency asks for more time and gets it, another answers that the letter is not its
business; the two who stay silent are chased by reminders on an accelerated clock (an hour per
step); the summary report's table is printed and its workbook, chart and official report
(DOCX) written to a folder, and the story ends with the department's /status of the letter,
the counts coming back up from three levels down.
"""

from __future__ import annotations

import asyncio
import re
import signal
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.resources import as_file, files
from pathlib import Path

from aiohttp import web

from bot.clock import OffsetClock
from bot.config import settings_from_mapping
from bot.delivery.directive_input import OTHERS, DirectiveItem, read_directive_file
from bot.deps import Tuning, get_deps_from_app
from bot.onboarding.invites import create_invite
from bot.onboarding.roster import import_roster
from bot.reminders.rounds import pick_recipients
from bot.reports.files import report_files
from bot.reports.summary import load_report, render_table
from bot.runner import RunningBot, running_bot
from bot.sandbox import RateLimits, Sandbox, SentMessage, SimUser
from bot.texts import t
from bot.web.dashboard.signin import create_link
from db.models import DeliveryStatus, utcnow
from db.queries import reminders as reminder_queries
from db.queries.answers import answer_rows
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
DEMO_REMINDERS: dict[str, str | int] = {
    "first_after": "1h",
    "every": "1h",
    "max_count": 3,
    "escalate_after": 2,
    "working_hours": "00:00-24:00",
    "working_days": "mon-sun",
    "staff_digest_at": "",
}
_LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")
WAIT = 10.0
DUE_IN = timedelta(days=10)
# Who asks for more time, and who says the letter is not its business (both acknowledged
# the letter and have not reported).
ASKS_MORE_TIME = "so-gddt"
NOT_OURS = "hoi-vhnt"

Out = Callable[[str], None]


async def _invite(staff: SimUser, code: str) -> str:
    """Staff asks the bot for an invite link, as they would in Telegram; returns its token."""
    reply = await staff.ask(f"/invite {code}", contains="start=", timeout=WAIT)
    match = _LINK.search(reply.text or "")
    if match is None:
        raise RuntimeError(f"no invite link in the bot's answer: {reply.text!r}")
    return match.group(1)


def _edited(message: SentMessage, before: str) -> Callable[[SentMessage], bool]:
    """Matches `message` once its text differs from `before` (the bot edited it)."""
    return lambda m: m.message_id == message.message_id and m.shown_text != before


def _first_line(message: SentMessage) -> str:
    return (message.text or "").split("\n")[0]


def _item_line(number: int, item: DirectiveItem) -> str:
    """An item as staff type it in /broadcast: «Mục 2 (so-gddt; không đăng link): …»."""
    targets = ["còn lại" if target == OTHERS else target for target in item.to]
    if not item.publish_links:
        targets.append("không đăng link")
    return f"Mục {number} ({', '.join(targets)}): {item.text}"


REPORT_DIR = Path("agency-bot-demo-report")


async def run_demo(
    officers: int = 12,
    out: Out = print,
    report_dir: Path = REPORT_DIR,
    *,
    serve: Callable[[], Awaitable[None]] | None = None,
    tuning: Tuning | None = None,
    limits: RateLimits | None = None,
) -> None:
    """The story; then the dashboard's address and a sign-in link. With `serve` (--serve:
    until Ctrl-C), the bot and its dashboard stay up until it returns.

    It runs at Telegram's pace (a message a second in a chat) unless `tuning` and the
    sandbox's `limits` say otherwise: the tests run it faster."""
    officers = max(1, min(officers, len(DEMO_AGENCIES)))
    with tempfile.TemporaryDirectory(prefix="agency-bot-demo-") as folder:
        async with Sandbox(bot_username="soctrang_congvan_bot", limits=limits) as sandbox:
            staff = sandbox.add_user("Nguyễn Văn An", username="an_stttt", user_id=100001)
            settings = settings_from_mapping(
                {
                    "telegram": {"token": sandbox.token, "api_base_url": sandbox.base_url},
                    "database": {"url": f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"},
                    "staff": {"admins": [staff.id]},
                    # The agencies' websites are served by the demo itself, on 127.0.0.1.
                    "evidence": {"allow_private_addresses": True},
                    # Hourly rounds, all day, so that the accelerated clock shows them at once.
                    "reminders": DEMO_REMINDERS,
                    # Health and metrics on any free port: the demo needs no fixed one.
                    "web": {"port": 0},
                },
                "demo",
            )
            out(f"Telegram sandbox listening on {sandbox.base_url} (no token, no network)")
            clock = OffsetClock()
            async with running_bot(settings, clock=clock, tuning=tuning) as bot:
                with as_file(files("bot.examples") / "agencies.csv") as roster:
                    result = await import_roster(bot.sessionmaker, roster)
                out(f"Roster imported: {result.created} agencies of Sóc Trăng province")
                joined = await _onboard(bot, sandbox, staff, DEMO_AGENCIES[:officers], out)
                await _broadcast(bot, staff, joined, out)
                async with _agency_websites() as site:
                    await _answers(bot, staff, joined, site, out)
                    by_code = dict(zip(DEMO_AGENCIES[:officers], joined, strict=False))
                    await _relay(bot, sandbox, by_code.get("so-gddt"), site, out)
                await _more_time_and_not_ours(bot, staff, joined, out)
                await _reminders(bot, clock, joined, out)
                await _summary(bot, staff, report_dir, out)
                await _dashboard(bot, staff, out, serving=serve is not None)
                if serve is not None:
                    await serve()


async def _onboard(
    bot: RunningBot, sandbox: Sandbox, staff: SimUser, chosen: Sequence[str], out: Out
) -> list[SimUser]:
    """Officers join through invite links; a forged and a used-up link are refused."""
    out(f"{staff.first_name} (staff) sends /invite {chosen[0]} in Telegram; the IT")
    out(f"officer scripts the other {len(chosen) - 1} links (agency-bot invite --json)")
    tokens = [await _invite(staff, chosen[0])]
    async with bot.sessionmaker.begin() as session:
        for code in [*chosen[1:], chosen[0]]:
            invite = await create_invite(session, agency_code=code, now=utcnow())
            tokens.append(invite.token)
    joined = []
    for token, name in zip(tokens, OFFICER_NAMES, strict=False):
        officer = sandbox.add_user(name)
        await officer.ask(f"/start {token}", "Chào mừng", WAIT)
        joined.append(officer)
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
    out("Refused, nothing bound:")
    out(f"  ✗ {stranger.first_name}, forged link: “{_first_line(forged)}”")
    out(f"  ✗ {latecomer.first_name}, used-up link: “{_first_line(used_up)}”")
    return joined


async def _broadcast(bot: RunningBot, staff: SimUser, officers: list[SimUser], out: Out) -> None:
    """Staff sends the sample letter with /broadcast: recipients, preview, Gửi, progress."""
    with as_file(files("bot.examples") / "directive-book-day.toml") as path:
        draft = read_directive_file(path)
    out("")
    out(f"{staff.first_name} sends the sample letter with /broadcast, its three items as lines")
    out("«Mục N (recipients): …» (item 1 to the newspaper and radio-TV, item 2 to the")
    out("Department of Education, item 3 to the others), due in ten days …")
    deadline = bot.deps.clock().astimezone(bot.settings.reminders.timezone).date() + DUE_IN
    text = f"{draft.subject}\nSố: {draft.number}\nHạn: {deadline:%d/%m/%Y}\n{draft.body}\n"
    text += "\n".join(_item_line(number, item) for number, item in enumerate(draft.items, 1))
    prompt = await staff.ask(f"/broadcast {text}", "Chọn nơi nhận", WAIT)
    await staff.press(prompt, "Tất cả")
    summary = await staff.wait_for_message("Bấm «Gửi»", timeout=WAIT)
    out("  bot: " + summary.shown_text.replace("\n", "\n       "))
    out(f"{staff.first_name} presses Gửi; the bot edits its message as sending proceeds:")
    await staff.press(summary, "Gửi")
    shown = summary.shown_text
    while "Đã gửi xong" not in shown:
        update = await staff.wait_for_message(where=_edited(summary, shown), timeout=60)
        shown = update.shown_text
        out("  bot: " + shown.replace("\n", "\n       "))
    received = [o for o in officers if any(draft.subject[:40] in m.shown_text for m in o.inbox)]
    out("")
    out(f"{len(received)} of {len(officers)} officers have the letter, with the buttons:")
    letter = next(m for m in received[0].inbox if m.buttons())
    out("  " + "  ".join(f"[{b['text']}]" for b in letter.buttons()))
    out("Each message opens with what is asked of the agency (its items in full, the others")
    out("folded to one line):")
    async with bot.sessionmaker() as session:
        contacts = {c.user_id: c.agency_name for c in await list_contacts(session)}
    agencies: set[str] = set()
    for officer in received:
        agency = contacts.get(officer.id, officer.first_name)
        if agency not in agencies:
            agencies.add(agency)
            lead = _first_line(next(m for m in officer.inbox if m.buttons()))
            out(f"  {agency}: {lead}")


# Pages on the agencies' websites: most published the link, one forgot it.
_PAGES = {
    "/tin-tuc/hoi-sach": "Hội Sách trực tuyến: <a href='https://book365.vn'>book365.vn</a>",
    "/thong-bao/ngay-sach": "Mời xem Hội Sách tại <a href='http://www.book365.vn/'>đây</a>",
    "/tin-tuc/ngay-sach-viet-nam": "Hưởng ứng Ngày Sách Việt Nam (chưa có đường link).",
}


@asynccontextmanager
async def _agency_websites() -> AsyncIterator[str]:
    async def page(request: web.Request) -> web.Response:
        body = _PAGES.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(
            text=f"<html><body><p>{body}</p></body></html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_get("/{path:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _answers(
    bot: RunningBot, staff: SimUser, officers: list[SimUser], site: str, out: Out
) -> None:
    """Officers answer: most press Đã nhận, three report with their page, two stay silent."""
    out("")
    out("Officers answer: Đã nhận, then Báo cáo kết quả with the page where they published it")
    letters = {o.id: next(m for m in o.inbox if m.buttons()) for o in officers}
    for officer in officers[:-2]:
        await officer.press(letters[officer.id], "Đã nhận")
        await officer.wait_for_message("Đã nhận bởi", timeout=WAIT)
    for officer, path in zip(officers, _PAGES, strict=False):
        await officer.press(letters[officer.id], "Báo cáo kết quả")
        await officer.wait_for_message("📝", timeout=WAIT)
        added = await officer.ask(f"Đơn vị đã đăng tại {site}{path}", "minh chứng", WAIT)
        await officer.press(added, "Xác nhận báo cáo")
        result = await officer.wait_for_message("🔎", timeout=30)
        out(f"  {officer.first_name}: " + result.shown_text.split("\n")[-1])
    notice = await staff.wait_for_message("chưa xác minh được", timeout=30)
    out(f"  to {staff.first_name} (staff): " + notice.shown_text)
    async with bot.sessionmaker() as session:
        rows = [r for r in await answer_rows(session, 1) if r.status != DeliveryStatus.FAILED]
    order = [DeliveryStatus.COMPLETED, DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.SENT]
    rows.sort(key=lambda r: order.index(r.status) if r.status in order else len(order))
    out("")
    out(f"Where things stand ({len(rows)} agencies with a contact; the others have none yet):")
    width = max(len(r.agency_name) for r in rows)
    for row in rows:
        evidence = row.evidence_verified or ""
        by = row.acknowledged_by or ""
        out(f"  {row.agency_name:<{width}}  {row.status:<12}  {by:<17}  {evidence}".rstrip())


async def _next_question(officer: SimUser, seen: int) -> SentMessage:
    """The bot's question after the officer's first `seen` messages (an older question,
    a relay's, say, must not be the one answered)."""
    earlier = {m.message_id for m in officer.inbox[:seen]}
    return await officer.wait_for_message(
        "trả lời tin nhắn này", timeout=WAIT, where=lambda m: m.message_id not in earlier
    )


async def _more_time_and_not_ours(
    bot: RunningBot, staff: SimUser, officers: list[SimUser], out: Out
) -> None:
    """One agency asks for more time and gets it; another sends the letter back."""
    async with bot.sessionmaker() as session:
        agency_of = {c.user_id: c.agency_code for c in await list_contacts(session)}
    by_agency = {agency_of.get(o.id): o for o in reversed(officers)}  # primaries win
    asker, rejecter = by_agency.get(ASKS_MORE_TIME), by_agency.get(NOT_OURS)
    if asker is not None:
        out("")
        letter = next(m for m in asker.inbox if m.buttons())
        seen = len(asker.inbox)
        await asker.press(letter, "Xin gia hạn")
        question = await _next_question(asker, seen)
        day = bot.deps.clock().astimezone(bot.settings.reminders.timezone).date() + 2 * DUE_IN
        reason = "chờ tổng hợp kết quả từ các trường"
        out(f"{asker.first_name} ({ASKS_MORE_TIME}) presses Xin gia hạn and answers the bot's")
        out(f"question: “{day:%d/%m/%Y} {reason}”")
        await asker.send(f"{day:%d/%m/%Y} {reason}", reply_to=question.message_id)
        await asker.wait_for_message("Đã gửi Sở", timeout=WAIT)
        request = await staff.wait_for_message("xin gia hạn", timeout=WAIT)
        out("  to " + staff.first_name + ": " + request.shown_text.replace("\n", "\n       "))
        out("  " + "  ".join(f"[{b['text']}]" for b in request.buttons()))
        await staff.press(request, "Đồng ý")
        answer = await asker.wait_for_message("đồng ý", timeout=WAIT)
        out(f"{staff.first_name} presses Đồng ý; {asker.first_name} is told:")
        out("  " + answer.shown_text)
    if rejecter is not None:
        out("")
        letter = next(m for m in rejecter.inbox if m.buttons())
        seen = len(rejecter.inbox)
        await rejecter.press(letter, "Không thuộc thẩm quyền")
        question = await _next_question(rejecter, seen)
        reason = "Hội không có trang thông tin điện tử; việc tuyên truyền do Sở VHTTDL phụ trách"
        out(f"{rejecter.first_name} ({NOT_OURS}) presses Không thuộc thẩm quyền: “{reason}”")
        await rejecter.send(reason, reply_to=question.message_id)
        await rejecter.wait_for_message("Đã báo Sở", timeout=WAIT)
        notice = await staff.wait_for_message("không thuộc thẩm quyền", timeout=WAIT)
        out("  to " + staff.first_name + ": " + notice.shown_text.replace("\n", "\n       "))
        out("  " + "  ".join(f"[{b['text']}]" for b in notice.buttons()))
        out("  (its reminders stop; it is counted apart in /status and the report)")


# Under Sở GD&ĐT: a district office (itself a relay), an upper-secondary school directly
# under the Sở, and three schools of the district; one officer each.
EDUCATION = {
    "pgd-my-xuyen": "Phan Thị Thu",
    "thpt-hoang-dieu": "Kim Văn Sóc",
    "th-my-xuyen-a-mx": "Trịnh Thị Mai",
    "thcs-tham-don-mx": "Lưu Văn Hòa",
    "mn-hoa-tu-mx": "Châu Thị Kim",
}
RELAY_DETAILS = (
    "Số: 1234/SGDĐT-VP\n"
    "Đề nghị các phòng giáo dục và đào tạo, các trường trung học phổ thông triển khai đến"
    " giáo viên và học sinh; các phòng chuyển tiếp đến các trường trên địa bàn."
)


async def _join(bot: RunningBot, sandbox: Sandbox, code: str, name: str) -> SimUser:
    async with bot.sessionmaker.begin() as session:
        invite = await create_invite(session, agency_code=code, now=utcnow())
    officer = sandbox.add_user(name)
    await officer.ask(f"/start {invite.token}", "Chào mừng", WAIT)
    return officer


async def _pass_on(officer: SimUser, letter: SentMessage, out: Out, details: str = "") -> None:
    """Chuyển tiếp under the letter, ✍️ and the relay's number and note, «Tất cả», Gửi."""
    await officer.press(letter, "Chuyển tiếp")
    question = await officer.wait_for_message(
        "Chọn nơi nhận", timeout=WAIT, where=lambda m: m.message_id > letter.message_id
    )
    if details:
        await officer.press(question, "✍️")
        prompt = await officer.wait_for_message("Trả lời tin nhắn này", timeout=WAIT)
        await officer.send(details, reply_to=prompt.message_id)
        question = await officer.wait_for_message(
            "Chọn nơi nhận", timeout=WAIT, where=lambda m: m.message_id > prompt.message_id
        )
    everyone = next(b["text"] for b in question.buttons() if "Tất cả" in str(b["text"]))
    out(f"  {officer.first_name} presses [{everyone}]")
    await officer.press(question, "Tất cả đơn vị trực thuộc")
    summary = await officer.wait_for_message(
        "Bấm «Gửi»", timeout=WAIT, where=lambda m: m.message_id > question.message_id
    )
    out("  bot: " + summary.shown_text.split("\n\n")[1].replace("\n", "\n       "))
    await officer.press(summary, "Gửi")  # the units' officers then get it


async def _relay(
    bot: RunningBot, sandbox: Sandbox, so: SimUser | None, site: str, out: Out
) -> None:
    """Sở GD&ĐT relays the letter to its units, the office of Mỹ Xuyên to its schools;
    some schools acknowledge and report, one stays silent."""
    out("")
    out("Relaying down the hierarchy: Sở GD&ĐT passes the letter on (Chuyển tiếp), and so")
    out("does the district office of Mỹ Xuyên; their units' officers join first")
    joining = {**({} if so else {"so-gddt": "Võ Thị Giang"}), **EDUCATION}
    joined = await asyncio.gather(*(_join(bot, sandbox, c, n) for c, n in joining.items()))
    officers = dict(zip(joining, joined, strict=True))
    so = so or officers["so-gddt"]
    letter = await so.wait_for_message(
        "Số: 123/", timeout=WAIT, where=lambda m: any("Chuyển tiếp" in str(b) for b in m.buttons())
    )
    relay_button = next(str(b["text"]) for b in letter.buttons() if "Chuyển tiếp" in str(b["text"]))
    out(f"  {so.first_name} (Sở GD&ĐT) has [{relay_button}] under the letter, presses it,")
    out("  gives the Sở's own number and a note with ✍️ (the reply below), and sends:")
    for line in RELAY_DETAILS.split("\n"):
        out(f"    | {line}")
    await _pass_on(so, letter, out, RELAY_DETAILS)
    office = officers["pgd-my-xuyen"]
    second = await office.wait_for_message(
        "Số: 1234/SGDĐT-VP", timeout=30, where=lambda m: bool(m.buttons())
    )
    quote = next(line for line in second.shown_text.split("\n") if line.startswith("Thực hiện"))
    out(f"  {office.first_name} (Phòng GD&ĐT Mỹ Xuyên) receives it: “{quote[:96]}…”")
    await _pass_on(office, second, out)
    codes = ("thpt-hoang-dieu", "th-my-xuyen-a-mx", "thcs-tham-don-mx", "mn-hoa-tu-mx")
    letters = await asyncio.gather(
        *(
            officers[code].wait_for_message(
                "Thực hiện Công văn số", timeout=30, where=lambda m: bool(m.buttons())
            )
            for code in codes
        )
    )
    schools = dict(zip(codes, letters, strict=True))

    async def acknowledge(code: str) -> str:
        await officers[code].press(schools[code], "Đã nhận")
        await officers[code].wait_for_message("Đã nhận bởi", timeout=WAIT)
        return f"  {officers[code].first_name} ({code}): Đã nhận"

    async def report(code: str) -> str:
        reporter = officers[code]
        await reporter.press(schools[code], "Báo cáo kết quả")
        await reporter.wait_for_message("📝", timeout=WAIT)
        added = await reporter.ask(
            f"Trường đã đăng tại {site}/thong-bao/ngay-sach", "minh chứng", WAIT
        )
        await reporter.press(added, "Xác nhận báo cáo")
        result = await reporter.wait_for_message("🔎", timeout=30)
        return f"  {reporter.first_name} ({code}): " + result.shown_text.split("\n")[-1]

    for line in await asyncio.gather(
        acknowledge("thpt-hoang-dieu"), acknowledge("th-my-xuyen-a-mx"), report("thcs-tham-don-mx")
    ):
        out(line)
    out(f"  {officers['mn-hoa-tu-mx'].first_name} (mn-hoa-tu-mx) stays silent")


async def _reminders(
    bot: RunningBot, clock: OffsetClock, officers: list[SimUser], out: Out
) -> None:
    """The clock runs an hour per step: the silent agencies get their rounds, then escalated."""
    rounds, escalate_after = int(DEMO_REMINDERS["max_count"]), int(DEMO_REMINDERS["escalate_after"])
    async with bot.sessionmaker() as session:
        silent = await reminder_queries.unacknowledged(session, 1)
        contacts = await reminder_queries.active_contacts(session, [a.agency_id for a in silent])
    users = {officer.id: officer for officer in officers}
    out("")
    out(
        f"Reminders on an accelerated clock (an hour per step; every {DEMO_REMINDERS['every']},"
        f" at most {rounds} rounds, backup and head contacts added after {escalate_after}):"
    )
    for round_number in range(1, rounds + 1):
        clock.advance(timedelta(hours=1))
        escalated = round_number > escalate_after
        for agency in silent:
            for contact in pick_recipients(contacts[agency.agency_id], escalated):
                officer = users[contact.user_id]
                reminder = await officer.wait_for_message(f"Nhắc lần {round_number}", timeout=WAIT)
                headline = reminder.shown_text.split(":")[0].removeprefix("🔔 ")
                out(f"  +{round_number}h  {agency.agency_name} → {officer.first_name}: {headline}")
    out(f"  (no round after round {rounds}: max_count; pressing Đã nhận stops them at once)")


async def _summary(bot: RunningBot, staff: SimUser, folder: Path, out: Out) -> None:
    """The summary report: its table, and the workbook and chart that /report sends,
    written to `folder`; then what staff see with /status, the roll-up of the relays."""
    deps = get_deps_from_app(bot.application.bot_data)
    async with bot.sessionmaker() as session:  # at the demo's clock, after the reminders
        report = await load_report(
            session,
            1,
            deps.clock(),
            deps.settings.reminders.timezone,
            group_names=deps.settings.groups,
        )
    out("")
    out("The summary report (agency-bot report 1):")
    for line in render_table(report).splitlines():
        out(line)
    files = await asyncio.to_thread(report_files, report, deps.settings.organization)
    folder = await asyncio.to_thread(folder.resolve)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    for name, content in (
        (files.workbook_name, files.workbook),
        (files.chart_name, files.chart),
        (files.official_name, files.official),
    ):
        await asyncio.to_thread((folder / name).write_bytes, content)
    out("")
    out(f"Report files, as /report sends them: {folder}/")
    out(f"  {files.workbook_name}  (sheets: Tổng hợp, Đơn vị, Chuyển tiếp, Nhật ký)")
    out(f"  {files.chart_name}  (answers over time, rate by group, time to acknowledge)")
    out(f"  {files.official_name}  (the official report: BÁO CÁO, Nghị định 30/2020/NĐ-CP)")
    card = await staff.ask("/status 1", "Tổng số đơn vị", WAIT)
    out("")
    out(f"{staff.first_name} asks /status 1, and sees how far down the letter went:")
    out("  bot: " + card.shown_text.replace("\n", "\n       "))


async def _dashboard(bot: RunningBot, staff: SimUser, out: Out, *, serving: bool) -> None:
    """Where the dashboard is, and a one-time link that signs the demo's staff member in."""
    deps = get_deps_from_app(bot.application.bot_data)
    link = await create_link(deps.sessionmaker, staff.id, bot.web_url, deps.clock())
    out("")
    out(f"The staff dashboard: {bot.web_url}/app")
    out(f"  sign in as {staff.first_name} (one use, 5 minutes): {link}")
    if serving:
        out("  serving until Ctrl-C")
    else:
        out("  (agency-bot demo --serve keeps it running)")


async def until_interrupted() -> None:
    """Return at Ctrl-C or SIGTERM (the demo then stops the bot cleanly)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
