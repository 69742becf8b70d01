"""One small campaign with every kind of answer, at fixed times, for the report tests.

Sở Y tế acknowledged and completed with a verified page and a note; Đài PT-TH was reminded
once and then marked acknowledged by hand; Báo Sóc Trăng got the letter and two reminders and
said nothing; Hội Nông dân has no officer, so it failed. The letter's deadline has passed.
Every state is reached through the paths the bot itself takes (the dispatcher's claim and
send, a press, a report, /remind, a mark by hand), never by writing a status directly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.answers.by_hand import MarkStatus, mark_by_hand
from bot.config import settings_from_mapping
from bot.delivery.directive_input import DirectiveDraft
from bot.delivery.drafts import create_directive, queue_broadcast, set_targets
from bot.reminders.rounds import Reminders
from db.models import (
    Agency,
    ContactRole,
    Delivery,
    DirectiveStatus,
    Staff,
    StaffRole,
    Verification,
)
from db.queries import outbox
from db.queries.agencies import AgencyInput, upsert_agencies
from db.queries.answers import AckPress, acknowledge
from db.queries.completions import complete_delivery, record_verification
from db.queries.people import add_contact

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SENT = datetime(2026, 4, 20, 1, 0, tzinfo=UTC)  # 08:00 in Sóc Trăng
NOW = datetime(2026, 4, 25, 3, 0, tzinfo=UTC)
STAFF_ID = 900001
PAGE = "https://soyte.soctrang.gov.vn/tin-tuc/hoi-sach"
AGENCIES = [
    AgencyInput("so-y-te", "Sở Y tế", "so-nganh", None),
    AgencyInput("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh", "bao-dai", None),
    AgencyInput("bao-soc-trang", "Báo Sóc Trăng", "bao-dai", None),
    AgencyInput("hoi-nong-dan", "Hội Nông dân tỉnh", "hoi", None),
]

CSV = (
    "agency_code,agency_name,group,status,acknowledged_at,acknowledged_by,completed_at,"
    "evidence,evidence_verified,reminders_sent,failure_reason\n"
    "bao-soc-trang,Báo Sóc Trăng,bao-dai,sent,,,,,,2,\n"
    "dai-ptth,Đài Phát thanh và Truyền hình tỉnh,bao-dai,acknowledged,"
    "2026-04-21T09:30:00+07:00,Nguyễn Văn An (thủ công),,,,1,\n"
    "hoi-nong-dan,Hội Nông dân tỉnh,hoi,failed,,,,,,0,chưa có cán bộ đầu mối đăng ký\n"
    "so-y-te,Sở Y tế,so-nganh,completed,2026-04-20T10:00:00+07:00,"
    '"Trần Thị Bích, Sở Y tế",2026-04-22T14:15:00+07:00,'
    f"{PAGE} | Đã đăng tin trên trang chủ,verified,0,\n"
)


async def build_campaign(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """The campaign above; returns the directive's id."""
    async with sessionmaker.begin() as session:
        await upsert_agencies(session, AGENCIES)
        ids = {
            code: id_ for code, id_ in (await session.execute(select(Agency.code, Agency.id))).all()
        }
        session.add(
            Staff(telegram_user_id=STAFF_ID, role=StaffRole.ADMIN, display_name="Nguyễn Văn An")
        )
        officers = {}
        for n, code in enumerate(("so-y-te", "dai-ptth", "bao-soc-trang"), start=1):
            contact = await add_contact(
                session,
                agency_id=ids[code],
                telegram_user_id=800000 + n,
                # A comma in a name: the CSV must quote it.
                display_name="Trần Thị Bích, Sở Y tế" if code == "so-y-te" else f"Cán bộ {n}",
                username=f"canbo{n}",
                role=ContactRole.PRIMARY,
            )
            officers[code] = contact.id
        directive = await create_directive(
            session,
            DirectiveDraft(
                subject="V/v hưởng ứng Ngày Sách Việt Nam",
                body="Đề nghị đăng tải đường link https://book365.vn",
                number="123/STTTT-TTBCXB",
                links=("https://book365.vn",),
                deadline=date(2026, 4, 23),
            ),
            now=SENT,
            timezone=TZ,
            created_by=STAFF_ID,
            status=DirectiveStatus.DRAFT,
        )
        await set_targets(session, directive, ["all"])
        await queue_broadcast(session, directive, now=SENT, actor_id=STAFF_ID)
        directive_id = directive.id
        deliveries = {
            agency: delivery
            for agency, delivery in (
                await session.execute(select(Delivery.agency_id, Delivery.id))
            ).all()
        }
        # The dispatcher's path: claim what is due, and record each send.
        for message in await outbox.claim_due(
            session, SENT, 100, owner="scenario", lease=timedelta(seconds=10)
        ):
            await outbox.mark_sent(session, message, ["1"], SENT, owner="scenario")
        health = deliveries[ids["so-y-te"]]
        await acknowledge(session, [AckPress(health, 800001)], SENT + timedelta(hours=2))
        [url_id] = await complete_delivery(
            session,
            delivery_id=health,
            contact_id=officers["so-y-te"],
            items=[
                {"kind": "url", "value": PAGE},
                {"kind": "text", "value": "Đã đăng tin trên trang chủ"},
            ],
            verification=Verification.PENDING,
            now=datetime(2026, 4, 22, 7, 15, tzinfo=UTC),
        )
        await record_verification(session, url_id, Verification.VERIFIED, "ok", NOW)
    # Staff chase with /remind: the radio (not yet marked) and the newspaper are reminded.
    await _remind(sessionmaker, directive_id, datetime(2026, 4, 21, 1, 0, tzinfo=UTC))
    async with sessionmaker.begin() as session:
        await mark_by_hand(
            session,
            directive_id=directive_id,
            agency_code="dai-ptth",
            status=MarkStatus.ACKNOWLEDGED,
            reason="đã xác nhận qua điện thoại",
            staff_id=STAFF_ID,
            now=datetime(2026, 4, 21, 2, 30, tzinfo=UTC),
        )
    # Chased once more: only the newspaper has still not answered.
    await _remind(sessionmaker, directive_id, datetime(2026, 4, 22, 1, 0, tzinfo=UTC))
    return directive_id


async def _remind(
    sessionmaker: async_sessionmaker[AsyncSession], directive_id: int, at: datetime
) -> None:
    """A /remind round at `at`, through the reminder service staff use."""
    settings = settings_from_mapping({"reminders": {"staff_digest_at": ""}})
    reminders = Reminders(settings, sessionmaker, clock=lambda: at, wake=lambda: None)
    round_ = await reminders.remind_now(directive_id, STAFF_ID)
    assert round_ is not None
