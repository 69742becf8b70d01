"""English texts. Same keys and placeholders as vi.py (a test checks it)."""

TEXTS: dict[str, str] = {
    "role.primary": "primary contact",
    "role.backup": "backup contact",
    "role.head": "head of the agency",
    "role.admin": "administrator",
    "role.operator": "operator",
    "start.how_to_join": (
        "Hello! This is the official letter service of the "
        "<b>Department of Information and Communications</b>.\n\n"
        "To receive letters, open the <b>invite link</b> the Department sent to your agency "
        "(it looks like https://t.me/…?start=…). If you have none, please ask the Department."
    ),
    "start.staff": "Hello {name}! You are an {role} of the service. Type /help for the commands.",
    "start.welcome": (
        "Welcome {name}! You are now registered as the {role} of <b>{agency}</b>.\n\n"
        "The Department's letters to your agency will arrive here. When one arrives, press "
        "<b>Đã nhận</b> (received); when you have done what it asks, press "
        "<b>Báo cáo kết quả</b> (report)."
    ),
    "start.welcome_back": "Welcome back {name}! You receive letters for <b>{agency}</b> again.",
    "start.already_member": "You are already the {role} of <b>{agency}</b>. No need to join again.",
    "start.other_agency": (
        "This account is already registered for <b>{agency}</b>. A Telegram account receives "
        "letters for one agency only; if you moved, please ask the Department."
    ),
    "invite.invalid": (
        "This invite link is not valid. Check the link (a character may have been lost when "
        "copying it) or ask the Department for a new one."
    ),
    "invite.used_up": (
        "This invite link has been used as many times as allowed. "
        "Please ask the Department for a new one."
    ),
    "invite.expired": (
        "This invite link has expired (at {expired_at}). Please ask the Department for a new one."
    ),
    "invite.agency_inactive": (
        "<b>{agency}</b> no longer receives letters. Please contact the Department."
    ),
    "help.stranger": (
        "<b>Help</b>\n"
        "To receive letters, open the invite link the Department sent to your agency.\n\n"
        "/whoami — your account\n"
        "/lang — change language (Tiếng Việt / English)\n"
        "/help — this help"
    ),
    "help.contact": (
        "<b>Help for agency contacts</b>\n"
        "The Department's letters to <b>{agency}</b> arrive in this chat.\n"
        "• Press <b>Đã nhận</b> when you have received a letter.\n"
        "• Press <b>Báo cáo kết quả</b> when you have done what it asks, with a link as proof.\n"
        "• Press <b>Xin gia hạn</b> to ask for more time, <b>Không thuộc thẩm quyền</b> when the "
        "letter is not your agency's business.\n"
        "Until you press, the bot reminds you during working hours.\n\n"
        "/viec — the letters your agency still has to deal with\n"
        "/whoami — your agency and role\n"
        "/lang — change language (Tiếng Việt / English)\n"
        "/help — this help"
    ),
    "help.staff": (
        "<b>Department staff commands</b>\n"
        "/broadcast — compose and send a letter: type it after the command (first line the "
        "subject, a line «Số: …» the number; optional lines «Độ khẩn: Khẩn», «Hạn: 28/11/2026», "
        "«Nhắc lại: 2h»), or reply to a message or a PDF with it\n"
        "/mark ID CODE acknowledged|completed REASON — set a status by hand "
        "(e.g. confirmed by phone)\n"
        "/verify ID CODE — check an agency's evidence links again\n"
        "/remind ID — remind the agencies that have not acknowledged, now; "
        "/remind ID pause|resume — pause or resume automatic reminders\n"
        "/close ID — close a letter when its campaign is over (no more reminders or answers)\n"
        "/recall ID REASON — recall a letter sent by mistake (after a confirmation)\n"
        "/correct ID TEXT — send every recipient a correction of a letter\n"
        "/deadline ID CODE DATE REASON — set one agency's own deadline\n"
        "/invite CODE — create an invite link for an agency\n"
        "/agencies — the roster\n"
        "/staff — manage Department staff (administrators)\n"
        "/whoami, /lang, /help"
    ),
    "whoami.contact": (
        "You are the {role} of <b>{agency}</b> (code {code}).\n"
        "Your Telegram id: <code>{user_id}</code>"
    ),
    "whoami.contact_blocked": (
        "You are registered for <b>{agency}</b> but not receiving letters at the moment. "
        "Send /start to receive them again."
    ),
    "whoami.staff": (
        "You are an {role} of the Department.\nYour Telegram id: <code>{user_id}</code>"
    ),
    "whoami.stranger": (
        "You are not registered for any agency.\nYour Telegram id: <code>{user_id}</code>"
    ),
    "lang.choose": "Chọn ngôn ngữ / Choose your language:",
    "lang.set": "Language set to English.",
    "lang.unknown": "Unsupported language: {value}. Choose vi or en.",
    "staff.only": "This command is for staff of the Department of Information and Communications.",
    "staff.admin_only": "This command is for administrators.",
    "staff.usage": (
        "Usage:\n/staff add TELEGRAM_ID operator — add an operator\n"
        "/staff remove TELEGRAM_ID — remove\n/staff list — list"
    ),
    "staff.bad_user_id": "A Telegram id is a number, such as 123456789. You typed: {value}",
    "staff.bad_role": "Unknown role: {value}. You can add: operator or admin.",
    "staff.added": "Added {user_id} as {role}.",
    "staff.removed": "Removed {user_id} from the Department staff.",
    "staff.not_found": "{user_id} is not on the Department staff.",
    "staff.config_admin": (
        "{user_id} is an administrator declared in the config file; remove them there."
    ),
    "staff.list_header": "<b>Department staff</b>",
    "staff.list_row": "• <code>{user_id}</code> {name} — {role}",
    "invite.usage": "Usage: /invite AGENCY_CODE, e.g. /invite so-y-te",
    "invite.unknown_agency": "No agency has the code {code}. Type /agencies for the codes.",
    "invite.created": (
        "Invite link for <b>{agency}</b> ({uses} use(s), expires {expires_at}):\n{link}\n\n"
        "Send this link to the agency's contact officer."
    ),
    "invite.no_username": (
        "Cannot build the link: the bot's username is unknown. Set telegram.username in the config."
    ),
    "agencies.header": "<b>Agencies</b> ({count})",
    "agencies.row": "• <code>{code}</code> {name} — {contacts} contact(s)",
    "agencies.empty": "No agencies yet. Import the roster with: agency-bot agencies import FILE",
    "agencies.more": "… and {count} more (full list: agency-bot agencies list)",
    "button.ack": "✅ Đã nhận (received)",
    "button.report": "📝 Báo cáo kết quả (report)",
    "button.extension": "⏳ Xin gia hạn (more time)",
    "button.reject": "🚫 Không thuộc thẩm quyền (not ours)",
    "callback.unknown": "This button is no longer valid.",
    "broadcast.empty": (
        "The letter is empty. Type /broadcast and the text (the first line is the subject, "
        "a line «Số: …» the number), or reply to a message or a PDF with /broadcast."
    ),
    "broadcast.invalid": "The letter is not valid. Check its text.",
    "broadcast.bad_urgency": ("The line «Độ khẩn: …» cannot be read: use Thường, Khẩn or Hỏa tốc."),
    "broadcast.bad_deadline": (
        "The line «Hạn: …» cannot be read: write a date like 28/11/2026, in the years 2000–2100."
    ),
    "broadcast.bad_every": (
        "The line «Nhắc lại: …» cannot be read: write an interval like 2h, 30m or 1d, at most 90d."
    ),
    "broadcast.subject_too_long": "The subject (first line) is too long: 500 characters at most.",
    "broadcast.body_too_long": "The letter is too long: 50,000 characters at most.",
    "broadcast.choose_recipients": (
        "Letter no. <b>{number}</b>\n{subject}\n\n"
        "Choose the recipients: press «All», or choose groups then «Next». You can also "
        "reply to this message with agency codes or groups, separated by spaces."
    ),
    "broadcast.all_button": "📢 All agencies ({count})",
    "broadcast.group_button": "{mark} {group} ({count})",
    "broadcast.next_button": "Next ▶",
    "broadcast.send_button": "📤 Gửi (send)",
    "broadcast.cancel_button": "✖ Hủy (cancel)",
    "broadcast.no_group": "Choose at least one group, or press «All».",
    "broadcast.not_yours": "This draft is not yours or no longer exists.",
    "broadcast.already_done": "This letter has already been sent or cancelled.",
    "broadcast.unknown_targets": (
        "No group or agency: {targets}. Check the codes (type /agencies). Nothing was changed."
    ),
    "broadcast.nobody": "No agency matches the chosen recipients. Nothing was sent.",
    "broadcast.preview_summary": (
        "👆 Preview, exactly as the agency contacts will see it.\n\n"
        "Letter no. <b>{number}</b> to: {targets}\n"
        "<b>{agencies}</b> agencies, {contacts} contacts.\n"
        "Press «Gửi» to send, «Hủy» to discard."
    ),
    "broadcast.unreachable_note": (
        "\n⚠️ {count} agencies have no contact yet: they will be recorded as not reached."
    ),
    "broadcast.preview_press": "A preview: the button works when agencies receive the letter.",
    "broadcast.queued": (
        "📤 Letter no. <b>{number}</b> is queued: {messages} messages to {agencies} agencies. "
        "Sending…"
    ),
    "broadcast.progress": (
        "📤 Sending letter no. <b>{number}</b>: {sent}/{total} messages sent (failed: {failed})…"
    ),
    "broadcast.done": (
        "✅ Letter no. <b>{number}</b> sent: {sent}/{total} messages delivered, {failed} failed."
    ),
    "broadcast.failures": "Could not reach {count} agencies:",
    "broadcast.failure_row": "• {reason}: {count} agencies ({names})",
    "broadcast.and_more": " and {count} more",
    "broadcast.all_targets": "all agencies",
    "broadcast.cancelled": "✖ Letter no. {number} cancelled. Nothing was sent.",
    "ack.recorded": "Recorded: your agency has received the letter. Thank you!",
    "ack.stamp": "✅ Received by <b>{name}</b> at {at}",
    "ack.already": "Your agency has already acknowledged this letter ({name} at {at}).",
    "ack.by_hand": "Department staff (by hand)",
    "ack.refused": "You are not a contact of the agency this letter was sent to.",
    "ack.gone": "This letter is no longer open for acknowledgement.",
    "ack.rejected": "Your agency said this letter is not its business; nothing to acknowledge.",
    "ack.recalled": "The Department has recalled this letter: nothing to do.",
    "mark.usage": (
        "Usage: /mark ID AGENCY_CODE acknowledged|completed REASON\n"
        "Example: /mark 12 so-y-te acknowledged confirmed by phone"
    ),
    "mark.no_reason": "A reason is required, e.g. confirmed by phone.",
    "mark.reason_too_long": "The reason is too long: 500 characters at most.",
    "mark.unknown_directive": "No letter has the ID {id}.",
    "mark.not_a_recipient": "Agency {code} is not a recipient of letter ID {id}.",
    "mark.status.acknowledged": "acknowledged",
    "mark.status.completed": "completed",
    "mark.done": (
        "Set by hand: {code} {status} letter ID {id} (reason: {reason}). "
        "The agency will not be reminded of it any more."
    ),
    "completion.ask": (
        "📝 <b>Report</b> on letter no. <b>{number}</b>\n{subject}\n\n"
        "Send the link of the page where your agency published it, or text, photos or files as "
        "proof (several messages are fine). Then press «Xác nhận báo cáo». "
        "The report ends by itself after {minutes} minutes."
    ),
    "completion.replaced": "The unconfirmed report on letter no. {number} was discarded.",
    "completion.confirm_button": "✅ Xác nhận báo cáo (confirm)",
    "completion.cancel_button": "✖ Hủy (cancel)",
    "completion.added": (
        "{count} piece(s) of evidence for letter no. <b>{number}</b>. Send more, or press "
        "«Xác nhận báo cáo»."
    ),
    "completion.too_many": (
        "Letter no. {number}: 20 pieces of evidence is the most; please confirm."
    ),
    "completion.empty": "No evidence yet for letter no. {number}: send a link first.",
    "completion.no_session": (
        "This report has ended. Press «Báo cáo kết quả» under the letter again."
    ),
    "completion.refused": "You are not a contact of the agency this letter was sent to.",
    "completion.gone": "This letter is no longer open for reports.",
    "completion.done": (
        "✅ Report on letter no. <b>{number}</b> recorded ({count} piece(s) of evidence)."
    ),
    "completion.done_checking": (
        "✅ Report on letter no. <b>{number}</b> recorded ({count} piece(s) of evidence). "
        "The links are being checked; the result follows."
    ),
    "completion.cancelled": "Report cancelled. Nothing was recorded.",
    "completion.expired": (
        "⏰ The report on letter no. {number} timed out and was not recorded. "
        "Press «Báo cáo kết quả» under the letter to report."
    ),
    "completion.verified": "🔎 {url}\n✅ The link of letter no. {number} is on this page.",
    "completion.unverified": (
        "🔎 {url}\n⚠️ Not verified (letter no. {number}): {reason}. The report is recorded; "
        "the Department may check again."
    ),
    "notice.all_acknowledged": (
        "🎉 All {count} agencies that received letter no. <b>{number}</b> have acknowledged it."
    ),
    "notice.unverified": (
        "⚠️ <b>{agency}</b> reported letter no. <b>{number}</b> done, but its evidence could "
        "not be verified: {reasons}"
    ),
    "verify.usage": "Usage: /verify ID AGENCY_CODE — check the agency's evidence links again",
    "verify.none": "Agency {code} has sent no evidence link for letter ID {id}.",
    "verify.started": "Checking {count} link(s) of {code} for letter ID {id} again…",
    "error.generic": "Something went wrong. Please try again in a few minutes.",
    "error.unavailable": (
        "The system is briefly unavailable and has not recorded this. "
        "Please try again in a few minutes."
    ),
    "unknown_command": "Unknown command. Type /help for the commands.",
    "cmd.start": "Start / join with an invite link",
    "cmd.help": "Help",
    "cmd.whoami": "Your account and agency",
    "cmd.lang": "Change language",
    "cmd.broadcast": "Compose and send a letter",
    "cmd.invite": "Create an invite link for an agency",
    "cmd.agencies": "The roster of agencies",
    "cmd.mark": "Set a status by hand",
    "cmd.verify": "Check an agency's evidence again",
    "cmd.staff": "Manage Department staff",
    # A directive as contacts receive it: bot/render.py
    "directive.urgency.khan": "🟠 <b>URGENT</b>",
    "directive.urgency.hoa-toc": "🔴 <b>FLASH — MOST URGENT</b>",
    "directive.number": "<b>No. {number}</b>",
    "directive.date": "Date: {date}",
    "directive.subject_prefix": "<b>Re: </b>",
    "directive.deadline": "Report by: <b>{date}</b>",
    "directive.actions": "<b>Requested actions:</b>",
    "directive.links": "<b>Links:</b>",
    "directive.attachment_caption": (
        "📎 <b>Letter No. {number}</b> — attachment. The letter's text follows."
    ),
    "directive.continued": "<i>(continued, part {part}/{total})</i>",
    # --- reminders (issue 5) ---
    "cmd.remind": "Remind unacknowledged agencies now; pause/resume reminders",
    "reminder.ack": (
        "🔔 <b>Reminder {round}</b>: letter No. <b>{number}</b> {subject} was sent {ago} ago"
        " and <b>{agency}</b> has not acknowledged it yet.{deadline}\n"
        "Please press <b>✅ Đã nhận</b> below."
    ),
    "reminder.ack.escalated": (
        "🔔 <b>Reminder {round} — now also sent to the head and backup contacts</b>: letter No."
        " <b>{number}</b> {subject} was sent {ago} ago and <b>{agency}</b> has still not"
        " acknowledged it after {previous} reminders.{deadline}\n"
        "Please press <b>✅ Đã nhận</b> below."
    ),
    "reminder.manual": (
        "🔔 <b>The Department reminds you</b>: letter No. <b>{number}</b> {subject} was sent"
        " {ago} ago and <b>{agency}</b> has not acknowledged it yet.{deadline}\n"
        "Please press <b>✅ Đã nhận</b> below."
    ),
    "reminder.completion": (
        "📝 <b>Report reminder ({round})</b>: letter No. <b>{number}</b> {subject}"
        " — <b>{agency}</b> acknowledged it but has not reported what it did.{deadline}\n"
        "Once done, press <b>📝 Báo cáo kết quả</b> and send the evidence."
    ),
    "reminder.completion.escalated": (
        "📝 <b>Report reminder ({round}) — now also sent to the head and backup contacts</b>:"
        " letter No. <b>{number}</b> {subject} — <b>{agency}</b> acknowledged it but has"
        " still not reported after {previous} reminders.{deadline}\n"
        "Once done, press <b>📝 Báo cáo kết quả</b> and send the evidence."
    ),
    "reminder.deadline.left": "\nDeadline: <b>{date}</b> ({days} days left).",
    "reminder.deadline.today": "\nDeadline: <b>{date}</b> (today is the last day).",
    "reminder.deadline.overdue": "\nDeadline: <b>{date}</b> (<b>{days} days overdue</b>).",
    "duration.minutes": "{n} minutes",
    "duration.minute": "1 minute",
    "duration.hours": "{n} hours",
    "duration.hour": "1 hour",
    "duration.days": "{n} days",
    "duration.day": "1 day",
    "notice.unreachable": (
        "⚠️ Could not remind <b>{agency}</b> about letter No. {number}: the agency has no"
        " contact left who can receive messages (blocked the bot or left). Please call them."
    ),
    "digest.header": "📋 <b>Daily digest {date}</b>: agencies to chase",
    "digest.directive": "<b>Letter No. {number}</b> (ID {id}) {subject}",
    "digest.deadline": "Deadline: {date}",
    "digest.overdue": "⏰ Overdue, no report ({count}):",
    "digest.unacknowledged": "🔔 Not acknowledged ({count}):",
    "digest.unreachable": "⚠️ Unreachable ({count}):",
    "digest.group": "    • <i>{group}</i> ({count}): {names}",
    "digest.rejected": "↩️ Not their business ({count}):",
    "digest.more": "{names} and {count} more",
    "remind.usage": (
        "Usage: <code>/remind ID</code> reminds the agencies that have not acknowledged, now;"
        " <code>/remind ID pause</code> pauses automatic reminders;"
        " <code>/remind ID resume</code> resumes them."
    ),
    "remind.unknown": "There is no open letter with ID {id}.",
    "remind.queued": (
        "🔔 Reminders queued for {agencies} agencies that have not acknowledged letter No."
        " {number} ({messages} messages, sent at Telegram's rate)."
    ),
    "remind.unreachable": "⚠️ {count} agencies have no contact left who can receive: {names}",
    "remind.none": "Every agency has acknowledged letter No. {number}: nobody to remind.",
    "remind.paused": (
        "⏸ Automatic reminders paused for letter No. {number}."
        " Send <code>/remind {id} resume</code> to resume them."
    ),
    "remind.resumed": (
        "▶️ Automatic reminders resumed for letter No. {number}; a round that fell due is sent once."
    ),
    "cmd.close": "Close a letter: no more reminders or answers",
    "close.usage": "Usage: <code>/close ID</code> — close a letter (no more reminders or answers).",
    "close.unknown": "There is no open letter with ID {id}.",
    "close.confirm": (
        "Close letter No. <b>{number}</b> {subject}?\n"
        "Once closed: no more reminders, agencies can no longer acknowledge or report;"
        " its reports stay available. It cannot be reopened."
    ),
    "close.yes": "🔒 Close the letter",
    "close.no": "Keep it open",
    "close.kept": "The letter stays open.",
    "close.done": "🔒 Letter No. <b>{number}</b> is closed: no more reminders.",
    # --- status and reports (issue 6) ---
    "cmd.status": "How a letter is being received",
    "cmd.pending": "Agencies that have not acknowledged",
    "cmd.report": "Summary report (Excel, chart)",
    "summary.duration.seconds": "{s} s",
    "summary.duration.minutes": "{m} min",
    "summary.duration.hours": "{h} h {m} min",
    "summary.duration.days": "{d} d {h} h",
    "summary.status.pending": "waiting",
    "summary.status.sent": "sent",
    "summary.status.acknowledged": "acknowledged",
    "summary.status.completed": "completed",
    "summary.status.failed": "failed",
    "summary.status.rejected": "not their business",
    "summary.staff_unnamed": "Department staff",
    "summary.unknown_directive": "No letter has the ID {id}.",
    "status.usage": "Usage: /status [ID] — how a letter is being received (no ID: recent letters)",
    "status.none": "No letter has been sent yet.",
    "status.recent": (
        "<b>Recent letters</b> — agencies acknowledged / total. Press one for details:"
    ),
    "status.recent_button": "{number} · {acknowledged}/{total} ({percent})",
    "status.card": (
        "📊 <b>Letter No. {number}</b> (ID {id})\n"
        "{subject}\n"
        "Sent: {since} · Deadline: {deadline}\n\n"
        "Agencies: <b>{total}</b>\n"
        "📨 Delivered to: {sent} ({sent_pct})\n"
        "✅ Acknowledged: <b>{acknowledged}</b> ({acknowledged_pct})\n"
        "🏁 Completed: <b>{completed}</b> ({completed_pct})\n"
        "    • evidence verified: {verified}\n"
        "    • evidence unverified: {unverified}\n"
        "❌ Failed: {failed} ({failed_pct})\n"
        "↩️ Not their business: {rejected} ({rejected_pct})\n"
        "⏰ Overdue: {overdue} ({overdue_pct})\n"
        "⏱ Median time to acknowledge: {median}\n\n"
        "{groups}"
        "Export the report: /report {id}"
    ),
    "status.by_group": "<b>By group</b> (acknowledged / agencies):",
    "status.group_line": "• {group}: {acknowledged}/{total} ({percent}), completed {completed}",
    "status.more_groups": "• … and {count} more groups",
    "status.since": "{ago} ago",
    "status.not_sent": "not yet",
    "status.no_deadline": "none",
    "status.no_median": "none yet",
    "status.pending_button": "📋 Not acknowledged ({count})",
    "status.refresh_button": "🔄 Refresh",
    "status.refreshed": "Refreshed.",
    "pending.usage": "Usage: /pending ID — agencies that have not pressed «Đã nhận», with contacts",
    "pending.none": "✅ Letter No. <b>{number}</b>: every agency has acknowledged.",
    "pending.header": (
        "📋 <b>Letter No. {number}</b>: {count} agencies have not acknowledged "
        "(page {page}/{pages})"
    ),
    "pending.agency": "<b>{index}. {name}</b> ({code})",
    "pending.failed": "    ❌ {reason}",
    "pending.contact": "    • {name} — {role}",
    "pending.contact_username": "    • {name} (@{username}) — {role}",
    "pending.no_contact": "    (no active contact)",
    "pending.hint": "Press a number to set the status by hand (with a reason).",
    "pending.previous": "◀ Previous",
    "pending.next": "Next ▶",
    "pending.mark_acknowledged": "{index}. ✔ Acknowledged",
    "pending.mark_completed": "{index}. 🏁 Completed",
    "pending.ask_reason": (
        "✍️ Set by hand: <b>{name}</b> ({code}) {status} letter ID {id}.\n"
        "<b>Reply to this message</b> with the reason (e.g. confirmed by phone), "
        "or type:\n/mark {id} {code} {status_code} REASON"
    ),
    "pending.reply_below": "Reply to the message below with the reason.",
    "pending.gone": "This agency is no longer a recipient of the letter.",
    "summary.usage": "Usage: /report ID — the summary report (Excel and chart)",
    "summary.building": "⏳ Building the report of letter No. <b>{number}</b> ({count} agencies)…",
    "summary.chart_caption": (
        "📈 Letter No. <b>{number}</b>: {acknowledged}/{total} agencies acknowledged, "
        "{completed} completed."
    ),
    "summary.workbook_caption": "📊 Summary report of letter No. <b>{number}</b> (Excel).",
    "summary.official_caption": (
        "📄 The official report on letter No. <b>{number}</b> (Word, per Decree"
        " 30/2020/NĐ-CP): check it, number it and have it signed."
    ),
    "xlsx.sheet.summary": "Summary",
    "xlsx.sheet.agencies": "Agencies",
    "xlsx.sheet.events": "Event log",
    "xlsx.title": "SUMMARY REPORT",
    "xlsx.fact.id": "Letter ID",
    "xlsx.fact.number": "Letter number",
    "xlsx.fact.subject": "Subject",
    "xlsx.fact.issue_date": "Issue date",
    "xlsx.fact.deadline": "Deadline",
    "xlsx.fact.first_sent": "Sending started",
    "xlsx.fact.generated": "Report generated",
    "xlsx.fact.recalled_at": "RECALLED at",
    "xlsx.fact.recall_reason": "Reason for the recall",
    "xlsx.fact.correction": "Correction",
    "xlsx.count.header": "Measure",
    "xlsx.count.agencies": "Agencies",
    "xlsx.count.share": "Share",
    "xlsx.count.total": "Recipient agencies",
    "xlsx.count.sent": "Delivered to",
    "xlsx.count.acknowledged": "Acknowledged (completed included)",
    "xlsx.count.completed": "Completed",
    "xlsx.count.verified": "Completed, evidence verified",
    "xlsx.count.unverified": "Completed, evidence unverified",
    "xlsx.count.failed": "Failed",
    "xlsx.count.rejected": "Not their business",
    "xlsx.count.overdue": "Overdue",
    "xlsx.count.median": "Median time to acknowledge",
    "xlsx.col.agency_code": "Agency code",
    "xlsx.col.agency_name": "Agency",
    "xlsx.col.group": "Group",
    "xlsx.col.status": "Status",
    "xlsx.col.acknowledged_at": "Acknowledged at",
    "xlsx.col.acknowledged_by": "Acknowledged by",
    "xlsx.col.completed_at": "Completed at",
    "xlsx.col.evidence": "Evidence",
    "xlsx.col.evidence_verified": "Verification",
    "xlsx.col.reminders_sent": "Reminders",
    "xlsx.col.failure_reason": "Failure reason",
    "xlsx.col.own_deadline": "Own deadline (extension)",
    "xlsx.col.rejection_reason": "Why not their business",
    "xlsx.event.at": "Time",
    "xlsx.event.kind": "Event",
    "xlsx.event.actor": "By",
    "xlsx.event.agency": "Agency",
    "summary.verification.pending": "being checked",
    "summary.verification.verified": "verified",
    "summary.verification.unverified": "not verified",
    "event.actor.bot": "System (bot)",
    "event.actor.cli": "Command line (agency-bot)",
    "event.actor.staff": "{name} (Department staff)",
    "event.actor.staff_id": "Department staff (ID {id})",
    "event.actor.user": "{name}",
    "event.actor.user_id": "Telegram user (ID {id})",
    "event.channel.telegram": "in Telegram",
    "event.channel.cli": "on the command line",
    "event.agencies.imported": "Roster imported from {file}: {created} new, {updated} updated",
    "event.callback.gone": "Pressed a button of a message no longer valid",
    "event.callback.refused": "Refused a press by someone who is not a contact of the agency",
    "event.contact.blocked": "The contact blocked the bot",
    "event.contact.joined": "A contact joined ({role})",
    "event.contact.rejoined": "A contact joined again",
    "event.delivery.acknowledged": "Acknowledged",
    "event.delivery.completed": "Reported done: {evidence}",
    "event.delivery.failed": "Could not be sent: {reason}",
    "event.delivery.marked": "Marked «{status}» by hand: {reason}",
    "event.directive.all_acknowledged": "Every reachable agency has acknowledged",
    "event.directive.cancelled": "Letter cancelled (not sent)",
    "event.directive.closed": "Letter closed",
    "event.directive.created": "Letter {number} created",
    "event.directive.queued": (
        "Letter sent to {agencies} agencies ({messages} messages;"
        " {unreachable} agencies without a contact)"
    ),
    "event.evidence.checked.verified": "Evidence verified: {url}",
    "event.evidence.checked.unverified": "Evidence not verified: {url} ({reason})",
    "event.evidence.recheck_requested": "Evidence check requested again",
    "event.invite.created": "Invite link created ({uses} use(s))",
    "event.invite.rejected": "Invalid invite link refused",
    "event.message.failed": "A message could not be sent: {reason}",
    "event.message.sent.directive": "Letter delivered",
    "event.message.sent.reminder": "Reminder delivered",
    "event.message.sent.notice": "Notice delivered",
    "event.reminder.queued.ack": "Reminder to acknowledge, round {round}",
    "event.reminder.queued.completion": "Reminder to report, round {round}",
    "event.reminder.escalated": " (heads and backup contacts included)",
    "event.reminder.manual": "Reminder now (/remind): {agencies} agencies",
    "event.reminder.unreachable": "No reminder possible: the agency has no contact left",
    "event.reminders.paused": "Automatic reminders paused",
    "event.reminders.resumed": "Automatic reminders resumed",
    "event.report.exported": "Summary report exported ({format}, {channel})",
    "event.staff.added": "Staff member added (ID {user_id}, {role})",
    "event.staff.digest": "Daily digest sent to staff",
    "event.staff.refused": "Refused a staff-only command",
    "event.deadline.set": "The agency's own deadline set: {deadline} ({reason})",
    "event.delivery.rejected": "The agency answered that the letter is not its business: {reason}",
    "event.delivery.retargeted": "The letter sent to another agency instead of {instead_of}",
    "event.directive.corrected": "Correction sent: {text}",
    "event.directive.recalled": "Letter recalled: {reason}",
    "event.directive.relayed": "Relayed to {agencies} units below (number {number})",
    "event.relay.drafted": "Started a relay draft",
    "event.relay.refused": "Relay refused: {reason}",
    "event.relay.reason.not_recipient": "the agency did not receive this letter",
    "event.relay.reason.gone": "the letter is closed",
    "event.relay.reason.disabled": "the letter may not be relayed",
    "event.relay.reason.no_units": "no units below",
    "event.relay.reason.already": "already relayed",
    "event.relay.reason.late_deadline": "deadline later than the department's",
    "event.relay.reason.outside": "recipients not under the agency",
    "event.relay.reason.nobody": "no unit among the chosen recipients",
    "event.extension.requested": "More time asked, until {new_deadline}: {reason}",
    "event.extension.approved": "More time granted, until {new_deadline}",
    "event.extension.refused": "More time refused (asked until {new_deadline})",
    "event.staff.removed": "Staff member removed (ID {user_id})",
    "docx.title": "Report on carrying out letter No. {number}",
    "docx.national_title": "SOCIALIST REPUBLIC OF VIET NAM",
    "docx.motto": "Independence - Freedom - Happiness",
    "docx.number": "No.:        /BC-{symbol}",
    "docx.place_date": "{place}, {day}/{month}/{year}",
    "docx.kind": "REPORT",
    "docx.subject": "On carrying out letter No. {number} of {date} {about}",
    "docx.about": "on {text}",
    "docx.section.letter": "I. THE LETTER",
    "docx.letter.sent": (
        "On {date}, letter No. {number} {about} (addressed to {total} agencies) was sent in"
        " Telegram, with the buttons «Đã nhận» and «Báo cáo kết quả» for agencies to"
        " acknowledge it and report what they did, with evidence."
    ),
    "docx.letter.actions": "The letter asks the agencies to:",
    "docx.letter.links": "Link to publish on the agency's website: {links}.",
    "docx.letter.deadline": "Deadline for the report: {date}.",
    "docx.letter.no_deadline": "The letter sets no deadline.",
    "docx.section.results": "II. RESULTS",
    "docx.results.as_of": "Figures as of {hour}:{minute} on {date}:",
    "docx.results.received": (
        "1. Receipt: the letter reached {sent}/{total} agencies ({sent_pct});"
        " {acknowledged} agencies acknowledged it ({acknowledged_pct})."
    ),
    "docx.results.failed": (
        "{failed} agencies could not be reached (no contact registered, or unreachable)."
    ),
    "docx.results.completed": (
        "2. Completion: {completed} agencies reported done ({completed_pct}): {verified}"
        " with verified evidence (their website links as asked), {unverified} with"
        " evidence that could not be verified."
    ),
    "docx.results.completed_other": "{count} reported without a link or were confirmed by hand.",
    "docx.results.overdue": (
        "3. Overdue: {overdue} agencies ({overdue_pct}) had not completed when the"
        " deadline ({deadline}) passed."
    ),
    "docx.results.not_yet_due": (
        "3. The deadline ({deadline}) has not passed; no agency is overdue."
    ),
    "docx.results.no_deadline": "3. The letter sets no deadline, so no agency is overdue.",
    "docx.results.by_group": "Results by group of agencies:",
    "docx.relays.intro": (
        "4. Relays: {count} agencies relayed the letter to the units under them; each"
        " relay with its units:"
    ),
    "docx.relays.none": "4. Relays: no agency has relayed the letter to the units under it.",
    "docx.relays.not_yet": "not relayed",
    "docx.section.not_done": "III. AGENCIES NOT DONE",
    "docx.not_done.intro": "{count} agencies have not completed:",
    "docx.not_done.none": "Every agency has completed.",
    "docx.table.no": "No.",
    "docx.table.group": "Group of agencies",
    "docx.table.units": "Agencies",
    "docx.table.acknowledged": "Acknowledged",
    "docx.table.completed": "Completed",
    "docx.table.overdue": "Overdue",
    "docx.table.total": "Total",
    "docx.table.relay": "Relay",
    "docx.table.relayed_at": "Relayed at",
    "docx.table.agency": "Agency",
    "docx.table.state": "State",
    "docx.table.acknowledged_at": "Acknowledged at",
    "docx.table.completed_at": "Completed at",
    "docx.table.evidence": "Evidence",
    "docx.table.note": "Note",
    "docx.band.sent": "Not acknowledged: {count} agencies",
    "docx.band.acknowledged": "Acknowledged, no report yet: {count} agencies",
    "docx.band.failed": "Could not be sent: {count} agencies",
    "docx.band.rejected": "Not their business: {count} agencies",
    "docx.band.pending": "Not sent yet: {count} agencies",
    "docx.note.overdue": "overdue",
    "docx.note.reminded": "reminded {count} times",
    "docx.state.pending": "Not sent yet",
    "docx.state.sent": "Not acknowledged",
    "docx.state.acknowledged": "Acknowledged, no report yet",
    "docx.state.completed": "Completed",
    "docx.state.failed": "Could not be sent: {reason}",
    "docx.state.rejected": "Answered: not its business",
    "docx.state.overdue": " (overdue)",
    "docx.state.reminded": "; reminded {count} times",
    "docx.closing": "This is the report on carrying out letter No. {number}./.",
    "docx.recipients": "Recipients:",
    "docx.appendix.title": "Appendix",
    "docx.appendix.subject": "RECEIPT AND COMPLETION OF LETTER NO. {number}",
    "docx.appendix.attached": "(Attached to report No.        /BC-{symbol} of {date})",
    "docx.evidence.verified": "(verified)",
    "docx.evidence.unverified": "(not verified)",
    "docx.by_hand": "Confirmed by hand by the Department: {reason}",
    "chart.title": "Letter No. {number} — {count} agencies",
    "chart.timeline": "Acknowledged and completed over time (cumulative)",
    "chart.acknowledged": "Acknowledged ({count})",
    "chart.completed": "Completed ({count})",
    "chart.agencies": "Agencies",
    "chart.by_group": "Acknowledgement rate by agency group",
    "chart.rate": "Acknowledged (%)",
    "chart.delays": "Time from sending to acknowledgement",
    "chart.hours": "Hours",
    "chart.days": "Days",
    "chart.minutes": "Minutes",
    "chart.seconds": "Seconds",
    "chart.no_data": "No data yet",
    # --- the officer's side of a letter (issue 15) ---
    "directive.lead": "📌 <b>For your agency: item {numbers}</b>",
    "directive.lead.none": "📌 <b>For information</b> (no item is addressed to your agency)",
    "directive.lead.preview": (
        "📌 <b>Preview</b>: each agency sees its own items in full and the others folded to one "
        "line"
    ),
    "directive.item.preview": "<b>{number}.</b> <i>({to})</i> ",
    "directive.item.mine": "👉 <b>{number}.</b> ",
    "directive.item.other": "▫️ {number}. ",
    "directive.item.to_all": "everyone",
    "directive.item.to_others": "the others",
    "broadcast.bad_items": (
        "An «Mục …» line could not be read: write «Mục 1 (bao-dai, so-gddt): text», items "
        "numbered 1, 2, 3… in order; «còn lại» means the agencies no other item names, "
        "«không đăng link» an item that does not ask to publish the links."
    ),
    "broadcast.item_named": "item {number} ({to})",
    "broadcast.items_nobody": (
        "⚠️ None of the chosen recipients is in {items}. Choose the recipients again or rewrite "
        "the letter. Nothing was sent."
    ),
    "broadcast.items_changed": (
        "The letter's items no longer fit its recipients. Choose them again. Nothing was sent."
    ),
    "broadcast.item_count": "item {number}: {count} agencies",
    "broadcast.item_counts": "\nBy item: {counts}.",
    "cmd.viec": "Letters your agency still has to deal with",
    "cmd.recall": "Recall a letter sent by mistake",
    "cmd.correct": "Send a correction of a letter",
    "cmd.deadline": "Set one agency's own deadline",
    "worklist.not_contact": (
        "/viec is for agency contacts: open the invite link the Department sent you to join."
    ),
    "worklist.none": "✅ <b>{agency}</b> has no letter left to deal with.",
    "worklist.header": (
        "📋 <b>Letters {agency} has to deal with</b> ({count}), nearest deadline first:"
    ),
    "worklist.letter": "<b>{index}. No. {number}</b> {subject}\n    {status}",
    "worklist.unacknowledged": "⬜ not acknowledged",
    "worklist.acknowledged": "✅ acknowledged",
    "worklist.deadline": "due {date}",
    "worklist.extended": "due {date} (extended)",
    "worklist.left": "{days} days left",
    "worklist.today": "due today",
    "worklist.overdue": "⏰ <b>{days} days overdue</b>",
    "worklist.no_deadline": "no deadline",
    "worklist.asked": "⏳ more time asked",
    "worklist.more": "… and {count} more letters with later deadlines.",
    "worklist.ack_button": "{index}. ✅ Đã nhận",
    "worklist.report_button": "{index}. 📝 Báo cáo",
    "worklist.extension_button": "{index}. ⏳ Gia hạn",
    "extension.no_deadline": "none",
    "extension.reply_below": "Reply to the message below with the new date and a reason.",
    "extension.ask_date": (
        "⏳ <b>More time</b> for letter No. <b>{number}</b> {subject}\n"
        "Current deadline: {deadline}.\n"
        "<b>Reply to this message</b> with the new date and a reason, e.g.:\n"
        "<code>15/07/2026 waiting for the director's approval</code>"
    ),
    "extension.ask_reason": (
        "New date: <b>{new_deadline}</b>. <b>Reply to this message</b> with the reason."
    ),
    "extension.bad_date": (
        "The date could not be read. Reply with a date like 15/07/2026 (years 2000–2100), then "
        "the reason after a space."
    ),
    "extension.sent": (
        "⏳ Your request to extend letter No. <b>{number}</b> to <b>{new_deadline}</b> went to "
        "the Department. Its answer will come here."
    ),
    "extension.refused": (
        "You are not a contact of the agency this letter was sent to, so you cannot ask for more "
        "time."
    ),
    "extension.gone": "This letter is no longer open.",
    "extension.recalled": "The Department has recalled this letter: nothing to do.",
    "extension.completed": "Your agency has reported on letter No. {number}: no extension needed.",
    "extension.rejected": "Your agency said letter No. {number} is not its business.",
    "extension.waiting": (
        "Your agency asked to extend letter No. {number} to {new_deadline}; waiting for the "
        "Department's answer."
    ),
    "extension.not_later": (
        "The new date must be after the current deadline ({deadline}) and after today. Reply "
        "again with another date."
    ),
    "extension.too_far": "The new date is too far (at most a year from today). Reply again.",
    "extension.no_reason": "A reason is needed. Reply again with the reason.",
    "extension.reason_too_long": "The reason is too long: 500 characters at most. Reply again.",
    "extension.request": (
        "⏳ <b>{agency}</b> asks for more time for letter No. <b>{number}</b> {subject}\n"
        "Current deadline: {deadline} → asked: <b>{new_deadline}</b>\n"
        "Reason: {reason}"
    ),
    "extension.y_button": "✅ Đồng ý (approve)",
    "extension.n_button": "✖ Từ chối (refuse)",
    "extension.decision_approved": "Extension for {agency} to {new_deadline} approved.",
    "extension.decision_refused": "Extension for {agency} refused.",
    "extension.decision_answered": "This request was answered already.",
    "extension.decision_gone": "Letter No. {number} is no longer open: no extension possible.",
    "extension.stamp_approved": "✅ Approved by <b>{name}</b> at {at}",
    "extension.stamp_refused": "✖ Refused by <b>{name}</b> at {at}",
    "extension.told_approved": (
        "✅ The Department <b>approved</b> more time for letter No. <b>{number}</b> {subject}: "
        "your agency's new deadline is <b>{new_deadline}</b>."
    ),
    "extension.told_refused": (
        "✖ The Department <b>refused</b> more time for letter No. <b>{number}</b> {subject}: the "
        "deadline stays <b>{deadline}</b>."
    ),
    "deadline.usage": (
        "Usage: /deadline ID AGENCY_CODE DATE REASON\n"
        "Example: /deadline 12 so-gddt 15/07/2026 waiting for the schools' figures"
    ),
    "deadline.no_reason": "A reason is needed.",
    "deadline.reason_too_long": "The reason is too long: 500 characters at most.",
    "deadline.bad_date": "The date must be between today and a year from now.",
    "deadline.unknown": "No open letter with ID {id}.",
    "deadline.not_a_recipient": "Agency {code} is not a recipient of letter ID {id}.",
    "deadline.done": (
        "📅 Deadline of <b>{agency}</b> ({code}) for letter No. {number} set to "
        "<b>{deadline}</b>. The agency was told."
    ),
    "deadline.told": (
        "📅 The Department moved your agency's deadline for letter No. <b>{number}</b> "
        "{subject}: <b>{deadline}</b>.\nReason: {reason}"
    ),
    "reject.reply_below": "Reply to the message below with the reason.",
    "reject.ask": (
        "🚫 Letter No. <b>{number}</b> {subject} is <b>not your agency's business</b>?\n"
        "<b>Reply to this message</b> with the reason (e.g. the Department of Health handles "
        "this). The Department is told and your agency is not reminded of it any more."
    ),
    "reject.done": (
        "The Department was told that letter No. <b>{number}</b> is not your agency's business. "
        "Your agency will not be reminded of it any more."
    ),
    "reject.refused": (
        "You are not a contact of the agency this letter was sent to, so you cannot answer it."
    ),
    "reject.gone": "This letter is no longer open.",
    "reject.recalled": "The Department has recalled this letter: nothing to do.",
    "reject.completed": "Your agency has reported on letter No. {number}.",
    "reject.already": "Your agency said letter No. {number} is not its business already.",
    "reject.no_reason": "A reason is needed. Reply again with the reason.",
    "reject.reason_too_long": "The reason is too long: 500 characters at most. Reply again.",
    "reject.notice": (
        "↩️ <b>{agency}</b> ({code}) says letter No. <b>{number}</b> {subject} is "
        "<b>not its business</b>.\nReason: {reason}\n"
        "You may send the letter to another agency instead with the button below."
    ),
    "reject.retarget_button": "↪️ Gửi cho đơn vị khác (send to another agency)",
    "retarget.reply_below": "Reply to the message below with the agency's code.",
    "retarget.ask": (
        "↪️ Send letter No. <b>{number}</b> to another agency instead of <b>{agency}</b>: "
        "<b>reply to this message</b> with the agency's code (see /agencies)."
    ),
    "retarget.gone": "This agency has not (or no longer) sent the letter back.",
    "retarget.closed": "The letter is no longer open: it cannot be sent to more agencies.",
    "retarget.unknown_agency": (
        "No agency with code {code}. Reply again with a correct code (see /agencies)."
    ),
    "retarget.already": "Agency {code} is a recipient already. Reply again with another code.",
    "retarget.done": (
        "↪️ Letter No. <b>{number}</b> sent to <b>{agency}</b> instead of {instead} "
        "({messages} contact(s))."
    ),
    "retarget.no_contact": (
        "↪️ <b>{agency}</b> added to the recipients of letter No. <b>{number}</b> instead of "
        "{instead}, but it has no contact yet: send it an invite link (/invite)."
    ),
    "recall.usage": (
        "Usage: /recall ID REASON — recall a letter sent by mistake\n"
        "Example: /recall 12 sent to the wrong recipients"
    ),
    "recall.unknown": "No letter with ID {id}.",
    "recall.already": "Letter ID {id} is recalled already.",
    "recall.no_text": "A reason for the recall is needed.",
    "recall.too_long": "The reason is too long: 500 characters at most.",
    "recall.confirm": (
        "Recall letter No. <b>{number}</b> {subject}?\nReason: {reason}\n"
        "Every copy sent will be changed to «ĐÃ THU HỒI» (recalled) without its buttons; what is "
        "not sent yet is cancelled; no more reminders. This cannot be undone."
    ),
    "recall.yes": "🚫 Thu hồi (recall)",
    "recall.no": "Không thu hồi (keep)",
    "recall.kept": "The letter was not recalled.",
    "recall.lost": "The original /recall command could not be read. Type /recall ID REASON again.",
    "recall.done": (
        "🚫 Letter No. <b>{number}</b> recalled: {edits} copies sent are being changed, "
        "{cancelled} messages not sent yet were cancelled."
    ),
    "recall.copy": (
        "🚫 <b>ĐÃ THU HỒI</b> (recalled)\nLetter No. <b>{number}</b> {subject} was recalled by "
        "the Department at {at}.\nReason: {reason}\nPlease do not act on this letter."
    ),
    "recall.copy_rest": "🚫 <b>ĐÃ THU HỒI</b> (recalled) — letter No. {number}.",
    "correct.usage": (
        "Usage: /correct ID TEXT — send every recipient a correction\n"
        "Example: /correct 12 the report is due on 30/6, not 30/5"
    ),
    "correct.unknown": "No letter with ID {id}.",
    "correct.recalled": "Letter ID {id} was recalled: it cannot be corrected.",
    "correct.no_text": "The correction's text is needed.",
    "correct.too_long": "The correction is too long: 3,000 characters at most.",
    "correct.copy": (
        "📝 <b>ĐÍNH CHÍNH</b> (correction) of letter No. <b>{number}</b> {subject}:\n{text}"
    ),
    "correct.done": (
        "📝 Correction of letter No. <b>{number}</b> queued for {messages} copies "
        "(at Telegram's rate)."
    ),
    "status.recalled": "🚫 <b>RECALLED</b> at {at}. Reason: {reason}",
    "status.corrections": "📝 Corrected {count} time(s).",
    # --- relaying down the hierarchy (issue 13) ---
    "button.relay": "🔁 Relay ({count} units)",
    "relay.department": "Department of Information and Communications",
    "relay.about": "on {subject}",
    "relay.quote": (
        "Pursuant to Official Letter No. {number} of {issuer} dated {date} {about}, {relay}"
        " relays the letter to its units."
    ),
    "relay.original": "Text of Official Letter No. {number}:",
    "relay.not_recipient": "Your agency did not receive this letter, so it cannot relay it.",
    "relay.gone": "Letter {number} is closed: it can no longer be relayed.",
    "relay.disabled": "Letter {number} may not be relayed.",
    "relay.no_units": "{agency} has no units under it to relay to.",
    "relay.already": (
        "{agency} has already relayed this letter (letter {number}, ID {id}). "
        "See how it goes: /status {id}"
    ),
    "relay.late_deadline": (
        "The deadline {deadline} is later than the original's ({original}): choose one no"
        " later than {original}. Nothing has changed."
    ),
    "relay.outside": (
        "Not under your agency: {targets}. You can only relay to units under your own"
        " agency. Nothing has changed."
    ),
    "relay.nobody": "No unit among the chosen recipients. Nothing was sent.",
    "relay.queued": (
        "🔁 Letter <b>{number}</b> is queued for relaying: {messages} messages to"
        " {agencies} units. Sending…"
    ),
    "relay.all_button": "📢 All units directly under it ({count})",
    "relay.details_button": "✍️ Number, note, deadline",
    "relay.choose_recipients": (
        "🔁 <b>Relay</b> letter <b>{original}</b> (ID {original_id}) — <b>{relay}</b>\n"
        "Number of the relayed letter: <b>{number}</b> · Deadline: {deadline}\n"
        "Note: {note}\n\n"
        "Choose the recipients: “All” is the units directly under your agency (units further"
        " down get it when their own parent relays it), or pick groups and press “Continue”,"
        " or reply to this message with agency codes (units further down too). Press ✍️ to"
        " set your number, a note above the original and a deadline."
    ),
    "relay.all_targets": "all units directly under it",
    "relay.ask_details": (
        "✍️ Relayed letter <b>{number}</b>.\n<b>Reply to this message</b>: a line “Số: …” is"
        " your agency's number, a line “Hạn: dd/mm/yyyy” the deadline (no later than"
        " {deadline}), the rest is the note above the original (“-” removes the note)."
    ),
    "relay.press_refused": (
        "You are not a contact of the agency this letter was sent to, so you cannot relay it."
    ),
    "relay.press_gone": "This letter is no longer open for relaying.",
    "relay.started": "Received. Choose the recipients to relay it to.",
    "relay.staff_hint": (
        "Department staff relay for an agency with <code>agency-bot relay ID --as"
        " AGENCY_CODE</code> (add --to, --number, --note, --deadline as needed)."
    ),
    "relay.contacts_only": "This command is for contacts of agencies with units under them.",
    "relay.usage": (
        "Usage: /relay ID — relay letter ID to the units under your agency. You may add, on"
        " the next lines: “Số: …”, “Hạn: dd/mm/yyyy” and a note."
    ),
    "relay.bad_deadline": (
        "Could not read the “Hạn: …” line: write a date like 25/06/2020, in the years 2000–2100."
    ),
    "relay.note_too_long": "The note is too long: at most 4,000 characters.",
    "relay.not_yours": "You can only see and manage the letters your agency relayed.",
    "broadcast.relay_on_button": "🔁 Relaying allowed: on",
    "broadcast.relay_off_button": "🔁 Relaying allowed: off",
    "broadcast.relay_hint_on": (
        "\n\n🔁 Relaying is on: “All” is the top of the tree; units under an agency get the"
        " letter when it presses “Relay”. Turn it off to send to every agency directly."
    ),
    "broadcast.relay_hint_off": (
        "\n\n🔁 Relaying is off: “All” is every agency, units under others included; nobody"
        " can relay it."
    ),
    "broadcast.relay_on": "\n🔁 Agencies with units under them get a “Relay” button.",
    "broadcast.relay_off": "\n🔁 Relaying is not allowed.",
    "broadcast.relay_turned_on": "Relaying turned on.",
    "broadcast.relay_turned_off": "Relaying turned off.",
    "reminder.relay": (
        "🔁 <b>Reminder to relay</b>: Letter <b>{number}</b> {subject} —"
        " <b>{agency}</b> received it but has not relayed it to its units.{deadline}\n"
        "Press <b>🔁 Relay</b> below."
    ),
    "status.relay_header": (
        "🔁 <b>Relayed</b> — whole tree {units} units: reached {reached}, acknowledged"
        " <b>{acknowledged}</b> ({acknowledged_pct}), completed <b>{completed}</b>"
        " ({completed_pct}), overdue {overdue}"
    ),
    "status.relay_line": (
        "{indent}↳ <b>{name}</b> relayed at {at} (ID {id}): {units} units, acknowledged"
        " {acknowledged} ({acknowledged_pct}), completed {completed}, overdue {overdue}"
    ),
    "status.relay_line_waiting": ", not relayed yet {count}",
    "status.relay_more": "… and {count} more relays: see /report {id}",
    "status.relay_waiting": (
        "⏳ Not relayed yet: {count} agencies with units under them were sent the letter and"
        " have not relayed it."
    ),
    "xlsx.sheet.relay": "Relays",
    "xlsx.relay.whole_tree": "Whole tree (this letter and every level below)",
    "xlsx.relay.depth": "Level",
    "xlsx.relay.relay_code": "Agency code",
    "xlsx.relay.relay_name": "Relay",
    "xlsx.relay.number": "Letter number",
    "xlsx.relay.directive_id": "Letter ID",
    "xlsx.relay.relayed_at": "Relayed at",
    "xlsx.relay.units": "Units",
    "xlsx.relay.reached": "Reached",
    "xlsx.relay.acknowledged": "Acknowledged",
    "xlsx.relay.completed": "Completed",
    "xlsx.relay.overdue": "Overdue",
    "xlsx.relay.waiting": "Not relayed yet",
    "help.relay": (
        "\n\n<b>Relaying</b> (agencies with units under them)\n"
        "• Press <b>🔁 Relay</b> under a letter (or send /relay ID) to pass it to your units.\n"
        "• /status, /pending, /remind, /report, /close: on the letters your agency relayed."
    ),
    # --- the staff dashboard (issue 14) ---
    "web.title": "Letters dashboard",
    "web.nav.letters": "Letters",
    "web.nav.roster": "Roster",
    "web.nav.logout": "Sign out",
    "web.refused.title": "Access denied",
    "web.refused.body": (
        "This request was refused. Department staff send /web to the bot in Telegram for a new "
        "sign-in link."
    ),
    "web.sign_in.working": "Signing in…",
    "web.sign_in.how": (
        "To sign in: in Telegram, send /web to the bot for a link (one use, 5 minutes), or "
        "/dashboard to open the dashboard inside Telegram."
    ),
    "web.signed_in.title": "Signed in",
    "web.signed_in.open": "Open the dashboard",
    "web.letters.title": "Letters sent",
    "web.letters.none": "No letter has been sent yet.",
    "web.col.number": "Number",
    "web.col.subject": "Subject",
    "web.col.date": "Date",
    "web.col.sender": "Sender",
    "web.col.acknowledged": "Acknowledged",
    "web.col.completed": "Completed",
    "web.col.overdue": "Overdue",
    "web.col.state": "State",
    "web.letter_state.queued": "Queued",
    "web.letter_state.sending": "Sending",
    "web.letter_state.sent": "Open",
    "web.letter_state.closed": "Closed",
    "web.letter_state.recalled": "Recalled",
    "web.deadline": "due {date}",
    "web.count.total": "Agencies",
    "web.count.sent": "Reached",
    "web.count.acknowledged": "Acknowledged",
    "web.count.completed": "Completed",
    "web.count.overdue": "Overdue",
    "web.count.failed": "Failed",
    "web.count.rejected": "Sent back",
    "web.action.remind": "Remind now",
    "web.action.close": "Close the letter",
    "web.action.events": "Event log",
    "web.action.mark": "Mark",
    "web.action.verify": "Check evidence again",
    "web.action.invite": "Create invite link",
    "web.downloads": "Download:",
    "web.chart": "Chart",
    "web.rollup.title": "Relayed down the tree",
    "web.rollup.whole": (
        "Whole tree: {units} units, reached {reached}, acknowledged {acknowledged}, completed "
        "{completed}, overdue {overdue}, not relayed yet {waiting}."
    ),
    "web.col.relay": "Relay",
    "web.col.units": "Units",
    "web.agencies.title": "Recipients ({count})",
    "web.filter.status": "Status",
    "web.filter.any": "All",
    "web.filter.group": "Group",
    "web.filter.under": "Under (code)",
    "web.filter.search": "Search name or code",
    "web.filter.apply": "Filter",
    "web.status.pending": "Queued",
    "web.status.sent": "Sent",
    "web.status.acknowledged": "Acknowledged",
    "web.status.completed": "Completed",
    "web.status.failed": "Failed",
    "web.status.rejected": "Sent back",
    "web.sort.code": "Code",
    "web.sort.name": "Agency",
    "web.sort.group": "Group",
    "web.sort.status": "Status",
    "web.col.contacts": "Contacts",
    "web.col.acknowledged_by": "Who, when",
    "web.col.evidence": "Evidence",
    "web.col.reminders": "Reminders",
    "web.col.reason": "Reason",
    "web.col.actions": "Actions",
    "web.contact.blocked": "blocked the bot",
    "web.contact.left": "left",
    "web.by_staff": "Department staff",
    "web.by_hand": "by hand",
    "web.verdict.pending": "checking",
    "web.verdict.verified": "✓ verified",
    "web.verdict.unverified": "✗ unverified",
    "web.mark.status": "Mark as",
    "web.mark.reason": "Reason",
    "web.mark.submit": "Mark {code}",
    "web.pages": "Pages",
    "web.page.prev": "← Previous",
    "web.page.next": "Next →",
    "web.page.of": "Page {page} of {pages}",
    "web.events.title": "Letter's event log",
    "web.col.when": "When",
    "web.col.who": "Who",
    "web.col.agency": "Agency",
    "web.col.what": "What",
    "web.roster.title": "Roster ({count})",
    "web.col.parent": "Under",
    "web.roster.no_contact": "no contact yet",
    "web.invite.title": "Invite link for {agency}",
    "web.invite.how": (
        "Scan the QR code or open the link in Telegram to join as a contact. Good for {uses} "
        "use(s), until {expires}."
    ),
    "web.invite.print": "Print",
    "web.close.title": "Close the letter",
    "web.link": (
        "🔐 Your dashboard sign-in link (one use, within {minutes} minutes):\n{link}\nDo not "
        "forward it to anyone."
    ),
    "web.dashboard.no_https": (
        "The dashboard inside Telegram needs an https address ([web] public_url). Send /web for "
        "a sign-in link for a browser."
    ),
    "web.dashboard.button": "📊 Open the dashboard",
    "web.dashboard.open": "Press the button below to open the dashboard inside Telegram.",
    "event.web.signed_in.link": "Signed in to the dashboard with a /web link",
    "event.web.signed_in.miniapp": "Signed in to the dashboard inside Telegram (Mini App)",
    "event.web.refused.link": "Refused a dashboard sign-in: the link was used, expired or wrong",
    "event.web.refused.not_staff": "Refused a dashboard sign-in: not Department staff",
    "event.web.refused.init_data": (
        "Refused a Mini App sign-in: forged, stale or malformed Telegram data"
    ),
    "event.web.refused.csrf": "Refused a dashboard action: missing or wrong CSRF token",
    "event.web.refused.no_session": "Refused a dashboard action: not signed in",
    "cmd.dashboard": "Open the dashboard inside Telegram",
    "cmd.web": "Get a sign-in link for the dashboard",
    # Revocation and small leaks (issue 12)
    "cmd.contacts": "An agency's contacts (see, remove)",
    "contacts.usage": (
        "Usage: <code>/contacts AGENCY_CODE</code> — see an agency's contacts; press «Remove»"
        " for one who moved on."
    ),
    "contacts.unknown": "No agency with code {code}.",
    "contacts.none": "{agency} ({code}) has no contacts yet.",
    "contacts.header": "👥 Contacts of <b>{agency}</b> ({code}):",
    "contacts.row": "• {name} — ID <code>{user_id}</code>, {role}, {status}",
    "contacts.status.active": "receiving letters",
    "contacts.status.blocked": "blocked the bot",
    "contacts.status.left": "removed",
    "contacts.remove_button": "Remove {name}",
    "contacts.removed": "Removed {name}: no more letters, no more answers.",
    "contacts.already": "This contact was removed already.",
    "callback.refused_any": (
        "This button is not for you, or the letter is no longer open: nothing changed."
    ),
    "event.contact.removed": "Contact {name} removed (ID {user_id})",
    "event.invite.revoked": "Invite link revoked",
    "event.agency.deactivated": "Agency {code} deactivated: no more letters",
    "event.agency.activated": "Agency {code} active again",
    "event.callback.malformed": "Ignored a button press with malformed data",
    # hostile input
    "evidence.unreachable": "the page could not be reached",
    "evidence.over_quota": "not checked: over {count} pages in 24 hours",
    "mark.bad_status": 'Not a status one can set by hand: only "acknowledged" or "completed".',
}
