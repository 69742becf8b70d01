"""Vietnamese texts (the default language). Placeholders are escaped by bot.texts.t."""

TEXTS: dict[str, str] = {
    # Roles and statuses shown to users
    "role.primary": "đầu mối chính",
    "role.backup": "đầu mối dự phòng",
    "role.head": "lãnh đạo đơn vị",
    "role.admin": "quản trị viên",
    "role.operator": "cán bộ điều hành",
    # /start
    "start.how_to_join": (
        "Xin chào! Đây là hệ thống gửi công văn của <b>Sở Thông tin và Truyền thông</b>.\n\n"
        "Để nhận công văn, hãy mở <b>đường link mời</b> mà Sở gửi cho đơn vị của bạn "
        "(dạng https://t.me/…?start=…). Nếu chưa có, vui lòng liên hệ Sở để được cấp."
    ),
    "start.staff": ("Xin chào {name}! Bạn là {role} của hệ thống. Gõ /help để xem các lệnh."),
    "start.welcome": (
        "Chào mừng {name}! Bạn đã được đăng ký là {role} của <b>{agency}</b>.\n\n"
        "Từ nay, công văn của Sở gửi đơn vị sẽ đến đây. Khi nhận được, hãy bấm "
        "<b>Đã nhận</b>; khi đã thực hiện xong, bấm <b>Báo cáo kết quả</b>."
    ),
    "start.welcome_back": (
        "Chào mừng {name} trở lại! Bạn tiếp tục nhận công văn cho <b>{agency}</b>."
    ),
    "start.already_member": "Bạn đã là {role} của <b>{agency}</b>. Không cần đăng ký lại.",
    "start.other_agency": (
        "Tài khoản này đã được đăng ký cho <b>{agency}</b>. Mỗi tài khoản Telegram chỉ nhận "
        "công văn cho một đơn vị; nếu bạn chuyển công tác, vui lòng liên hệ Sở."
    ),
    "invite.invalid": (
        "Đường link mời không hợp lệ. Vui lòng kiểm tra lại đường link (có thể bị thiếu "
        "ký tự khi sao chép) hoặc liên hệ Sở để được cấp link mới."
    ),
    "invite.used_up": (
        "Đường link mời này đã được sử dụng hết số lượt cho phép. "
        "Vui lòng liên hệ Sở để được cấp link mới."
    ),
    "invite.expired": (
        "Đường link mời này đã hết hạn (hết hạn lúc {expired_at}). "
        "Vui lòng liên hệ Sở để được cấp link mới."
    ),
    "invite.agency_inactive": (
        "Đơn vị <b>{agency}</b> hiện không còn trong danh sách nhận công văn. Vui lòng liên hệ Sở."
    ),
    # /help
    "help.stranger": (
        "<b>Hướng dẫn</b>\n"
        "Để nhận công văn, hãy mở đường link mời mà Sở gửi cho đơn vị của bạn.\n\n"
        "/whoami — xem tài khoản của bạn\n"
        "/lang — đổi ngôn ngữ (Tiếng Việt / English)\n"
        "/help — hướng dẫn"
    ),
    "help.contact": (
        "<b>Hướng dẫn cho cán bộ đầu mối</b>\n"
        "Công văn của Sở gửi <b>{agency}</b> sẽ đến trong cuộc trò chuyện này.\n"
        "• Bấm <b>Đã nhận</b> khi đã nhận công văn.\n"
        "• Bấm <b>Báo cáo kết quả</b> khi đã thực hiện, kèm đường link minh chứng.\n"
        "• Bấm <b>Xin gia hạn</b> nếu cần thêm thời gian, <b>Không thuộc thẩm quyền</b> nếu "
        "việc này không phải của đơn vị.\n"
        "Nếu chưa bấm, hệ thống sẽ nhắc trong giờ hành chính.\n\n"
        "/viec — các công văn đơn vị còn phải xử lý\n"
        "/whoami — đơn vị và vai trò của bạn\n"
        "/lang — đổi ngôn ngữ (Tiếng Việt / English)\n"
        "/help — hướng dẫn"
    ),
    "help.staff": (
        "<b>Lệnh dành cho cán bộ Sở</b>\n"
        "/broadcast — soạn và gửi công văn: gõ nội dung sau lệnh (dòng đầu là trích yếu, "
        "dòng «Số: …» là số công văn; có thể thêm dòng «Độ khẩn: Khẩn», «Hạn: 28/11/2026», "
        "«Nhắc lại: 2h»), hoặc trả lời một tin nhắn hay tệp PDF bằng lệnh này\n"
        "/mark ID MÃ acknowledged|completed LÝ DO — cập nhật trạng thái thủ công "
        "(vd. đã xác nhận qua điện thoại)\n"
        "/verify ID MÃ — kiểm tra lại đường link minh chứng của đơn vị\n"
        "/remind ID — nhắc ngay các đơn vị chưa xác nhận; /remind ID pause|resume — tạm dừng "
        "hoặc tiếp tục nhắc tự động\n"
        "/close ID — đóng công văn khi đã xong đợt (thôi nhắc, thôi nhận trả lời)\n"
        "/recall ID LÝ DO — thu hồi công văn gửi nhầm (sau khi xác nhận)\n"
        "/correct ID NỘI DUNG — gửi đính chính công văn đến mọi đơn vị nhận\n"
        "/deadline ID MÃ NGÀY LÝ DO — đặt hạn riêng cho một đơn vị\n"
        "/invite MÃ — tạo đường link mời cho đơn vị\n"
        "/agencies — danh sách đơn vị\n"
        "/staff — quản lý cán bộ Sở (quản trị viên)\n"
        "/whoami, /lang, /help"
    ),
    # /whoami
    "whoami.contact": (
        "Bạn là {role} của <b>{agency}</b> (mã {code}).\n"
        "Mã Telegram của bạn: <code>{user_id}</code>"
    ),
    "whoami.contact_blocked": (
        "Bạn đã đăng ký cho <b>{agency}</b> nhưng đang tạm ngừng nhận công văn. "
        "Gõ /start để nhận lại."
    ),
    "whoami.staff": "Bạn là {role} của Sở.\nMã Telegram của bạn: <code>{user_id}</code>",
    "whoami.stranger": (
        "Bạn chưa đăng ký nhận công văn cho đơn vị nào.\n"
        "Mã Telegram của bạn: <code>{user_id}</code>"
    ),
    # /lang
    "lang.choose": "Chọn ngôn ngữ / Choose your language:",
    "lang.set": "Đã chuyển sang Tiếng Việt.",
    "lang.unknown": "Ngôn ngữ không hỗ trợ: {value}. Chọn vi hoặc en.",
    # Staff guard
    "staff.only": "Lệnh này chỉ dành cho cán bộ Sở Thông tin và Truyền thông.",
    "staff.admin_only": "Lệnh này chỉ dành cho quản trị viên.",
    # /staff
    "staff.usage": (
        "Cách dùng:\n/staff add MÃ_TELEGRAM operator — thêm cán bộ điều hành\n"
        "/staff remove MÃ_TELEGRAM — xóa\n/staff list — danh sách"
    ),
    "staff.bad_user_id": "Mã Telegram phải là một số, ví dụ 123456789. Bạn gõ: {value}",
    "staff.bad_role": "Vai trò không hợp lệ: {value}. Chỉ có thể thêm: operator hoặc admin.",
    "staff.added": "Đã thêm {user_id} làm {role}.",
    "staff.removed": "Đã xóa {user_id} khỏi danh sách cán bộ Sở.",
    "staff.not_found": "{user_id} không có trong danh sách cán bộ Sở.",
    "staff.config_admin": (
        "{user_id} là quản trị viên khai báo trong tệp cấu hình; chỉ có thể xóa ở đó."
    ),
    "staff.list_header": "<b>Cán bộ Sở</b>",
    "staff.list_row": "• <code>{user_id}</code> {name} — {role}",
    # /invite
    "invite.usage": "Cách dùng: /invite MÃ_ĐƠN_VỊ, ví dụ /invite so-y-te",
    "invite.unknown_agency": "Không có đơn vị mã {code}. Gõ /agencies để xem danh sách mã.",
    "invite.created": (
        "Đường link mời cho <b>{agency}</b> ({uses} lượt, hết hạn {expires_at}):\n{link}\n\n"
        "Gửi đường link này cho cán bộ đầu mối của đơn vị."
    ),
    "invite.no_username": (
        "Không tạo được đường link: chưa biết tên bot. Hãy đặt telegram.username trong cấu hình."
    ),
    # /agencies
    "agencies.header": "<b>Danh sách đơn vị</b> ({count})",
    "agencies.row": "• <code>{code}</code> {name} — {contacts} đầu mối",
    "agencies.empty": (
        "Chưa có đơn vị nào. Nhập danh sách bằng lệnh: agency-bot agencies import FILE"
    ),
    "agencies.more": "… và {count} đơn vị khác (xem đầy đủ: agency-bot agencies list)",
    # Buttons of a directive message
    "button.ack": "✅ Đã nhận",
    "button.report": "📝 Báo cáo kết quả",
    "button.extension": "⏳ Xin gia hạn",
    "button.reject": "🚫 Không thuộc thẩm quyền",
    "callback.unknown": "Nút này không còn hiệu lực.",
    # /broadcast
    "broadcast.empty": (
        "Công văn chưa có nội dung. Gõ /broadcast rồi nội dung (dòng đầu là trích yếu, "
        "dòng «Số: …» là số công văn), hoặc trả lời một tin nhắn hay tệp PDF bằng /broadcast."
    ),
    "broadcast.invalid": "Công văn không hợp lệ. Kiểm tra lại nội dung.",
    "broadcast.bad_urgency": ("Dòng «Độ khẩn: …» không đọc được: dùng Thường, Khẩn hoặc Hỏa tốc."),
    "broadcast.bad_deadline": (
        "Dòng «Hạn: …» không đọc được: ghi ngày dạng 28/11/2026, trong các năm 2000–2100."
    ),
    "broadcast.bad_every": (
        "Dòng «Nhắc lại: …» không đọc được: ghi khoảng thời gian như 2h, 30m hoặc 1d, tối đa 90d."
    ),
    "broadcast.subject_too_long": "Dòng trích yếu (dòng đầu) quá dài: tối đa 500 ký tự.",
    "broadcast.body_too_long": "Nội dung công văn quá dài: tối đa 50.000 ký tự.",
    "broadcast.choose_recipients": (
        "Công văn số <b>{number}</b>\n{subject}\n\n"
        "Chọn nơi nhận: bấm «Tất cả», hoặc chọn các nhóm rồi bấm «Tiếp tục». Cũng có thể "
        "trả lời tin nhắn này bằng mã đơn vị hoặc nhóm, cách nhau bởi dấu cách."
    ),
    "broadcast.all_button": "📢 Tất cả đơn vị ({count})",
    "broadcast.group_button": "{mark} {group} ({count})",
    "broadcast.next_button": "Tiếp tục ▶",
    "broadcast.send_button": "📤 Gửi",
    "broadcast.cancel_button": "✖ Hủy",
    "broadcast.no_group": "Hãy chọn ít nhất một nhóm, hoặc bấm «Tất cả».",
    "broadcast.not_yours": "Bản nháp này không phải của bạn hoặc không còn tồn tại.",
    "broadcast.already_done": "Công văn này đã được gửi hoặc đã hủy.",
    "broadcast.unknown_targets": (
        "Không có nhóm hoặc đơn vị: {targets}. Kiểm tra lại mã (gõ /agencies). Chưa có gì thay đổi."
    ),
    "broadcast.nobody": "Không có đơn vị nào trong nơi nhận đã chọn. Chưa có gì được gửi.",
    "broadcast.preview_summary": (
        "👆 Bản xem trước, đúng như cán bộ đầu mối sẽ nhận.\n\n"
        "Công văn số <b>{number}</b> gửi đến: {targets}\n"
        "<b>{agencies}</b> đơn vị, {contacts} cán bộ đầu mối.\n"
        "Bấm «Gửi» để gửi, «Hủy» để bỏ."
    ),
    "broadcast.unreachable_note": (
        "\n⚠️ {count} đơn vị chưa có cán bộ đầu mối: sẽ ghi nhận là không gửi được."
    ),
    "broadcast.preview_press": "Đây là bản xem trước: nút này hoạt động khi đơn vị nhận công văn.",
    "broadcast.queued": (
        "📤 Công văn số <b>{number}</b> đã vào hàng đợi: {messages} tin nhắn đến "
        "{agencies} đơn vị. Đang gửi…"
    ),
    "broadcast.progress": (
        "📤 Đang gửi công văn số <b>{number}</b>: đã gửi {sent}/{total} tin nhắn (lỗi: {failed})…"
    ),
    "broadcast.done": (
        "✅ Đã gửi xong công văn số <b>{number}</b>: {sent}/{total} tin nhắn đã đến nơi, "
        "{failed} lỗi."
    ),
    "broadcast.failures": "Không gửi được đến {count} đơn vị:",
    "broadcast.failure_row": "• {reason}: {count} đơn vị ({names})",
    "broadcast.and_more": " và {count} đơn vị khác",
    "broadcast.all_targets": "tất cả đơn vị",
    "broadcast.cancelled": "✖ Đã hủy công văn số {number}. Không có gì được gửi.",
    # Đã nhận
    "ack.recorded": "Đã ghi nhận: đơn vị đã nhận công văn. Cảm ơn!",
    "ack.stamp": "✅ Đã nhận bởi <b>{name}</b> lúc {at}",
    "ack.already": "Đơn vị đã xác nhận nhận công văn này (bởi {name} lúc {at}).",
    "ack.by_hand": "cán bộ Sở (thủ công)",
    "ack.refused": (
        "Bạn không phải cán bộ đầu mối của đơn vị nhận công văn này, nên không thể xác nhận."
    ),
    "ack.gone": "Công văn này không còn mở để xác nhận.",
    "ack.rejected": "Đơn vị đã báo công văn này không thuộc thẩm quyền; không cần xác nhận.",
    "ack.recalled": "Công văn này đã được Sở thu hồi: đơn vị không cần thực hiện.",
    # /mark
    "mark.usage": (
        "Cách dùng: /mark ID MÃ_ĐƠN_VỊ acknowledged|completed LÝ DO\n"
        "Ví dụ: /mark 12 so-y-te acknowledged đã xác nhận qua điện thoại"
    ),
    "mark.no_reason": "Cần ghi lý do, ví dụ: đã xác nhận qua điện thoại.",
    "mark.reason_too_long": "Lý do quá dài: tối đa 500 ký tự.",
    "mark.unknown_directive": "Không có công văn ID {id}.",
    "mark.not_a_recipient": "Đơn vị {code} không nằm trong nơi nhận của công văn ID {id}.",
    "mark.status.acknowledged": "đã nhận",
    "mark.status.completed": "đã hoàn thành",
    "mark.done": (
        "Đã cập nhật thủ công: {code} {status} công văn ID {id} (lý do: {reason}). "
        "Đơn vị sẽ không bị nhắc về việc này nữa."
    ),
    # Báo cáo kết quả
    "completion.ask": (
        "📝 <b>Báo cáo kết quả</b> công văn số <b>{number}</b>\n{subject}\n\n"
        "Gửi đường link trang thông tin điện tử nơi đơn vị đã đăng tải, hoặc nội dung, ảnh, "
        "tệp minh chứng (có thể gửi nhiều tin). Xong thì bấm «Xác nhận báo cáo». "
        "Phiên báo cáo tự kết thúc sau {minutes} phút."
    ),
    "completion.replaced": "Phiên báo cáo công văn số {number} chưa xác nhận đã được bỏ.",
    "completion.confirm_button": "✅ Xác nhận báo cáo",
    "completion.cancel_button": "✖ Hủy",
    "completion.added": (
        "Đã nhận {count} minh chứng cho công văn số <b>{number}</b>. Gửi thêm, "
        "hoặc bấm «Xác nhận báo cáo»."
    ),
    "completion.too_many": "Công văn số {number}: đã đủ 20 minh chứng, hãy bấm «Xác nhận báo cáo».",
    "completion.empty": (
        "Chưa có minh chứng nào cho công văn số {number}: hãy gửi đường link trước."
    ),
    "completion.no_session": (
        "Phiên báo cáo này đã kết thúc. Bấm «Báo cáo kết quả» dưới công văn để bắt đầu lại."
    ),
    "completion.refused": (
        "Bạn không phải cán bộ đầu mối của đơn vị nhận công văn này, nên không thể báo cáo."
    ),
    "completion.gone": "Công văn này không còn mở để báo cáo.",
    "completion.done": (
        "✅ Đã ghi nhận báo cáo kết quả công văn số <b>{number}</b> ({count} minh chứng)."
    ),
    "completion.done_checking": (
        "✅ Đã ghi nhận báo cáo kết quả công văn số <b>{number}</b> ({count} minh chứng). "
        "Hệ thống đang kiểm tra đường link, kết quả sẽ báo ngay sau đây."
    ),
    "completion.cancelled": "Đã hủy phiên báo cáo. Chưa có gì được ghi nhận.",
    "completion.expired": (
        "⏰ Phiên báo cáo công văn số {number} đã hết thời gian và chưa được ghi nhận. "
        "Bấm lại «Báo cáo kết quả» dưới công văn để báo cáo."
    ),
    "completion.verified": (
        "🔎 {url}\n✅ Đã tìm thấy đường link của công văn số {number} trên trang này."
    ),
    "completion.unverified": (
        "🔎 {url}\n⚠️ Chưa xác minh được (công văn số {number}): {reason}. Báo cáo vẫn được "
        "ghi nhận; Sở có thể kiểm tra lại."
    ),
    # Notices to staff
    "notice.all_acknowledged": (
        "🎉 Tất cả {count} đơn vị nhận được công văn số <b>{number}</b> đã xác nhận «Đã nhận»."
    ),
    "notice.unverified": (
        "⚠️ <b>{agency}</b> báo cáo hoàn thành công văn số <b>{number}</b>, nhưng minh chứng "
        "chưa xác minh được: {reasons}"
    ),
    # /verify
    "verify.usage": "Cách dùng: /verify ID MÃ_ĐƠN_VỊ — kiểm tra lại đường link minh chứng",
    "verify.none": "Đơn vị {code} chưa gửi đường link minh chứng nào cho công văn ID {id}.",
    "verify.started": "Đang kiểm tra lại {count} đường link của {code} cho công văn ID {id}…",
    # Generic
    "error.generic": "Đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
    "error.unavailable": (
        "Hệ thống đang tạm gián đoạn, chưa ghi nhận được thao tác của bạn. "
        "Vui lòng thử lại sau ít phút."
    ),
    "unknown_command": "Không có lệnh này. Gõ /help để xem các lệnh.",
    # Command menu (setMyCommands)
    "cmd.start": "Bắt đầu / đăng ký bằng link mời",
    "cmd.help": "Hướng dẫn",
    "cmd.whoami": "Tài khoản và đơn vị của bạn",
    "cmd.lang": "Đổi ngôn ngữ",
    "cmd.broadcast": "Soạn và gửi công văn",
    "cmd.invite": "Tạo link mời cho đơn vị",
    "cmd.agencies": "Danh sách đơn vị",
    "cmd.mark": "Cập nhật trạng thái thủ công",
    "cmd.verify": "Kiểm tra lại minh chứng của đơn vị",
    "cmd.staff": "Quản lý cán bộ Sở",
    # A directive (công văn) as contacts receive it: bot/render.py
    "directive.urgency.khan": "🟠 <b>KHẨN</b>",
    "directive.urgency.hoa-toc": "🔴 <b>HỎA TỐC</b>",
    "directive.number": "<b>Số: {number}</b>",
    "directive.date": "Ngày {date}",
    "directive.subject_prefix": "<b>V/v </b>",
    "directive.deadline": "Hạn báo cáo: <b>{date}</b>",
    "directive.actions": "<b>Đề nghị thực hiện:</b>",
    "directive.links": "<b>Đường link:</b>",
    "directive.attachment_caption": (
        "📎 <b>Công văn số {number}</b> — tệp đính kèm. Nội dung công văn ở tin nhắn tiếp theo."
    ),
    "directive.continued": "<i>(tiếp theo, phần {part}/{total})</i>",
    # --- reminders (issue 5) ---
    "cmd.remind": "Nhắc ngay đơn vị chưa xác nhận; tạm dừng/tiếp tục nhắc",
    "reminder.ack": (
        "🔔 <b>Nhắc lần {round}</b>: Công văn số <b>{number}</b> {subject} đã gửi {ago} trước,"
        " <b>{agency}</b> chưa xác nhận đã nhận.{deadline}\n"
        "Vui lòng bấm <b>✅ Đã nhận</b> bên dưới."
    ),
    "reminder.ack.escalated": (
        "🔔 <b>Nhắc lần {round} — gửi cả lãnh đạo và đầu mối dự phòng</b>: Công văn số"
        " <b>{number}</b> {subject} đã gửi {ago} trước, <b>{agency}</b> vẫn chưa xác nhận"
        " đã nhận sau {previous} lần nhắc.{deadline}\n"
        "Đề nghị đơn vị bấm <b>✅ Đã nhận</b> bên dưới."
    ),
    "reminder.manual": (
        "🔔 <b>Sở nhắc</b>: Công văn số <b>{number}</b> {subject} đã gửi {ago} trước,"
        " <b>{agency}</b> chưa xác nhận đã nhận.{deadline}\n"
        "Vui lòng bấm <b>✅ Đã nhận</b> bên dưới."
    ),
    "reminder.completion": (
        "📝 <b>Nhắc báo cáo kết quả (lần {round})</b>: Công văn số <b>{number}</b> {subject}"
        " — <b>{agency}</b> đã nhận nhưng chưa báo cáo kết quả thực hiện.{deadline}\n"
        "Khi đã thực hiện, bấm <b>📝 Báo cáo kết quả</b> và gửi minh chứng."
    ),
    "reminder.completion.escalated": (
        "📝 <b>Nhắc báo cáo kết quả (lần {round}) — gửi cả lãnh đạo và đầu mối dự phòng</b>:"
        " Công văn số <b>{number}</b> {subject} — <b>{agency}</b> đã nhận nhưng vẫn chưa"
        " báo cáo kết quả sau {previous} lần nhắc.{deadline}\n"
        "Khi đã thực hiện, bấm <b>📝 Báo cáo kết quả</b> và gửi minh chứng."
    ),
    "reminder.deadline.left": "\nHạn: <b>{date}</b> (còn {days} ngày).",
    "reminder.deadline.today": "\nHạn: <b>{date}</b> (hôm nay là hạn cuối).",
    "reminder.deadline.overdue": "\nHạn: <b>{date}</b> (<b>quá hạn {days} ngày</b>).",
    "duration.minutes": "{n} phút",
    "duration.minute": "1 phút",
    "duration.hours": "{n} giờ",
    "duration.hour": "1 giờ",
    "duration.days": "{n} ngày",
    "duration.day": "1 ngày",
    "notice.unreachable": (
        "⚠️ Không nhắc được <b>{agency}</b> về công văn số {number}: đơn vị không còn đầu mối"
        " nào nhận được tin nhắn (đã chặn bot hoặc rời nhóm). Đề nghị liên hệ trực tiếp."
    ),
    "digest.header": "📋 <b>Tổng hợp ngày {date}</b>: các đơn vị cần đôn đốc",
    "digest.directive": "<b>Công văn số {number}</b> (ID {id}) {subject}",
    "digest.deadline": "Hạn: {date}",
    "digest.overdue": "⏰ Quá hạn chưa báo cáo ({count}):",
    "digest.unacknowledged": "🔔 Chưa xác nhận đã nhận ({count}):",
    "digest.unreachable": "⚠️ Không liên lạc được ({count}):",
    "digest.group": "    • <i>{group}</i> ({count}): {names}",
    "digest.rejected": "↩️ Không thuộc thẩm quyền ({count}):",
    "digest.more": "{names} và {count} đơn vị khác",
    "remind.usage": (
        "Cách dùng: <code>/remind ID</code> nhắc ngay các đơn vị chưa xác nhận;"
        " <code>/remind ID pause</code> tạm dừng nhắc tự động;"
        " <code>/remind ID resume</code> tiếp tục."
    ),
    "remind.unknown": "Không có công văn ID {id} đang mở.",
    "remind.queued": (
        "🔔 Đã xếp nhắc {agencies} đơn vị chưa xác nhận công văn số {number}"
        " ({messages} tin nhắn, gửi theo giới hạn tốc độ của Telegram)."
    ),
    "remind.unreachable": "⚠️ {count} đơn vị không còn đầu mối nhận được tin: {names}",
    "remind.none": "Tất cả đơn vị đã xác nhận công văn số {number}: không cần nhắc.",
    "remind.paused": (
        "⏸ Đã tạm dừng nhắc tự động công văn số {number}."
        " Gõ <code>/remind {id} resume</code> để tiếp tục."
    ),
    "remind.resumed": (
        "▶️ Đã tiếp tục nhắc tự động công văn số {number}; lượt nhắc đã đến hạn sẽ được gửi một lần."
    ),
    "cmd.close": "Đóng công văn: thôi nhắc, thôi nhận trả lời",
    "close.usage": (
        "Cách dùng: <code>/close ID</code> — đóng công văn (thôi nhắc, thôi nhận trả lời)."
    ),
    "close.unknown": "Không có công văn ID {id} đang mở.",
    "close.confirm": (
        "Đóng công văn số <b>{number}</b> {subject}?\n"
        "Sau khi đóng: không nhắc nữa, các đơn vị không bấm Đã nhận hay báo cáo được nữa;"
        " báo cáo tổng kết vẫn xem được. Không mở lại được."
    ),
    "close.yes": "🔒 Đóng công văn",
    "close.no": "Không đóng",
    "close.kept": "Công văn vẫn mở.",
    "close.done": "🔒 Đã đóng công văn số <b>{number}</b>: không nhắc nữa.",
    # --- status and reports (issue 6) ---
    "cmd.status": "Tình hình nhận công văn",
    "cmd.pending": "Đơn vị chưa nhận công văn",
    "cmd.report": "Báo cáo tổng kết (Excel, biểu đồ)",
    "summary.duration.seconds": "{s} giây",
    "summary.duration.minutes": "{m} phút",
    "summary.duration.hours": "{h} giờ {m} phút",
    "summary.duration.days": "{d} ngày {h} giờ",
    "summary.status.pending": "chờ gửi",
    "summary.status.sent": "đã gửi",
    "summary.status.acknowledged": "đã nhận",
    "summary.status.completed": "hoàn thành",
    "summary.status.failed": "không gửi được",
    "summary.status.rejected": "không thuộc thẩm quyền",
    "summary.staff_unnamed": "cán bộ Sở",
    "summary.unknown_directive": "Không có công văn ID {id}.",
    "status.usage": (
        "Cách dùng: /status [ID] — tình hình nhận công văn (không có ID: các công văn gần đây)"
    ),
    "status.none": "Chưa có công văn nào được gửi.",
    "status.recent": "<b>Công văn gần đây</b> — số đơn vị đã nhận / tổng số. Bấm để xem chi tiết:",
    "status.recent_button": "{number} · {acknowledged}/{total} ({percent})",
    "status.card": (
        "📊 <b>Công văn số {number}</b> (ID {id})\n"
        "{subject}\n"
        "Đã gửi: {since} · Hạn báo cáo: {deadline}\n\n"
        "Tổng số đơn vị: <b>{total}</b>\n"
        "📨 Đã gửi tới: {sent} ({sent_pct})\n"
        "✅ Đã nhận: <b>{acknowledged}</b> ({acknowledged_pct})\n"
        "🏁 Hoàn thành: <b>{completed}</b> ({completed_pct})\n"
        "    • minh chứng đã xác minh: {verified}\n"
        "    • minh chứng chưa xác minh: {unverified}\n"
        "❌ Không gửi được: {failed} ({failed_pct})\n"
        "↩️ Không thuộc thẩm quyền: {rejected} ({rejected_pct})\n"
        "⏰ Quá hạn: {overdue} ({overdue_pct})\n"
        "⏱ Thời gian nhận (trung vị): {median}\n\n"
        "{groups}"
        "Xuất báo cáo: /report {id}"
    ),
    "status.by_group": "<b>Theo nhóm</b> (đã nhận / số đơn vị):",
    "status.group_line": "• {group}: {acknowledged}/{total} ({percent}), hoàn thành {completed}",
    "status.more_groups": "• … và {count} nhóm khác",
    "status.since": "{ago} trước",
    "status.not_sent": "chưa gửi",
    "status.no_deadline": "không có",
    "status.no_median": "chưa có",
    "status.pending_button": "📋 Chưa nhận ({count})",
    "status.refresh_button": "🔄 Cập nhật",
    "status.refreshed": "Đã cập nhật.",
    "pending.usage": "Cách dùng: /pending ID — các đơn vị chưa bấm «Đã nhận», kèm cán bộ đầu mối",
    "pending.none": "✅ Công văn số <b>{number}</b>: tất cả đơn vị đã nhận.",
    "pending.header": (
        "📋 <b>Công văn số {number}</b>: {count} đơn vị chưa nhận (trang {page}/{pages})"
    ),
    "pending.agency": "<b>{index}. {name}</b> ({code})",
    "pending.failed": "    ❌ {reason}",
    "pending.contact": "    • {name} — {role}",
    "pending.contact_username": "    • {name} (@{username}) — {role}",
    "pending.no_contact": "    (chưa có cán bộ đầu mối đang hoạt động)",
    "pending.hint": "Bấm số thứ tự để cập nhật thủ công (kèm lý do).",
    "pending.previous": "◀ Trước",
    "pending.next": "Sau ▶",
    "pending.mark_acknowledged": "{index}. ✔ Đã nhận",
    "pending.mark_completed": "{index}. 🏁 Hoàn thành",
    "pending.ask_reason": (
        "✍️ Cập nhật thủ công: <b>{name}</b> ({code}) {status} công văn ID {id}.\n"
        "Hãy <b>trả lời tin nhắn này</b> bằng lý do (ví dụ: đã xác nhận qua điện thoại), "
        "hoặc gõ:\n/mark {id} {code} {status_code} LÝ DO"
    ),
    "pending.reply_below": "Hãy trả lời tin nhắn bên dưới bằng lý do.",
    "pending.gone": "Đơn vị này không còn trong nơi nhận của công văn.",
    "summary.usage": "Cách dùng: /report ID — báo cáo tổng kết (Excel và biểu đồ)",
    "summary.building": "⏳ Đang lập báo cáo công văn số <b>{number}</b> ({count} đơn vị)…",
    "summary.chart_caption": (
        "📈 Công văn số <b>{number}</b>: {acknowledged}/{total} đơn vị đã nhận, "
        "{completed} hoàn thành."
    ),
    "summary.workbook_caption": "📊 Báo cáo tổng kết công văn số <b>{number}</b> (Excel).",
    "summary.official_caption": (
        "📄 Báo cáo kết quả triển khai Công văn số <b>{number}</b> (Word, theo Nghị định"
        " 30/2020/NĐ-CP): kiểm tra, ghi số và trình ký."
    ),
    "xlsx.sheet.summary": "Tổng hợp",
    "xlsx.sheet.agencies": "Đơn vị",
    "xlsx.sheet.events": "Nhật ký",
    "xlsx.title": "BÁO CÁO TỔNG KẾT",
    "xlsx.fact.id": "ID công văn",
    "xlsx.fact.number": "Số công văn",
    "xlsx.fact.subject": "Trích yếu",
    "xlsx.fact.issue_date": "Ngày ban hành",
    "xlsx.fact.deadline": "Hạn báo cáo",
    "xlsx.fact.first_sent": "Bắt đầu gửi",
    "xlsx.fact.generated": "Thời điểm lập báo cáo",
    "xlsx.fact.recalled_at": "ĐÃ THU HỒI lúc",
    "xlsx.fact.recall_reason": "Lý do thu hồi",
    "xlsx.fact.correction": "Đính chính",
    "xlsx.count.header": "Chỉ tiêu",
    "xlsx.count.agencies": "Số đơn vị",
    "xlsx.count.share": "Tỷ lệ",
    "xlsx.count.total": "Tổng số đơn vị nhận",
    "xlsx.count.sent": "Đã gửi tới",
    "xlsx.count.acknowledged": "Đã nhận (kể cả đã hoàn thành)",
    "xlsx.count.completed": "Hoàn thành",
    "xlsx.count.verified": "Hoàn thành, minh chứng đã xác minh",
    "xlsx.count.unverified": "Hoàn thành, minh chứng chưa xác minh",
    "xlsx.count.failed": "Không gửi được",
    "xlsx.count.rejected": "Không thuộc thẩm quyền",
    "xlsx.count.overdue": "Quá hạn",
    "xlsx.count.median": "Thời gian nhận (trung vị)",
    "xlsx.col.agency_code": "Mã đơn vị",
    "xlsx.col.agency_name": "Tên đơn vị",
    "xlsx.col.group": "Nhóm",
    "xlsx.col.status": "Trạng thái",
    "xlsx.col.acknowledged_at": "Thời điểm nhận",
    "xlsx.col.acknowledged_by": "Người xác nhận",
    "xlsx.col.completed_at": "Thời điểm hoàn thành",
    "xlsx.col.evidence": "Minh chứng",
    "xlsx.col.evidence_verified": "Xác minh",
    "xlsx.col.reminders_sent": "Số lần nhắc",
    "xlsx.col.failure_reason": "Lý do không gửi được",
    "xlsx.col.own_deadline": "Hạn riêng (gia hạn)",
    "xlsx.col.rejection_reason": "Lý do không thuộc thẩm quyền",
    "xlsx.event.at": "Thời điểm",
    "xlsx.event.kind": "Sự kiện",
    "xlsx.event.actor": "Người thực hiện",
    "xlsx.event.agency": "Đơn vị",
    "summary.verification.pending": "đang kiểm tra",
    "summary.verification.verified": "đã xác minh",
    "summary.verification.unverified": "chưa xác minh",
    "event.actor.bot": "Hệ thống (bot)",
    "event.actor.cli": "Dòng lệnh (agency-bot)",
    "event.actor.staff": "{name} (cán bộ Sở)",
    "event.actor.staff_id": "Cán bộ Sở (ID {id})",
    "event.actor.user": "{name}",
    "event.actor.user_id": "Người dùng Telegram (ID {id})",
    "event.channel.telegram": "qua Telegram",
    "event.channel.cli": "bằng dòng lệnh",
    "event.agencies.imported": "Nhập danh sách đơn vị từ {file}: {created} mới, {updated} cập nhật",
    "event.callback.gone": "Bấm nút trên tin nhắn không còn hiệu lực",
    "event.callback.refused": "Từ chối thao tác của người không phải cán bộ đầu mối của đơn vị",
    "event.contact.blocked": "Cán bộ đầu mối đã chặn bot",
    "event.contact.joined": "Cán bộ đầu mối tham gia ({role})",
    "event.contact.rejoined": "Cán bộ đầu mối tham gia lại",
    "event.delivery.acknowledged": "Xác nhận đã nhận",
    "event.delivery.completed": "Báo cáo kết quả: {evidence}",
    "event.delivery.failed": "Không gửi được: {reason}",
    "event.delivery.marked": "Đánh dấu «{status}» thủ công: {reason}",
    "event.directive.all_acknowledged": "Tất cả đơn vị nhận được tin đã xác nhận đã nhận",
    "event.directive.cancelled": "Hủy công văn (chưa gửi)",
    "event.directive.closed": "Đóng công văn",
    "event.directive.created": "Tạo công văn số {number}",
    "event.directive.queued": (
        "Gửi công văn tới {agencies} đơn vị ({messages} tin nhắn;"
        " {unreachable} đơn vị chưa có cán bộ đầu mối)"
    ),
    "event.evidence.checked.verified": "Minh chứng đã xác minh: {url}",
    "event.evidence.checked.unverified": "Minh chứng chưa xác minh: {url} ({reason})",
    "event.evidence.recheck_requested": "Yêu cầu kiểm tra lại minh chứng",
    "event.invite.created": "Tạo đường link mời ({uses} lượt)",
    "event.invite.rejected": "Từ chối đường link mời không hợp lệ",
    "event.message.failed": "Gửi tin nhắn không thành công: {reason}",
    "event.message.sent.directive": "Đã gửi công văn",
    "event.message.sent.reminder": "Đã gửi tin nhắc",
    "event.message.sent.notice": "Đã gửi thông báo",
    "event.reminder.queued.ack": "Nhắc xác nhận đã nhận, lần {round}",
    "event.reminder.queued.completion": "Nhắc báo cáo kết quả, lần {round}",
    "event.reminder.escalated": " (gửi cả lãnh đạo và đầu mối dự phòng)",
    "event.reminder.manual": "Nhắc ngay (/remind): {agencies} đơn vị",
    "event.reminder.unreachable": "Không nhắc được: đơn vị không còn cán bộ đầu mối nhận tin",
    "event.reminders.paused": "Tạm dừng nhắc tự động",
    "event.reminders.resumed": "Tiếp tục nhắc tự động",
    "event.report.exported": "Xuất báo cáo tổng kết ({format}, {channel})",
    "event.staff.added": "Thêm cán bộ Sở (ID {user_id}, {role})",
    "event.staff.digest": "Gửi bản tổng hợp hằng ngày cho cán bộ Sở",
    "event.staff.refused": "Từ chối lệnh chỉ dành cho cán bộ Sở",
    "event.deadline.set": "Đặt hạn riêng cho đơn vị: {deadline} ({reason})",
    "event.delivery.rejected": "Đơn vị báo công văn không thuộc thẩm quyền: {reason}",
    "event.delivery.retargeted": "Gửi công văn cho đơn vị khác, thay cho {instead_of}",
    "event.directive.corrected": "Gửi đính chính: {text}",
    "event.directive.recalled": "Thu hồi công văn: {reason}",
    "event.directive.relayed": "Chuyển tiếp xuống {agencies} đơn vị trực thuộc (số {number})",
    "event.relay.drafted": "Bắt đầu soạn văn bản chuyển tiếp",
    "event.relay.refused": "Không chuyển tiếp được: {reason}",
    "event.relay.reason.not_recipient": "đơn vị không nhận công văn này",
    "event.relay.reason.gone": "công văn đã đóng",
    "event.relay.reason.disabled": "công văn không cho phép chuyển tiếp",
    "event.relay.reason.no_units": "không có đơn vị trực thuộc",
    "event.relay.reason.already": "đã chuyển tiếp rồi",
    "event.relay.reason.late_deadline": "hạn muộn hơn hạn của Sở",
    "event.relay.reason.outside": "nơi nhận không thuộc đơn vị",
    "event.relay.reason.nobody": "không có đơn vị nào trong nơi nhận",
    "event.extension.requested": "Xin gia hạn đến {new_deadline}: {reason}",
    "event.extension.approved": "Đồng ý gia hạn đến {new_deadline}",
    "event.extension.refused": "Không đồng ý gia hạn đến {new_deadline}",
    "event.staff.removed": "Xóa cán bộ Sở (ID {user_id})",
    "docx.title": "Báo cáo kết quả triển khai Công văn số {number}",
    "docx.national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "docx.motto": "Độc lập - Tự do - Hạnh phúc",
    "docx.number": "Số:        /BC-{symbol}",
    "docx.place_date": "{place}, ngày {day} tháng {month} năm {year}",
    "docx.kind": "BÁO CÁO",
    "docx.subject": "Kết quả triển khai Công văn số {number} ngày {date} {about}",
    "docx.about": "về việc {text}",
    "docx.section.letter": "I. NỘI DUNG CÔNG VĂN",
    "docx.letter.sent": (
        "Ngày {date}, Công văn số {number} {about} (nơi nhận: {total} cơ quan, đơn vị) được"
        " gửi qua Telegram, kèm các nút «Đã nhận» và «Báo cáo kết quả» để đơn vị xác nhận"
        " đã nhận và báo cáo kết quả thực hiện kèm minh chứng."
    ),
    "docx.letter.actions": "Công văn đề nghị các cơ quan, đơn vị:",
    "docx.letter.links": (
        "Đường link cần đăng tải trên trang thông tin điện tử của đơn vị: {links}."
    ),
    "docx.letter.deadline": "Thời hạn báo cáo kết quả: ngày {date}.",
    "docx.letter.no_deadline": "Công văn không quy định thời hạn báo cáo kết quả.",
    "docx.section.results": "II. KẾT QUẢ TRIỂN KHAI",
    "docx.results.as_of": "Số liệu tính đến {hour} giờ {minute} ngày {date}:",
    "docx.results.received": (
        "1. Tiếp nhận: công văn đã được gửi tới {sent}/{total} cơ quan, đơn vị"
        " ({sent_pct}); {acknowledged} đơn vị đã xác nhận đã nhận ({acknowledged_pct})."
    ),
    "docx.results.failed": (
        "{failed} đơn vị chưa gửi được do chưa có cán bộ đầu mối đăng ký nhận công văn"
        " hoặc không liên lạc được."
    ),
    "docx.results.completed": (
        "2. Thực hiện: {completed} đơn vị đã báo cáo hoàn thành ({completed_pct}), trong"
        " đó {verified} đơn vị có minh chứng đã được xác minh (trang thông tin điện tử"
        " của đơn vị có đường link theo yêu cầu), {unverified} đơn vị có minh chứng chưa"
        " xác minh được."
    ),
    "docx.results.completed_other": (
        "{count} đơn vị báo cáo không kèm đường link hoặc được Sở xác nhận thủ công."
    ),
    "docx.results.overdue": (
        "3. Quá hạn: {overdue} đơn vị ({overdue_pct}) chưa hoàn thành khi đã hết thời hạn"
        " báo cáo (ngày {deadline})."
    ),
    "docx.results.not_yet_due": (
        "3. Thời hạn báo cáo (ngày {deadline}) chưa hết; chưa có đơn vị quá hạn."
    ),
    "docx.results.no_deadline": "3. Công văn không quy định thời hạn nên không có đơn vị quá hạn.",
    "docx.results.by_group": "Kết quả theo nhóm cơ quan, đơn vị:",
    "docx.relays.intro": (
        "4. Chuyển tiếp: {count} đơn vị đã chuyển tiếp công văn tới các đơn vị trực"
        " thuộc; kết quả của từng đơn vị và các đơn vị trực thuộc:"
    ),
    "docx.relays.none": (
        "4. Chuyển tiếp: chưa có đơn vị nào chuyển tiếp công văn tới các đơn vị trực thuộc."
    ),
    "docx.relays.not_yet": "chưa chuyển tiếp",
    "docx.section.not_done": "III. CÁC CƠ QUAN, ĐƠN VỊ CHƯA HOÀN THÀNH",
    "docx.not_done.intro": "Còn {count} cơ quan, đơn vị chưa hoàn thành:",
    "docx.not_done.none": "Tất cả các cơ quan, đơn vị đã hoàn thành.",
    "docx.table.no": "STT",
    "docx.table.group": "Nhóm cơ quan, đơn vị",
    "docx.table.units": "Số đơn vị",
    "docx.table.acknowledged": "Đã nhận",
    "docx.table.completed": "Hoàn thành",
    "docx.table.overdue": "Quá hạn",
    "docx.table.total": "Tổng cộng",
    "docx.table.relay": "Đơn vị chuyển tiếp",
    "docx.table.relayed_at": "Thời điểm chuyển tiếp",
    "docx.table.agency": "Tên cơ quan, đơn vị",
    "docx.table.state": "Tình hình thực hiện",
    "docx.table.acknowledged_at": "Thời điểm nhận",
    "docx.table.completed_at": "Thời điểm hoàn thành",
    "docx.table.evidence": "Minh chứng",
    "docx.table.note": "Ghi chú",
    "docx.band.sent": "Chưa xác nhận đã nhận: {count} đơn vị",
    "docx.band.acknowledged": "Đã nhận, chưa báo cáo kết quả: {count} đơn vị",
    "docx.band.failed": "Không gửi được: {count} đơn vị",
    "docx.band.rejected": "Báo không thuộc thẩm quyền: {count} đơn vị",
    "docx.band.pending": "Chưa gửi: {count} đơn vị",
    "docx.note.overdue": "quá hạn",
    "docx.note.reminded": "đã nhắc {count} lần",
    "docx.state.pending": "Chưa gửi",
    "docx.state.sent": "Chưa xác nhận đã nhận",
    "docx.state.acknowledged": "Đã nhận, chưa báo cáo kết quả",
    "docx.state.completed": "Hoàn thành",
    "docx.state.failed": "Không gửi được: {reason}",
    "docx.state.rejected": "Báo không thuộc thẩm quyền",
    "docx.state.overdue": " (quá hạn)",
    "docx.state.reminded": "; đã nhắc {count} lần",
    "docx.closing": "Trên đây là báo cáo kết quả triển khai Công văn số {number}./.",
    "docx.recipients": "Nơi nhận:",
    "docx.appendix.title": "Phụ lục",
    "docx.appendix.subject": "TÌNH HÌNH TIẾP NHẬN VÀ THỰC HIỆN CÔNG VĂN SỐ {number}",
    "docx.appendix.attached": "(Kèm theo Báo cáo số        /BC-{symbol} ngày {date})",
    "docx.evidence.verified": "(đã xác minh)",
    "docx.evidence.unverified": "(chưa xác minh)",
    "docx.by_hand": "Sở xác nhận thủ công: {reason}",
    "chart.title": "Công văn số {number} — {count} đơn vị",
    "chart.timeline": "Đã nhận và hoàn thành theo thời gian (cộng dồn)",
    "chart.acknowledged": "Đã nhận ({count})",
    "chart.completed": "Hoàn thành ({count})",
    "chart.agencies": "Số đơn vị",
    "chart.by_group": "Tỷ lệ đã nhận theo nhóm đơn vị",
    "chart.rate": "Tỷ lệ đã nhận (%)",
    "chart.delays": "Thời gian từ khi gửi đến khi nhận",
    "chart.hours": "Giờ",
    "chart.days": "Ngày",
    "chart.minutes": "Phút",
    "chart.seconds": "Giây",
    "chart.no_data": "Chưa có dữ liệu",
    # --- the officer's side of a letter (issue 15) ---
    "directive.lead": "📌 <b>Đơn vị thực hiện: mục {numbers}</b>",
    "directive.lead.none": "📌 <b>Gửi để biết</b> (không có mục nào giao cho đơn vị)",
    "directive.lead.preview": (
        "📌 <b>Bản xem trước</b>: mỗi đơn vị thấy đầy đủ các mục giao cho mình, "
        "các mục khác rút gọn một dòng"
    ),
    "directive.item.preview": "<b>{number}.</b> <i>({to})</i> ",
    "directive.item.mine": "👉 <b>{number}.</b> ",
    "directive.item.other": "▫️ {number}. ",
    "directive.item.to_all": "tất cả",
    "directive.item.to_others": "các đơn vị còn lại",
    "broadcast.bad_items": (
        "Dòng «Mục …» không đọc được: viết «Mục 1 (bao-dai, so-gddt): nội dung», các mục đánh số "
        "1, 2, 3… theo thứ tự; «còn lại» là các đơn vị chưa có mục nào, «không đăng link» nếu mục "
        "không yêu cầu đăng đường link."
    ),
    "broadcast.item_named": "mục {number} ({to})",
    "broadcast.items_nobody": (
        "⚠️ Không có đơn vị nhận nào thuộc {items}. Chọn lại nơi nhận hoặc soạn lại công văn. "
        "Chưa có gì được gửi."
    ),
    "broadcast.items_changed": (
        "Các mục của công văn không còn khớp với nơi nhận. Chọn lại nơi nhận. Chưa có gì được gửi."
    ),
    "broadcast.item_count": "mục {number}: {count} đơn vị",
    "broadcast.item_counts": "\nTheo mục: {counts}.",
    "cmd.viec": "Công văn đơn vị còn phải xử lý",
    "cmd.recall": "Thu hồi công văn gửi nhầm",
    "cmd.correct": "Gửi đính chính công văn",
    "cmd.deadline": "Đặt hạn riêng cho một đơn vị",
    "worklist.not_contact": (
        "Lệnh /viec dành cho cán bộ đầu mối của đơn vị: mở đường link mời mà Sở gửi để đăng ký."
    ),
    "worklist.none": "✅ <b>{agency}</b> không còn công văn nào cần xử lý.",
    "worklist.header": "📋 <b>Công văn {agency} cần xử lý</b> ({count}), hạn gần nhất trước:",
    "worklist.letter": "<b>{index}. Số {number}</b> {subject}\n    {status}",
    "worklist.unacknowledged": "⬜ chưa nhận",
    "worklist.acknowledged": "✅ đã nhận",
    "worklist.deadline": "hạn {date}",
    "worklist.extended": "hạn {date} (đã gia hạn)",
    "worklist.left": "còn {days} ngày",
    "worklist.today": "hôm nay là hạn cuối",
    "worklist.overdue": "⏰ <b>quá hạn {days} ngày</b>",
    "worklist.no_deadline": "không có hạn",
    "worklist.asked": "⏳ đã xin gia hạn",
    "worklist.more": "… và {count} công văn khác có hạn xa hơn.",
    "worklist.ack_button": "{index}. ✅ Đã nhận",
    "worklist.report_button": "{index}. 📝 Báo cáo",
    "worklist.extension_button": "{index}. ⏳ Gia hạn",
    "extension.no_deadline": "chưa có hạn",
    "extension.reply_below": "Hãy trả lời tin nhắn bên dưới bằng ngày mới và lý do.",
    "extension.ask_date": (
        "⏳ <b>Xin gia hạn</b> công văn số <b>{number}</b> {subject}\n"
        "Hạn hiện tại: {deadline}.\n"
        "Hãy <b>trả lời tin nhắn này</b> bằng ngày mới và lý do, ví dụ:\n"
        "<code>15/07/2026 chờ lãnh đạo đơn vị phê duyệt</code>"
    ),
    "extension.ask_reason": (
        "Ngày mới: <b>{new_deadline}</b>. Hãy <b>trả lời tin nhắn này</b> bằng lý do xin gia hạn."
    ),
    "extension.bad_date": (
        "Không đọc được ngày. Hãy trả lời bằng ngày dạng 15/07/2026 (năm 2000–2100), rồi lý "
        "do sau một dấu cách."
    ),
    "extension.sent": (
        "⏳ Đã gửi Sở đề nghị gia hạn công văn số <b>{number}</b> đến <b>{new_deadline}</b>. "
        "Sở sẽ trả lời tại đây."
    ),
    "extension.refused": (
        "Bạn không phải cán bộ đầu mối của đơn vị nhận công văn này, nên không thể xin gia hạn."
    ),
    "extension.gone": "Công văn này không còn mở.",
    "extension.recalled": "Công văn này đã được Sở thu hồi: đơn vị không cần thực hiện.",
    "extension.completed": "Đơn vị đã báo cáo kết quả công văn số {number}: không cần gia hạn.",
    "extension.rejected": "Đơn vị đã báo công văn số {number} không thuộc thẩm quyền.",
    "extension.waiting": (
        "Đơn vị đã xin gia hạn công văn số {number} đến {new_deadline}; đang chờ Sở trả lời."
    ),
    "extension.not_later": (
        "Ngày mới phải sau hạn hiện tại ({deadline}) và sau hôm nay. Hãy trả lời lại với ngày khác."
    ),
    "extension.too_far": "Ngày mới quá xa (tối đa một năm kể từ hôm nay). Hãy trả lời lại.",
    "extension.no_reason": "Cần ghi lý do xin gia hạn. Hãy trả lời lại kèm lý do.",
    "extension.reason_too_long": "Lý do quá dài: tối đa 500 ký tự. Hãy trả lời lại.",
    "extension.request": (
        "⏳ <b>{agency}</b> xin gia hạn công văn số <b>{number}</b> {subject}\n"
        "Hạn hiện tại: {deadline} → đề nghị: <b>{new_deadline}</b>\n"
        "Lý do: {reason}"
    ),
    "extension.y_button": "✅ Đồng ý",
    "extension.n_button": "✖ Từ chối",
    "extension.decision_approved": "Đã đồng ý gia hạn cho {agency} đến {new_deadline}.",
    "extension.decision_refused": "Đã từ chối gia hạn cho {agency}.",
    "extension.decision_answered": "Đề nghị này đã được trả lời trước đó.",
    "extension.decision_gone": "Công văn số {number} không còn mở: không thể gia hạn.",
    "extension.stamp_approved": "✅ Đã đồng ý bởi <b>{name}</b> lúc {at}",
    "extension.stamp_refused": "✖ Đã từ chối bởi <b>{name}</b> lúc {at}",
    "extension.told_approved": (
        "✅ Sở <b>đồng ý</b> gia hạn công văn số <b>{number}</b> {subject}: hạn mới của đơn vị "
        "là <b>{new_deadline}</b>."
    ),
    "extension.told_refused": (
        "✖ Sở <b>không đồng ý</b> gia hạn công văn số <b>{number}</b> {subject}: hạn vẫn là "
        "<b>{deadline}</b>."
    ),
    "deadline.usage": (
        "Cách dùng: /deadline ID MÃ_ĐƠN_VỊ NGÀY LÝ DO\n"
        "Ví dụ: /deadline 12 so-gddt 15/07/2026 chờ tổng hợp từ các trường"
    ),
    "deadline.no_reason": "Cần ghi lý do.",
    "deadline.reason_too_long": "Lý do quá dài: tối đa 500 ký tự.",
    "deadline.bad_date": "Ngày phải từ hôm nay đến tối đa một năm sau.",
    "deadline.unknown": "Không có công văn ID {id} đang mở.",
    "deadline.not_a_recipient": "Đơn vị {code} không nằm trong nơi nhận của công văn ID {id}.",
    "deadline.done": (
        "📅 Đã đặt hạn của <b>{agency}</b> ({code}) cho công văn số {number}: <b>{deadline}</b>. "
        "Đơn vị đã được báo."
    ),
    "deadline.told": (
        "📅 Sở điều chỉnh hạn của đơn vị cho công văn số <b>{number}</b> {subject}: "
        "<b>{deadline}</b>.\nLý do: {reason}"
    ),
    "reject.reply_below": "Hãy trả lời tin nhắn bên dưới bằng lý do.",
    "reject.ask": (
        "🚫 Công văn số <b>{number}</b> {subject} <b>không thuộc thẩm quyền</b> của đơn vị?\n"
        "Hãy <b>trả lời tin nhắn này</b> bằng lý do (ví dụ: việc này do Sở Y tế phụ trách). "
        "Sở sẽ được báo và đơn vị không bị nhắc về công văn này nữa."
    ),
    "reject.done": (
        "Đã báo Sở: công văn số <b>{number}</b> không thuộc thẩm quyền của đơn vị. "
        "Đơn vị sẽ không bị nhắc về công văn này nữa."
    ),
    "reject.refused": (
        "Bạn không phải cán bộ đầu mối của đơn vị nhận công văn này, nên không thể trả lời."
    ),
    "reject.gone": "Công văn này không còn mở.",
    "reject.recalled": "Công văn này đã được Sở thu hồi: đơn vị không cần thực hiện.",
    "reject.completed": "Đơn vị đã báo cáo kết quả công văn số {number}.",
    "reject.already": "Đơn vị đã báo công văn số {number} không thuộc thẩm quyền.",
    "reject.no_reason": "Cần ghi lý do. Hãy trả lời lại kèm lý do.",
    "reject.reason_too_long": "Lý do quá dài: tối đa 500 ký tự. Hãy trả lời lại.",
    "reject.notice": (
        "↩️ <b>{agency}</b> ({code}) báo công văn số <b>{number}</b> {subject} "
        "<b>không thuộc thẩm quyền</b>.\nLý do: {reason}\n"
        "Có thể gửi công văn cho đơn vị khác thay thế bằng nút bên dưới."
    ),
    "reject.retarget_button": "↪️ Gửi cho đơn vị khác",
    "retarget.reply_below": "Hãy trả lời tin nhắn bên dưới bằng mã đơn vị.",
    "retarget.ask": (
        "↪️ Gửi công văn số <b>{number}</b> cho đơn vị khác thay cho <b>{agency}</b>: "
        "hãy <b>trả lời tin nhắn này</b> bằng mã đơn vị (gõ /agencies để xem mã)."
    ),
    "retarget.gone": "Đơn vị này không còn ở trạng thái không thuộc thẩm quyền.",
    "retarget.closed": "Công văn không còn mở: không thể gửi thêm.",
    "retarget.unknown_agency": (
        "Không có đơn vị mã {code}. Hãy trả lời lại bằng mã đúng (gõ /agencies để xem)."
    ),
    "retarget.already": "Đơn vị {code} đã nằm trong nơi nhận. Hãy trả lời lại bằng mã khác.",
    "retarget.done": (
        "↪️ Đã gửi công văn số <b>{number}</b> cho <b>{agency}</b> thay cho {instead} "
        "({messages} cán bộ đầu mối)."
    ),
    "retarget.no_contact": (
        "↪️ Đã thêm <b>{agency}</b> vào nơi nhận công văn số <b>{number}</b> thay cho {instead}, "
        "nhưng đơn vị chưa có cán bộ đầu mối: hãy gửi đường link mời (/invite)."
    ),
    "recall.usage": (
        "Cách dùng: /recall ID LÝ DO — thu hồi công văn gửi nhầm\n"
        "Ví dụ: /recall 12 gửi nhầm nơi nhận"
    ),
    "recall.unknown": "Không có công văn ID {id}.",
    "recall.already": "Công văn ID {id} đã được thu hồi.",
    "recall.no_text": "Cần ghi lý do thu hồi.",
    "recall.too_long": "Lý do quá dài: tối đa 500 ký tự.",
    "recall.confirm": (
        "Thu hồi công văn số <b>{number}</b> {subject}?\nLý do: {reason}\n"
        "Mọi bản đã gửi sẽ được sửa thành «ĐÃ THU HỒI» và bỏ các nút; các tin chưa gửi sẽ hủy; "
        "không nhắc nữa. Không hoàn tác được."
    ),
    "recall.yes": "🚫 Thu hồi",
    "recall.no": "Không thu hồi",
    "recall.kept": "Công văn không bị thu hồi.",
    "recall.lost": "Không đọc được lệnh /recall ban đầu. Hãy gõ lại /recall ID LÝ DO.",
    "recall.done": (
        "🚫 Đã thu hồi công văn số <b>{number}</b>: {edits} bản đã gửi đang được sửa, "
        "{cancelled} tin chưa gửi đã hủy."
    ),
    "recall.copy": (
        "🚫 <b>ĐÃ THU HỒI</b>\nCông văn số <b>{number}</b> {subject} đã được Sở thu hồi lúc {at}."
        "\nLý do: {reason}\nĐề nghị đơn vị không thực hiện công văn này."
    ),
    "recall.copy_rest": "🚫 <b>ĐÃ THU HỒI</b> — công văn số {number}.",
    "correct.usage": (
        "Cách dùng: /correct ID NỘI DUNG — gửi đính chính đến mọi đơn vị nhận\n"
        "Ví dụ: /correct 12 hạn báo cáo là ngày 30/6, không phải 30/5"
    ),
    "correct.unknown": "Không có công văn ID {id}.",
    "correct.recalled": "Công văn ID {id} đã được thu hồi: không đính chính được.",
    "correct.no_text": "Cần ghi nội dung đính chính.",
    "correct.too_long": "Nội dung đính chính quá dài: tối đa 3.000 ký tự.",
    "correct.copy": "📝 <b>ĐÍNH CHÍNH</b> công văn số <b>{number}</b> {subject}:\n{text}",
    "correct.done": (
        "📝 Đã xếp gửi đính chính công văn số <b>{number}</b> đến {messages} bản đã gửi "
        "(theo giới hạn tốc độ của Telegram)."
    ),
    "status.recalled": "🚫 <b>ĐÃ THU HỒI</b> lúc {at}. Lý do: {reason}",
    "status.corrections": "📝 Đã đính chính {count} lần.",
    # --- relaying down the hierarchy (issue 13) ---
    "button.relay": "🔁 Chuyển tiếp ({count} đơn vị)",
    "relay.department": "Sở Thông tin và Truyền thông",
    "relay.about": "về việc {subject}",
    "relay.quote": (
        "Thực hiện Công văn số {number} của {issuer} ngày {date} {about}, {relay} chuyển tiếp"
        " công văn đến các đơn vị."
    ),
    "relay.original": "Nội dung Công văn số {number}:",
    "relay.not_recipient": "Đơn vị của bạn không nhận công văn này, nên không thể chuyển tiếp.",
    "relay.gone": "Công văn số {number} đã đóng: không chuyển tiếp được nữa.",
    "relay.disabled": "Công văn số {number} không cho phép chuyển tiếp.",
    "relay.no_units": "{agency} không có đơn vị trực thuộc nào để chuyển tiếp.",
    "relay.already": (
        "{agency} đã chuyển tiếp công văn này (công văn số {number}, ID {id}). "
        "Xem tình hình: /status {id}"
    ),
    "relay.late_deadline": (
        "Hạn {deadline} muộn hơn hạn của công văn gốc ({original}): hãy chọn hạn không muộn"
        " hơn {original}. Chưa có gì thay đổi."
    ),
    "relay.outside": (
        "Không thuộc các đơn vị trực thuộc: {targets}. Chỉ chuyển tiếp được đến các đơn vị"
        " cấp dưới của đơn vị mình. Chưa có gì thay đổi."
    ),
    "relay.nobody": "Không có đơn vị nào trong nơi nhận đã chọn. Chưa có gì được gửi.",
    "relay.queued": (
        "🔁 Công văn số <b>{number}</b> đã vào hàng đợi chuyển tiếp: {messages} tin nhắn đến"
        " {agencies} đơn vị. Đang gửi…"
    ),
    "relay.all_button": "📢 Tất cả đơn vị trực thuộc ({count})",
    "relay.details_button": "✍️ Số công văn, ghi chú, hạn",
    "relay.choose_recipients": (
        "🔁 <b>Chuyển tiếp</b> công văn số <b>{original}</b> (ID {original_id}) — <b>{relay}</b>\n"
        "Số công văn chuyển tiếp: <b>{number}</b> · Hạn: {deadline}\n"
        "Ghi chú: {note}\n\n"
        "Chọn nơi nhận: «Tất cả» là các đơn vị trực thuộc trực tiếp (đơn vị cấp dưới nữa nhận"
        " khi đơn vị chủ quản của họ chuyển tiếp), hoặc chọn nhóm rồi bấm «Tiếp tục», hoặc"
        " trả lời tin nhắn này bằng mã đơn vị (cả đơn vị cấp dưới nữa). Bấm ✍️ để ghi số công"
        " văn, ghi chú đặt trên công văn gốc và hạn."
    ),
    "relay.all_targets": "tất cả đơn vị trực thuộc",
    "relay.ask_details": (
        "✍️ Công văn chuyển tiếp số <b>{number}</b>.\n<b>Trả lời tin nhắn này</b>: dòng"
        " «Số: …» là số công văn của đơn vị, dòng «Hạn: dd/mm/yyyy» là hạn báo cáo (không"
        " muộn hơn {deadline}), phần còn lại là ghi chú đặt trên công văn gốc («-» để bỏ"
        " ghi chú)."
    ),
    "relay.press_refused": (
        "Bạn không phải cán bộ đầu mối của đơn vị nhận công văn này, nên không thể chuyển tiếp."
    ),
    "relay.press_gone": "Công văn này không còn mở để chuyển tiếp.",
    "relay.started": "Đã nhận. Hãy chọn nơi nhận để chuyển tiếp.",
    "relay.staff_hint": (
        "Cán bộ Sở chuyển tiếp thay đơn vị bằng lệnh: <code>agency-bot relay ID --as"
        " MÃ_ĐƠN_VỊ</code> (thêm --to, --number, --note, --deadline nếu cần)."
    ),
    "relay.contacts_only": "Lệnh này dành cho cán bộ đầu mối của đơn vị có đơn vị trực thuộc.",
    "relay.usage": (
        "Cách dùng: /relay ID — chuyển tiếp công văn ID đến các đơn vị trực thuộc. Có thể ghi"
        " thêm ở các dòng sau: «Số: …», «Hạn: dd/mm/yyyy» và ghi chú."
    ),
    "relay.bad_deadline": (
        "Dòng «Hạn: …» không đọc được: ghi ngày dạng 25/06/2020, trong các năm 2000–2100."
    ),
    "relay.note_too_long": "Ghi chú quá dài: tối đa 4.000 ký tự.",
    "relay.not_yours": "Bạn chỉ xem và quản lý được các công văn mà đơn vị mình đã chuyển tiếp.",
    "broadcast.relay_on_button": "🔁 Cho phép chuyển tiếp: bật",
    "broadcast.relay_off_button": "🔁 Cho phép chuyển tiếp: tắt",
    "broadcast.relay_hint_on": (
        "\n\n🔁 Chuyển tiếp đang bật: «Tất cả» là các đơn vị cấp trên cùng; đơn vị trực thuộc"
        " nhận công văn khi đơn vị chủ quản bấm «Chuyển tiếp». Tắt để gửi thẳng đến mọi đơn vị."
    ),
    "broadcast.relay_hint_off": (
        "\n\n🔁 Chuyển tiếp đang tắt: «Tất cả» là mọi đơn vị, kể cả đơn vị trực thuộc; không"
        " đơn vị nào chuyển tiếp được."
    ),
    "broadcast.relay_on": "\n🔁 Đơn vị có đơn vị trực thuộc sẽ có nút «Chuyển tiếp».",
    "broadcast.relay_off": "\n🔁 Không cho phép chuyển tiếp.",
    "broadcast.relay_turned_on": "Đã bật chuyển tiếp.",
    "broadcast.relay_turned_off": "Đã tắt chuyển tiếp.",
    "reminder.relay": (
        "🔁 <b>Nhắc chuyển tiếp</b>: Công văn số <b>{number}</b> {subject} —"
        " <b>{agency}</b> đã nhận nhưng chưa chuyển tiếp đến các đơn vị trực thuộc.{deadline}\n"
        "Bấm <b>🔁 Chuyển tiếp</b> bên dưới."
    ),
    "status.relay_header": (
        "🔁 <b>Chuyển tiếp</b> — cả cây {units} đơn vị: đã gửi tới {reached}, đã nhận"
        " <b>{acknowledged}</b> ({acknowledged_pct}), hoàn thành <b>{completed}</b>"
        " ({completed_pct}), quá hạn {overdue}"
    ),
    "status.relay_line": (
        "{indent}↳ <b>{name}</b> chuyển tiếp lúc {at} (ID {id}): {units} đơn vị, đã nhận"
        " {acknowledged} ({acknowledged_pct}), hoàn thành {completed}, quá hạn {overdue}"
    ),
    "status.relay_line_waiting": ", chưa chuyển tiếp {count}",
    "status.relay_more": "… và {count} đơn vị chuyển tiếp khác: xem /report {id}",
    "status.relay_waiting": (
        "⏳ Chưa chuyển tiếp: {count} đơn vị có đơn vị trực thuộc đã được gửi công văn nhưng"
        " chưa chuyển tiếp."
    ),
    "xlsx.sheet.relay": "Chuyển tiếp",
    "xlsx.relay.whole_tree": "Cả cây (công văn này và mọi cấp dưới)",
    "xlsx.relay.depth": "Cấp",
    "xlsx.relay.relay_code": "Mã đơn vị",
    "xlsx.relay.relay_name": "Đơn vị chuyển tiếp",
    "xlsx.relay.number": "Số công văn",
    "xlsx.relay.directive_id": "ID công văn",
    "xlsx.relay.relayed_at": "Thời điểm chuyển tiếp",
    "xlsx.relay.units": "Số đơn vị",
    "xlsx.relay.reached": "Đã gửi tới",
    "xlsx.relay.acknowledged": "Đã nhận",
    "xlsx.relay.completed": "Hoàn thành",
    "xlsx.relay.overdue": "Quá hạn",
    "xlsx.relay.waiting": "Chưa chuyển tiếp",
    "help.relay": (
        "\n\n<b>Chuyển tiếp</b> (đơn vị có đơn vị trực thuộc)\n"
        "• Bấm <b>🔁 Chuyển tiếp</b> dưới công văn (hoặc gõ /relay ID) để gửi công văn đến các"
        " đơn vị trực thuộc.\n"
        "• /status, /pending, /remind, /report, /close: với công văn đơn vị đã chuyển tiếp."
    ),
    # --- the staff dashboard (issue 14) ---
    "web.title": "Bảng điều khiển công văn",
    "web.nav.letters": "Công văn",
    "web.nav.roster": "Danh bạ đơn vị",
    "web.nav.logout": "Đăng xuất",
    "web.refused.title": "Không có quyền truy cập",
    "web.refused.body": (
        "Yêu cầu này bị từ chối. Cán bộ Sở gửi /web cho bot trong Telegram để nhận đường link "
        "đăng nhập mới."
    ),
    "web.sign_in.working": "Đang đăng nhập…",
    "web.sign_in.how": (
        "Để đăng nhập: trong Telegram, gửi /web cho bot để nhận đường link (dùng một lần, 5 "
        "phút), hoặc /dashboard để mở bảng điều khiển ngay trong Telegram."
    ),
    "web.signed_in.title": "Đã đăng nhập",
    "web.signed_in.open": "Mở bảng điều khiển",
    "web.letters.title": "Công văn đã gửi",
    "web.letters.none": "Chưa có công văn nào được gửi.",
    "web.col.number": "Số",
    "web.col.subject": "Trích yếu",
    "web.col.date": "Ngày",
    "web.col.sender": "Người gửi",
    "web.col.acknowledged": "Đã nhận",
    "web.col.completed": "Hoàn thành",
    "web.col.overdue": "Quá hạn",
    "web.col.state": "Trạng thái",
    "web.letter_state.queued": "Đang chờ gửi",
    "web.letter_state.sending": "Đang gửi",
    "web.letter_state.sent": "Đang mở",
    "web.letter_state.closed": "Đã đóng",
    "web.letter_state.recalled": "Đã thu hồi",
    "web.deadline": "hạn {date}",
    "web.count.total": "Đơn vị",
    "web.count.sent": "Đã gửi đến",
    "web.count.acknowledged": "Đã nhận",
    "web.count.completed": "Hoàn thành",
    "web.count.overdue": "Quá hạn",
    "web.count.failed": "Không gửi được",
    "web.count.rejected": "Trả lại",
    "web.action.remind": "Nhắc ngay",
    "web.action.close": "Đóng công văn",
    "web.action.events": "Nhật ký",
    "web.action.mark": "Đánh dấu",
    "web.action.verify": "Kiểm tra lại minh chứng",
    "web.action.invite": "Tạo link mời",
    "web.downloads": "Tải về:",
    "web.chart": "Biểu đồ",
    "web.rollup.title": "Chuyển tiếp xuống cấp dưới",
    "web.rollup.whole": (
        "Toàn cây: {units} đơn vị, đã đến {reached}, đã nhận {acknowledged}, hoàn thành "
        "{completed}, quá hạn {overdue}, chưa chuyển tiếp {waiting}."
    ),
    "web.col.relay": "Đơn vị chuyển tiếp",
    "web.col.units": "Đơn vị",
    "web.agencies.title": "Các đơn vị nhận ({count})",
    "web.filter.status": "Trạng thái",
    "web.filter.any": "Tất cả",
    "web.filter.group": "Nhóm",
    "web.filter.under": "Trực thuộc (mã)",
    "web.filter.search": "Tìm tên hoặc mã",
    "web.filter.apply": "Lọc",
    "web.status.pending": "Chờ gửi",
    "web.status.sent": "Đã gửi",
    "web.status.acknowledged": "Đã nhận",
    "web.status.completed": "Hoàn thành",
    "web.status.failed": "Không gửi được",
    "web.status.rejected": "Trả lại",
    "web.sort.code": "Mã",
    "web.sort.name": "Đơn vị",
    "web.sort.group": "Nhóm",
    "web.sort.status": "Trạng thái",
    "web.col.contacts": "Đầu mối",
    "web.col.acknowledged_by": "Ai nhận, lúc nào",
    "web.col.evidence": "Minh chứng",
    "web.col.reminders": "Lần nhắc",
    "web.col.reason": "Lý do",
    "web.col.actions": "Thao tác",
    "web.contact.blocked": "đã chặn bot",
    "web.contact.left": "đã rời",
    "web.by_staff": "Cán bộ Sở",
    "web.by_hand": "thủ công",
    "web.verdict.pending": "đang kiểm tra",
    "web.verdict.verified": "✓ đã xác minh",
    "web.verdict.unverified": "✗ chưa xác minh",
    "web.mark.status": "Đánh dấu là",
    "web.mark.reason": "Lý do",
    "web.mark.submit": "Đánh dấu {code}",
    "web.pages": "Trang",
    "web.page.prev": "← Trang trước",
    "web.page.next": "Trang sau →",
    "web.page.of": "Trang {page}/{pages}",
    "web.events.title": "Nhật ký công văn",
    "web.col.when": "Thời điểm",
    "web.col.who": "Ai",
    "web.col.agency": "Đơn vị",
    "web.col.what": "Việc",
    "web.roster.title": "Danh bạ đơn vị ({count})",
    "web.col.parent": "Trực thuộc",
    "web.roster.no_contact": "chưa có đầu mối",
    "web.invite.title": "Link mời cho {agency}",
    "web.invite.how": (
        "Quét mã QR hoặc mở link trong Telegram để đăng ký làm đầu mối. Dùng được {uses} lần, "
        "đến {expires}."
    ),
    "web.invite.print": "In",
    "web.close.title": "Đóng công văn",
    "web.link": (
        "🔐 Đường link đăng nhập bảng điều khiển (dùng một lần, trong {minutes} "
        "phút):\n{link}\nĐừng chuyển đường link này cho người khác."
    ),
    "web.dashboard.no_https": (
        "Bảng điều khiển trong Telegram cần địa chỉ https ([web] public_url). Gửi /web để nhận "
        "đường link đăng nhập bằng trình duyệt."
    ),
    "web.dashboard.button": "📊 Mở bảng điều khiển",
    "web.dashboard.open": "Bấm nút dưới đây để mở bảng điều khiển ngay trong Telegram.",
    "event.web.signed_in.link": "Đăng nhập bảng điều khiển bằng đường link /web",
    "event.web.signed_in.miniapp": "Đăng nhập bảng điều khiển trong Telegram (Mini App)",
    "event.web.refused.link": (
        "Từ chối đăng nhập bảng điều khiển: đường link đã dùng, hết hạn hoặc không đúng"
    ),
    "event.web.refused.not_staff": "Từ chối đăng nhập bảng điều khiển: không phải cán bộ Sở",
    "event.web.refused.init_data": (
        "Từ chối đăng nhập Mini App: dữ liệu Telegram giả mạo, quá cũ hoặc sai dạng"
    ),
    "event.web.refused.csrf": "Từ chối thao tác trên bảng điều khiển: thiếu hoặc sai mã CSRF",
    "event.web.refused.no_session": "Từ chối thao tác trên bảng điều khiển: chưa đăng nhập",
    "cmd.dashboard": "Mở bảng điều khiển trong Telegram",
    "cmd.web": "Nhận đường link đăng nhập bảng điều khiển",
    # Revocation and small leaks (issue 12)
    "cmd.contacts": "Cán bộ đầu mối của một đơn vị (xem, gỡ)",
    "contacts.usage": (
        "Cách dùng: <code>/contacts MÃ_ĐƠN_VỊ</code> — xem cán bộ đầu mối của đơn vị, bấm «Gỡ»"
        " để gỡ người đã chuyển công tác."
    ),
    "contacts.unknown": "Không có đơn vị mã {code}.",
    "contacts.none": "Đơn vị {agency} ({code}) chưa có cán bộ đầu mối nào.",
    "contacts.header": "👥 Cán bộ đầu mối của <b>{agency}</b> ({code}):",
    "contacts.row": "• {name} — ID <code>{user_id}</code>, {role}, {status}",
    "contacts.status.active": "đang nhận công văn",
    "contacts.status.blocked": "đã chặn bot",
    "contacts.status.left": "đã gỡ",
    "contacts.remove_button": "Gỡ {name}",
    "contacts.removed": "Đã gỡ {name}: không nhận công văn nữa, không thao tác được nữa.",
    "contacts.already": "Cán bộ này đã được gỡ trước đó.",
    "callback.refused_any": (
        "Nút này không dành cho bạn, hoặc công văn không còn mở: không có thay đổi nào."
    ),
    "event.contact.removed": "Gỡ cán bộ đầu mối {name} (ID {user_id})",
    "event.invite.revoked": "Thu hồi đường link mời",
    "event.agency.deactivated": "Ngừng gửi công văn cho đơn vị {code}",
    "event.agency.activated": "Gửi công văn lại cho đơn vị {code}",
    "event.callback.malformed": "Bỏ qua nút bấm có dữ liệu không hợp lệ",
    # hostile input
    "evidence.unreachable": "không truy cập được trang",
    "evidence.over_quota": "chưa kiểm tra, vì đã quá {count} trang trong 24 giờ",
    "mark.bad_status": "Trạng thái không hợp lệ: chỉ «đã nhận» hoặc «đã hoàn thành».",
}
