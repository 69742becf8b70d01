"""The working clock, the cadence and the words of a reminder, with fixed dates (no waiting)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import WorkingHours, settings_from_mapping
from bot.reminders.cadence import Cadence, cadence_for, completion_due, requires_report
from bot.reminders.calendar import EXTRA_HOLIDAY, WorkingClock
from bot.reminders.wording import deadline_note, digest_messages, elapsed, reminder_text
from db.models import DeliveryStatus, Directive, Urgency
from db.queries.reminders import DigestLine

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = WorkingClock(WorkingHours(time(7, 30), time(17, 0)), frozenset(range(5)), VN, "VN")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 26, 10, 0), local(2026, 11, 26, 10, 0)),  # Thursday morning: now
        (local(2026, 11, 26, 6, 59), local(2026, 11, 26, 7, 30)),  # before work: at 07:30
        (local(2026, 11, 26, 17, 0), local(2026, 11, 27, 7, 30)),  # 17:00 is after hours
        (local(2026, 11, 27, 16, 30) + timedelta(hours=24), local(2026, 11, 30, 7, 30)),
        (local(2026, 11, 29, 12, 0), local(2026, 11, 30, 7, 30)),  # Sunday → Monday
    ],
)
def test_a_reminder_outside_working_hours_moves_to_the_next_working_minute(
    moment: datetime, expected: datetime
) -> None:
    assert OFFICE.next_working(moment) == expected
    assert OFFICE.is_working(expected)


def test_national_day_and_the_substituted_day_off_are_skipped() -> None:
    # 2026: 31 August (substituted), 1 and 2 September are days off; Friday 28 → Thursday 3.
    assert OFFICE.holiday_name(date(2026, 9, 2)) is not None
    assert OFFICE.next_working(local(2026, 8, 28, 17, 30)) == local(2026, 9, 3, 7, 30)
    assert not OFFICE.is_working(local(2026, 9, 2, 9, 0))


def test_tet_is_skipped() -> None:
    # Tết Bính Ngọ: 16–20 February 2026, Monday to Friday; the next working day is the 23rd.
    assert OFFICE.next_working(local(2026, 2, 13, 17, 5)) == local(2026, 2, 23, 7, 30)
    assert OFFICE.working_day_before(date(2026, 2, 23)) == date(2026, 2, 13)


def test_no_holiday_calendar_and_all_day_hours() -> None:
    always = WorkingClock(WorkingHours(time(0), None), frozenset(range(7)), VN, "")
    assert always.is_working(local(2026, 9, 2, 3, 0))
    assert always.next_working(local(2026, 2, 17, 23, 59)) == local(2026, 2, 17, 23, 59)
    no_holidays = WorkingClock(OFFICE.hours, OFFICE.days, VN, "")
    assert no_holidays.is_working(local(2026, 9, 2, 9, 0))


HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "cadence", "expected"),
    [
        # Khẩn "every 4 h" from 15:30 is 1 h 30 today and 2 h 30 from 07:30.
        (local(2026, 11, 26, 15, 30), 4 * HOUR, local(2026, 11, 27, 10, 0)),
        (local(2026, 11, 27, 15, 30), 4 * HOUR, local(2026, 11, 30, 10, 0)),  # Fri → Mon
        (local(2026, 11, 26, 9, 0), 4 * HOUR, local(2026, 11, 26, 13, 0)),  # inside one day
        (local(2026, 11, 26, 13, 0), 4 * HOUR, local(2026, 11, 27, 7, 30)),  # ends at 17:00
        (local(2026, 11, 28, 10, 0), 4 * HOUR, local(2026, 11, 30, 11, 30)),  # from Saturday
        (local(2026, 11, 26, 20, 0), 2 * HOUR, local(2026, 11, 27, 9, 30)),  # from the evening
        # A day or more counts working days, at the same time of day.
        (local(2026, 11, 26, 10, 0), DAY, local(2026, 11, 27, 10, 0)),
        (local(2026, 11, 27, 10, 0), DAY, local(2026, 11, 30, 10, 0)),  # Fri → Mon
        (local(2026, 11, 27, 10, 0), 3 * DAY, local(2026, 12, 2, 10, 0)),
        (local(2026, 11, 28, 10, 0), DAY, local(2026, 12, 1, 7, 30)),  # Sat: from Mon 07:30
        # 36 h: one working day, then 12 working hours (7 on Friday, 5 on Monday).
        (local(2026, 11, 26, 10, 0), 36 * HOUR, local(2026, 11, 30, 12, 30)),
    ],
)
def test_cadences_count_working_time(
    start: datetime, cadence: timedelta, expected: datetime
) -> None:
    assert OFFICE.after(start, cadence) == expected


def test_a_day_cadence_jumps_the_national_day_holidays() -> None:
    # README's timeline: Friday 28/08/2026 10:00; 31/08–02/09 are off.
    first = OFFICE.after(local(2026, 8, 28, 10, 0), DAY)
    assert first == local(2026, 9, 3, 10, 0)
    assert OFFICE.after(first, DAY) == local(2026, 9, 4, 10, 0)
    assert OFFICE.after(local(2026, 9, 4, 10, 0), DAY) == local(2026, 9, 7, 10, 0)


def test_a_cadence_keeps_the_zone_it_was_given() -> None:
    start = local(2026, 11, 26, 15, 30).astimezone(UTC)
    due = OFFICE.after(start, 4 * HOUR)
    assert due.tzinfo is UTC
    assert due == local(2026, 11, 27, 10, 0)


def test_an_all_day_clock_counts_the_wall_clock() -> None:
    always = WorkingClock(WorkingHours(time(0), None), frozenset(range(7)), VN, "")
    start = local(2026, 2, 16, 23, 0)  # Tết, at night: nothing is off
    assert always.after(start, 4 * HOUR) == start + 4 * HOUR
    assert always.after(start, timedelta(seconds=2)) == start + timedelta(seconds=2)
    assert always.after(start, 30 * HOUR) == start + 30 * HOUR
    assert always.after(start, 3 * DAY) == start + 3 * DAY


# Tết Đinh Mùi 2027: the national calendar (the `holidays` package) gives Thursday 4 to
# Wednesday 10 February off; a province may add days and ask for a make-up Saturday.
TET_2027 = WorkingClock(
    OFFICE.hours,
    OFFICE.days,
    VN,
    "VN",
    extra_holidays=frozenset({date(2027, 2, 11), date(2027, 2, 12)}),
    extra_working_days=frozenset({date(2027, 2, 20)}),
)


def test_tet_2027_on_the_national_calendar() -> None:
    assert all(OFFICE.holiday_name(date(2027, 2, d)) for d in range(4, 11))
    # A Khẩn round before Tết: 1 h 30 on Wednesday 3, 2 h 30 on Thursday 11 February.
    assert OFFICE.after(local(2027, 2, 3, 15, 30), 4 * HOUR) == local(2027, 2, 11, 10, 0)
    assert OFFICE.after(local(2027, 2, 3, 10, 0), DAY) == local(2027, 2, 11, 10, 0)


def test_the_provinces_extra_days_off_after_tet_2027() -> None:
    assert TET_2027.holiday_name(date(2027, 2, 11)) == EXTRA_HOLIDAY
    assert not TET_2027.is_working(local(2027, 2, 12, 9, 0))
    assert TET_2027.after(local(2027, 2, 3, 15, 30), 4 * HOUR) == local(2027, 2, 15, 10, 0)
    assert TET_2027.after(local(2027, 2, 3, 10, 0), DAY) == local(2027, 2, 15, 10, 0)
    assert TET_2027.working_day_before(date(2027, 2, 15)) == date(2027, 2, 3)


def test_a_make_up_saturday_is_a_working_day() -> None:
    saturday = date(2027, 2, 20)
    assert saturday.weekday() == 5
    assert TET_2027.is_working_day(saturday)
    assert TET_2027.holiday_name(saturday) is None
    assert TET_2027.is_working(local(2027, 2, 20, 9, 0))
    assert not OFFICE.is_working(local(2027, 2, 20, 9, 0))
    # Friday 15:30 + 4 working hours: Saturday 10:00 instead of Monday 10:00.
    assert TET_2027.after(local(2027, 2, 19, 15, 30), 4 * HOUR) == local(2027, 2, 20, 10, 0)
    assert OFFICE.after(local(2027, 2, 19, 15, 30), 4 * HOUR) == local(2027, 2, 22, 10, 0)
    assert TET_2027.after(local(2027, 2, 19, 10, 0), DAY) == local(2027, 2, 20, 10, 0)
    assert TET_2027.next_working(local(2027, 2, 19, 17, 30)) == local(2027, 2, 20, 7, 30)
    # Only that Saturday: the next one is a weekend again.
    assert not TET_2027.is_working_day(date(2027, 2, 27))


def test_the_calendar_keys_reach_the_working_clock() -> None:
    settings = settings_from_mapping(
        {
            "reminders": {
                "extra_holidays": [date(2027, 2, 11)],
                "extra_working_days": ["2027-02-20"],
            }
        },
        "t",
    ).reminders
    clock = WorkingClock.from_settings(settings)
    assert not clock.is_working_day(date(2027, 2, 11))
    assert clock.is_working_day(date(2027, 2, 20))


def _directive(**fields: object) -> Directive:
    values: dict[str, object] = {
        "number": "12/STTTT",
        "subject": "V/v ngày sách",
        "urgency": Urgency.THUONG,
        "actions": [],
        "deadline": None,
        "reminder_first_after_s": None,
        "reminder_every_s": None,
        "reminder_max_count": None,
    }
    values.update(fields)
    return Directive(**values)


def test_urgency_presets_and_the_letters_own_override() -> None:
    settings = settings_from_mapping(
        {"reminders": {"max_count": 4, "hoa-toc": {"first_after": "30m", "every": "1h"}}}, "t"
    ).reminders
    assert cadence_for(_directive(), settings) == Cadence(
        timedelta(hours=24), timedelta(hours=24), 4, 2
    )
    assert cadence_for(_directive(urgency=Urgency.KHAN), settings) == Cadence(
        timedelta(hours=2), timedelta(hours=4), 4, 2
    )
    assert cadence_for(_directive(urgency=Urgency.HOA_TOC), settings) == Cadence(
        timedelta(minutes=30), timedelta(hours=1), 4, 2
    )
    own = _directive(urgency=Urgency.KHAN, reminder_every_s=7200, reminder_max_count=1)
    assert cadence_for(own, settings) == Cadence(timedelta(hours=2), timedelta(hours=2), 1, 2)


def test_a_report_is_asked_when_there_are_actions_or_a_deadline() -> None:
    assert not requires_report(_directive())
    assert requires_report(_directive(actions=["Đăng link"]))
    assert requires_report(_directive(deadline=date(2026, 12, 1)))


def test_completion_reminders_fall_the_working_day_before_the_deadline_then_after_it() -> None:
    cadence = Cadence(timedelta(hours=24), timedelta(hours=24), 3, 2)
    deadline = date(2026, 11, 30)  # a Monday: the working day before is Friday the 27th
    acknowledged = local(2026, 11, 20, 9, 0)
    first = completion_due(OFFICE, deadline, cadence, acknowledged, first=True)
    assert first == local(2026, 11, 27, 7, 30)
    second = completion_due(OFFICE, deadline, cadence, first, first=False)
    assert second == local(2026, 12, 1, 0, 0)  # overdue from midnight; sent at 07:30
    assert OFFICE.next_working(second) == local(2026, 12, 1, 7, 30)
    third = completion_due(OFFICE, deadline, cadence, local(2026, 12, 1, 7, 30), first=False)
    assert third == local(2026, 12, 2, 7, 30)
    # Without a deadline: first_after the acknowledgement, then every `every`, in working
    # time: Friday 20 → Monday 23 November.
    assert completion_due(OFFICE, None, cadence, acknowledged, first=True) == local(
        2026, 11, 23, 9, 0
    )
    hourly = Cadence(timedelta(hours=2), timedelta(hours=4), 3, 2)
    assert completion_due(OFFICE, None, hourly, local(2026, 11, 26, 15, 30), first=False) == local(
        2026, 11, 27, 10, 0
    )


def test_the_deadline_and_elapsed_time_in_words() -> None:
    today = date(2026, 11, 26)
    assert "còn 2 ngày" in deadline_note(date(2026, 11, 28), today, "vi")
    assert "hôm nay là hạn cuối" in deadline_note(today, today, "vi")
    assert "quá hạn 1 ngày" in deadline_note(date(2026, 11, 25), today, "vi")
    assert "3 days overdue" in deadline_note(date(2026, 11, 23), today, "en")
    assert deadline_note(None, today, "vi") == ""
    assert elapsed(timedelta(days=2, hours=5), "vi") == "2 ngày"
    assert elapsed(timedelta(hours=1, minutes=59), "en") == "1 hour"
    assert elapsed(timedelta(seconds=5), "vi") == "1 phút"


def test_a_reminder_quotes_the_letter_escaped() -> None:
    text = reminder_text(
        "vi",
        phase="ack",
        round_number=3,
        escalated=True,
        number="12/STTTT",
        subject="V/v <sách> & báo",
        agency="Cơ sở in Quang & Minh",
        sent_ago=timedelta(days=2),
        deadline=date(2026, 11, 28),
        today=date(2026, 11, 26),
    )
    assert "Nhắc lần 3" in text
    assert "lãnh đạo và đầu mối dự phòng" in text
    assert "V/v &lt;sách&gt; &amp; báo" in text
    assert "Quang &amp; Minh" in text
    assert "đã gửi 2 ngày trước" in text
    assert "sau 2 lần nhắc" in text
    assert "<b>28/11/2026</b> (còn 2 ngày)" in text  # the note is HTML, not escaped twice


def test_the_digest_lists_overdue_unacknowledged_and_unreachable_agencies_by_group() -> None:
    today = date(2026, 11, 26)
    first = (1, "1/STTTT", "Ngày sách", date(2026, 11, 25))
    second = (2, "2/STTTT", "Chuyển đổi số", None)
    sent, acked, failed = DeliveryStatus.SENT, DeliveryStatus.ACKNOWLEDGED, DeliveryStatus.FAILED
    lines = [
        DigestLine(*first, "Báo Sóc Trăng", sent, "bao-dai"),
        DigestLine(*first, "Sở Y tế", sent, "so-nganh"),
        DigestLine(*first, "Sở Tài chính", acked, "so-nganh"),
        DigestLine(*second, "Báo Sóc Trăng", sent, "bao-dai"),
        DigestLine(*second, "Hội Nhà báo", failed, "hoi-moi"),
        DigestLine(*second, "Sở Xây dựng", acked, "so-nganh"),
    ]
    names = settings_from_mapping({}).group_name
    [message] = digest_messages(lines, today, "vi", names)
    assert "Tổng hợp ngày 26/11/2026" in message
    assert (
        "Quá hạn chưa báo cáo (3):\n"
        "    • <i>Báo, đài</i> (1): Báo Sóc Trăng\n"
        "    • <i>Sở, ban, ngành</i> (2): Sở Y tế, Sở Tài chính"
    ) in message
    assert "Chưa xác nhận đã nhận (1):\n    • <i>Báo, đài</i> (1): Báo Sóc Trăng" in message
    # A group without a display name is shown as its slug.
    assert "Không liên lạc được (1):\n    • <i>hoi-moi</i> (1): Hội Nhà báo" in message
    assert "Sở Xây dựng" not in message  # acknowledged, no deadline: nothing to chase
    assert digest_messages(lines[5:], today, "vi") == []


def test_a_long_digest_is_split_and_shortened() -> None:
    lines = [
        DigestLine(
            n, f"{n}/STTTT", "x" * 150, None, f"Đơn vị {n}-{k}", DeliveryStatus.SENT, "so-nganh"
        )
        for n in range(60)
        for k in range(40)
    ]
    messages = digest_messages(lines, date(2026, 11, 26), "vi")
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert "và 25 đơn vị khác" in messages[0]


@pytest.mark.parametrize(
    ("moment", "after", "expected"),
    [
        # A day of working time: the same hour on the next working day.
        (local(2026, 11, 26, 10, 0), timedelta(days=1), local(2026, 11, 27, 10, 0)),
        # Friday → Monday; before the National Day holidays (31/08–02/09) → Thursday.
        (local(2026, 11, 27, 10, 0), timedelta(days=1), local(2026, 11, 30, 10, 0)),
        (local(2026, 8, 28, 10, 0), timedelta(days=1), local(2026, 9, 3, 10, 0)),
        # Hours count working minutes: 16:00 + 2 h is 08:30 the next working day.
        (local(2026, 11, 27, 16, 0), timedelta(hours=2), local(2026, 11, 30, 8, 30)),
        # From outside working hours, the count starts at the next working minute.
        (local(2026, 11, 28, 9, 0), timedelta(hours=1), local(2026, 11, 30, 8, 30)),
    ],
)
def test_working_time_after_a_moment(
    moment: datetime, after: timedelta, expected: datetime
) -> None:
    """[relay] remind_after is working time: a relay acknowledging on Friday afternoon is
    not reminded over the weekend."""
    assert OFFICE.after_working(moment, after) == expected
