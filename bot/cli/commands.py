"""The `agency-bot` command line.

Every command accepts -c/--config and --json before or after the subcommand, exits 0 on
success and prints a one-line error (English) with a non-zero exit on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.cli.common import CommandError, database, print_result
from bot.config import ConfigError, Settings, load_settings, resolve_config_path
from bot.durations import parse_duration
from bot.logs import redact, setup_logging
from bot.onboarding.invites import UnknownAgencyError, create_invite, deep_link
from bot.onboarding.roster_file import RosterFileError
from bot.resilience import database_unavailable, describe
from bot.single_process import AlreadyRunningError, sqlite_file
from bot.telegram.request import AiohttpRequest
from db.models import ContactRole, utcnow

# PTB's InvalidToken repeats the token: this is said instead.
REFUSED_TOKEN_MESSAGE = (
    "Telegram refused telegram.token (or AGENCY_BOT_TOKEN): check it with @BotFather"  # noqa: S105
)


class SilentFailure(Exception):
    """The command printed why it failed already: exit 1 without another line."""


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On subcommands the defaults are suppressed so that a value given before the
    # subcommand is not overwritten by the subparser's default.
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "-c",
        "--config",
        default=default,
        metavar="PATH",
        help="config file (default: $AGENCY_BOT_CONFIG or ./config.toml)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="machine-readable output",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agency-bot",
        description="Send official letters to a province's agencies over Telegram and track them.",
    )
    _common_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, parent: Any = commands) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(
            name, help=help_text, description=help_text
        )
        _common_options(sub, top=False)
        return sub

    command("run", "run the bot (polling or webhook, per the config); migrates the database")
    demo = command("demo", "the whole story against the built-in sandbox: no token, no network")
    demo.add_argument("--officers", type=int, default=12, help="simulated officers who join")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="then keep the bot and its dashboard running until Ctrl-C",
    )

    command("doctor", "check the config, token, database, webhook, calendar and disk")

    db = command("db", "database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    command("upgrade", "apply the database migrations", db_commands)
    backup = command(
        "backup", "copy a SQLite database to FILE while the bot runs (online backup)", db_commands
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="a new file (never overwritten)")

    agencies = command("agencies", "the roster of agencies")
    agency_commands = agencies.add_subparsers(
        dest="agencies_command", required=True, metavar="ACTION"
    )
    import_ = command(
        "import", "import agencies from CSV or XLSX (code,name,group[,parent])", agency_commands
    )
    import_.add_argument("file", type=Path)
    listing = command("list", "list the agencies", agency_commands)
    listing.add_argument(
        "--tree", action="store_true", help="as the tree of the parent column, indented"
    )
    for action, help_text in (
        ("deactivate", "no more letters or reminders for an agency (its history stays)"),
        ("activate", "an agency deactivated before receives new letters again"),
    ):
        command(action, help_text, agency_commands).add_argument("code", help="agency code")

    contacts = command("contacts", "an agency's contacts (officers)")
    contact_commands = contacts.add_subparsers(
        dest="contacts_command", required=True, metavar="ACTION"
    )
    command("list", "list an agency's contacts", contact_commands).add_argument(
        "code", help="agency code"
    )
    remove = command(
        "remove",
        "remove a contact who left: no more letters, their presses and reports refused",
        contact_commands,
    )
    remove.add_argument("code", help="agency code")
    remove.add_argument("user_id", help="the contact's Telegram user id (see: contacts list)")

    broadcast = command("broadcast", "queue a directive from a TOML file; the running bot sends it")
    broadcast.add_argument("--file", type=Path, required=True, metavar="DIRECTIVE.toml")
    broadcast.add_argument(
        "--to", nargs="+", metavar="TARGET", help="all, groups or agency codes (overrides `to`)"
    )

    mark = command("mark", "set an agency's status for a directive by hand, with a reason")
    mark.add_argument("id", type=int, help="directive id (as printed by broadcast --json)")
    mark.add_argument("code", help="agency code")
    mark.add_argument("--status", required=True, choices=["acknowledged", "completed"])
    mark.add_argument("--reason", required=True, help="e.g. 'confirmed by phone'")

    recall = command(
        "recall",
        "recall a directive: its delivered copies are edited to say so, nothing more is sent",
    )
    recall.add_argument("id", type=int, help="directive id (as printed by broadcast --json)")
    recall.add_argument("--reason", required=True, help="why, shown on every copy")

    correct = command("correct", "send every recipient of a directive a correction")
    correct.add_argument("id", type=int, help="directive id (as printed by broadcast --json)")
    correct.add_argument("--text", required=True, help="the correction, quoted with the letter")

    report = command(
        "report",
        "a directive's summary report: per-agency status as a table, CSV, XLSX, PNG chart, "
        "or the official report (DOCX, PDF)",
    )
    report.add_argument("id", type=int, help="directive id (as printed by broadcast --json)")
    report.add_argument(
        "--format",
        choices=["text", "csv", "xlsx", "png", "docx", "pdf"],
        default="text",
        help="(text); docx: the official report (Nghị định 30/2020); pdf: the same, through "
        "LibreOffice",
    )
    report.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write here; text and csv go to stdout without it, the files to "
        "./bao-cao-cong-van-ID.xlsx|.png|.docx|.pdf",
    )
    report.add_argument(
        "--tree",
        action="store_true",
        help="with --format csv: a row per unit of every letter relayed down the tree, "
        "with parent_code and relayed_directive_id",
    )

    relay = command("relay", "relay a letter on an agency's behalf to units under it (chuyển tiếp)")
    relay.add_argument("id", type=int, help="the letter's directive id (the agency received it)")
    relay.add_argument("--as", dest="agency", required=True, metavar="CODE", help="the relay")
    relay.add_argument(
        "--to",
        nargs="+",
        metavar="TARGET",
        help="all (the units directly under it; the default), groups of those units, or "
        "codes anywhere under it",
    )
    relay.add_argument("--number", help="the relay's own number (Số); assigned when omitted")
    relay.add_argument("--note", help="a note placed above the original letter")
    relay.add_argument(
        "--deadline",
        help="the relay's deadline (2020-06-25 or 25/06/2020), no later than the original's",
    )

    events = command("events", "the audit log: who did what, when")
    events.add_argument("--directive", type=int, metavar="ID", help="only this directive's events")
    events.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="the latest N (default: all of a directive, else 100)",
    )

    invite = command(
        "invite", "create an invite link for an agency (`invite revoke TOKEN` takes one back)"
    )
    invite.add_argument("code", help="agency code, or `revoke`")
    invite.add_argument("token", nargs="?", help="with `revoke`: the invite's token")
    invite.add_argument("--uses", type=int, default=1, help="how many officers may use it (1)")
    invite.add_argument("--expires", default="7d", help="validity, e.g. 24h, 7d (7d)")
    invite.add_argument("--role", choices=[r.value for r in ContactRole], help="role of who joins")
    return parser


# Shared with the other command modules through bot.cli.common (no import cycle).
_database = database
_print = print_result


async def _cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    async with _database(settings):
        pass
    _print(args, {"upgraded": True}, "database is up to date")


def _writable_file(path: Path) -> None:
    """Refuse at once a file that cannot be written, before any work is done for it."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CommandError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise CommandError(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CommandError(f"cannot write {path}: permission denied")


def _sqlite_backup(source: Path, target: Path) -> int:
    """SQLite's online backup: a consistent copy while the bot keeps writing."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            check = dst.execute("PRAGMA integrity_check").fetchone()
            if check is None or check[0] != "ok":
                raise CommandError(f"the copy at {target} failed its integrity check")
        finally:
            dst.close()
    finally:
        src.close()
    return target.stat().st_size


def _checked_backup(source: Path, target: Path) -> int:
    if not source.exists():
        raise CommandError(f"no database file at {source}")
    if target.exists():
        raise CommandError(f"{target} exists: a backup never overwrites, choose a new name")
    _writable_file(target)
    return _sqlite_backup(source, target)


async def _cmd_db_backup(args: argparse.Namespace, settings: Settings) -> None:
    source = sqlite_file(settings.database.url)
    if source is None:
        raise CommandError(
            "db backup copies a SQLite file; for PostgreSQL use pg_dump "
            "(e.g. pg_dump -Fc -f agency-bot.dump DBNAME), see README"
        )
    size = await asyncio.to_thread(_checked_backup, source, args.file)
    _print(
        args,
        {"source": str(source), "backup": str(args.file), "bytes": size},
        f"backed up {source} to {args.file} ({size / 1e6:.1f} MB)",
    )


async def _cmd_doctor(args: argparse.Namespace, settings: Settings) -> None:
    from bot.cli.doctor import masked_url, run_checks

    config_line = (
        f"{resolve_config_path(args.config)} ({settings.telegram.mode}, "
        f"{masked_url(settings.database.url).split('://')[0]})"
    )
    checks = await run_checks(settings, config_line)
    if args.json:
        print(json.dumps([c.as_json() for c in checks], ensure_ascii=False))
    else:
        for check in checks:
            print(check.line())
    if not all(check.ok for check in checks):
        raise SilentFailure


async def _cmd_agencies_import(args: argparse.Namespace, settings: Settings) -> None:
    from bot.onboarding.roster import import_roster

    async with _database(settings) as sessionmaker:
        result = await import_roster(sessionmaker, args.file)
    _print(
        args,
        asdict(result),
        f"imported {args.file}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged",
    )


async def _cmd_agencies_list(args: argparse.Namespace, settings: Settings) -> None:
    from bot.onboarding.roster import as_tree
    from db.queries.agencies import list_agencies

    async with _database(settings) as sessionmaker, sessionmaker() as session:
        agencies = await list_agencies(session)
    listed = as_tree(agencies) if args.tree else [(0, a) for a in agencies]
    if args.json:
        _print(
            args,
            [{**asdict(a), **({"depth": d} if args.tree else {})} for d, a in listed],
            "",
        )
        return
    width = max((2 * d + len(a.code) for d, a in listed), default=4)
    for d, a in listed:
        flag = "" if a.active else " (inactive)"
        code = "  " * d + a.code
        print(f"{code:<{width}}  {a.group:<10}  {a.active_contacts:>3} contacts  {a.name}{flag}")
    print(f"{len(agencies)} agencies")


async def bot_username(settings: Settings) -> str:
    """telegram.username, else ask getMe through api_base_url."""
    if settings.telegram.username:
        return settings.telegram.username
    if not settings.telegram.token:
        raise CommandError(
            "cannot build the invite link: set telegram.username or telegram.token "
            "(or AGENCY_BOT_TOKEN)"
        )
    api = settings.telegram.api_base_url
    try:
        # The bot's own HTTP client, so the command line and the bot reach Telegram alike.
        bot = Bot(settings.telegram.token, base_url=f"{api}/bot", request=AiohttpRequest())
        async with bot:
            username = bot.username
    except InvalidToken:
        raise CommandError(REFUSED_TOKEN_MESSAGE) from None
    except TelegramError as exc:
        raise CommandError(f"getMe failed at {api}: {redact(str(exc))}") from None
    return username


async def _cmd_invite(args: argparse.Namespace, settings: Settings) -> None:
    if args.code == "revoke":
        from bot.cli.revocation import revoke_invite

        await revoke_invite(args, settings)
        return
    if args.token is not None:
        raise CommandError(f"unexpected argument {args.token!r} (did you mean: invite revoke?)")
    if args.uses < 1:
        raise CommandError(f"--uses must be at least 1, not {args.uses}")
    try:
        expires_in: timedelta = parse_duration(args.expires)
    except ValueError as exc:
        raise CommandError(f"--expires: {exc}") from None
    username = await bot_username(settings)
    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                invite = await create_invite(
                    session,
                    agency_code=args.code,
                    now=utcnow(),
                    uses=args.uses,
                    expires_in=expires_in,
                    role=ContactRole(args.role) if args.role else None,
                )
        except UnknownAgencyError:
            raise CommandError(
                f"no active agency with code {args.code!r} (see: agency-bot agencies list)"
            ) from None
    link = deep_link(username, invite.token)
    _print(
        args,
        {
            "token": invite.token,
            "link": link,
            "agency": invite.agency_code,
            "uses": invite.uses,
            "expires_at": invite.expires_at.isoformat(),
        },
        f"{link}\n(token {invite.token} for {invite.agency_name}: {invite.uses} use(s), "
        f"expires {invite.expires_at.isoformat(timespec='minutes')})",
    )


async def _cmd_broadcast(args: argparse.Namespace, settings: Settings) -> None:
    from bot.delivery.directive_input import DirectiveInputError, read_directive_file
    from bot.delivery.drafts import (
        ItemsError,
        UnknownTargetsError,
        create_directive,
        queue_broadcast,
        set_targets,
    )
    from db.models import DirectiveStatus

    try:
        draft = read_directive_file(args.file)
    except DirectiveInputError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    targets = args.to or list(draft.targets)
    if not targets:
        raise CommandError(
            f"{args.file}: no recipients: set `to` in the file or pass --to all|GROUP|CODE"
        )
    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                directive = await create_directive(
                    session,
                    draft,
                    now=utcnow(),
                    timezone=settings.reminders.timezone,
                    created_by=None,
                    status=DirectiveStatus.DRAFT,
                )
                await set_targets(session, directive, targets)
                result = await queue_broadcast(session, directive, now=utcnow(), actor_id=None)
        except UnknownTargetsError as exc:
            raise CommandError(
                f"unknown recipients: {', '.join(exc.targets)} (see: agency-bot agencies list)"
            ) from None
        except ItemsError as exc:
            raise CommandError(f"{args.file}: {exc}") from None
    _print(
        args,
        {"directive_id": directive.id, "agencies": result.agencies},
        f"directive {directive.id} ({directive.number}) queued for {result.agencies} agencies "
        f"({result.messages} messages; {result.unreachable} agencies without a contact); "
        "the running bot sends it",
    )


async def _cmd_mark(args: argparse.Namespace, settings: Settings) -> None:
    from bot.answers.by_hand import MarkError, MarkStatus, mark_by_hand

    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                status = await mark_by_hand(
                    session,
                    directive_id=args.id,
                    agency_code=args.code,
                    status=MarkStatus(args.status),
                    reason=args.reason,
                    staff_id=None,
                    now=utcnow(),
                )
        except MarkError as exc:
            raise CommandError(str(exc)) from None
    _print(
        args,
        {"directive_id": args.id, "agency": args.code, "status": status.value},
        f"{args.code}: {status.value} for directive {args.id} (set by hand: {args.reason})",
    )


async def _cmd_recall(args: argparse.Namespace, settings: Settings) -> None:
    from bot.delivery.recall import RecallError, recall_directive

    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                done = await recall_directive(
                    session,
                    args.id,
                    args.reason,
                    staff_id=None,
                    now=utcnow(),
                    tz_name=str(settings.reminders.timezone),
                )
        except RecallError as exc:
            raise CommandError(str(exc)) from None
    _print(
        args,
        {"directive_id": args.id, "edits": done.edits, "cancelled": done.cancelled},
        f"directive {args.id} ({done.number}) recalled: {done.edits} delivered copies to edit, "
        f"{done.cancelled} queued messages cancelled; the running bot edits them",
    )


async def _cmd_correct(args: argparse.Namespace, settings: Settings) -> None:
    from bot.delivery.recall import RecallError, correct_directive

    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                done = await correct_directive(
                    session, args.id, args.text, staff_id=None, now=utcnow()
                )
        except RecallError as exc:
            raise CommandError(str(exc)) from None
    _print(
        args,
        {"directive_id": args.id, "messages": done.messages},
        f"correction of directive {args.id} ({done.number}) queued for {done.messages} "
        "copies; the running bot sends it",
    )


async def _cmd_report(args: argparse.Namespace, settings: Settings) -> None:
    from bot.reports.export import export_report
    from bot.reports.files import file_stem
    from bot.reports.pdf import PdfUnavailableError
    from bot.reports.summary import UnknownDirectiveError

    if args.tree and args.format != "csv":
        raise CommandError("--tree needs --format csv")
    output: Path | None = args.output
    if output is not None or args.format in ("xlsx", "png", "docx", "pdf"):
        _writable_file(output or Path(f"{file_stem(args.id)}.{args.format}"))
    async with _database(settings) as sessionmaker:
        try:
            data, text = await export_report(
                sessionmaker,
                settings,
                args.id,
                args.format,
                output,
                as_json=args.json,
                tree=args.tree,
            )
        except UnknownDirectiveError:
            raise CommandError(f"no directive with id {args.id}") from None
        except PdfUnavailableError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            where = exc.filename or output
            raise CommandError(f"cannot write {where}: {exc.strerror or exc}") from None
    _print(args, data, text)


async def _cmd_relay(args: argparse.Namespace, settings: Settings) -> None:
    from bot.delivery.directive_input import MAX_NOTE, RelayText, parse_date
    from bot.relay.compose import MAX_NUMBER, RelayError, relay_on_behalf

    deadline = None
    if args.deadline is not None:
        deadline = parse_date(args.deadline)
        if deadline is None:
            raise CommandError(f"--deadline: not a date: {args.deadline!r} (use 2020-06-25)")
    if args.number is not None and not 0 < len(args.number.strip()) <= MAX_NUMBER:
        raise CommandError(f"--number: 1 to {MAX_NUMBER} characters")
    if args.note is not None and len(args.note) > MAX_NOTE:
        raise CommandError(f"--note: at most {MAX_NOTE} characters")
    details = RelayText(
        number=args.number.strip() if args.number else None,
        deadline=deadline,
        note=args.note.strip() if args.note else None,
    )
    async with _database(settings) as sessionmaker:
        try:
            async with sessionmaker.begin() as session:
                directive, result = await relay_on_behalf(
                    session,
                    directive_id=args.id,
                    agency_code=args.agency,
                    targets=args.to,
                    details=details,
                    now=utcnow(),
                    timezone=settings.reminders.timezone,
                )
        except RelayError as exc:
            raise CommandError(str(exc)) from None
    _print(
        args,
        {"directive_id": directive.id, "agencies": result.agencies},
        f"directive {directive.id} ({directive.number}): {args.agency} relays directive "
        f"{args.id} to {result.agencies} agencies ({result.messages} messages; "
        f"{result.unreachable} agencies without a contact); the running bot sends it",
    )


async def _cmd_events(args: argparse.Namespace, settings: Settings) -> None:
    from bot.reports.export import list_events

    if args.limit is not None and args.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {args.limit}")
    async with _database(settings) as sessionmaker:
        data, text = await list_events(sessionmaker, settings, args.directive, args.limit)
    _print(args, data, text)


async def _cmd_run(args: argparse.Namespace, settings: Settings) -> None:
    from bot.runner import StartError, serve_forever

    if not settings.telegram.token:
        raise CommandError("telegram.token is empty: set it in the config or AGENCY_BOT_TOKEN")
    try:
        await serve_forever(settings)
    except (AlreadyRunningError, StartError) as exc:
        raise CommandError(str(exc)) from None
    except InvalidToken:
        raise CommandError(REFUSED_TOKEN_MESSAGE) from None


async def _cmd_demo(args: argparse.Namespace, settings: Settings) -> None:
    from bot.cli.demo import run_demo, until_interrupted

    await run_demo(officers=args.officers, serve=until_interrupted if args.serve else None)


Command = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, None]]


def _command_for(args: argparse.Namespace) -> Command:
    if args.command == "db":
        return _cmd_db_upgrade if args.db_command == "upgrade" else _cmd_db_backup
    if args.command in ("agencies", "contacts"):
        from bot.cli.revocation import COMMANDS

        agencies = {"import": _cmd_agencies_import, "list": _cmd_agencies_list}
        if args.command == "agencies" and args.agencies_command in agencies:
            return agencies[args.agencies_command]
        action = getattr(args, "agencies_command", None) or args.contacts_command
        return COMMANDS[(args.command, action)]
    commands: dict[str, Command] = {
        "run": _cmd_run,
        "doctor": _cmd_doctor,
        "demo": _cmd_demo,
        "invite": _cmd_invite,
        "broadcast": _cmd_broadcast,
        "mark": _cmd_mark,
        "recall": _cmd_recall,
        "correct": _cmd_correct,
        "report": _cmd_report,
        "relay": _cmd_relay,
        "events": _cmd_events,
    }
    return commands[args.command]


def _database_error(settings: Settings | None, error: BaseException) -> str:
    """One line for a database that cannot be reached: where (no password) and why."""
    from bot.cli.doctor import masked_url

    where = masked_url(settings.database.url) if settings is not None else "the database"
    cause: BaseException = getattr(error, "orig", None) or error
    return f"cannot reach the database at {where}: {describe(cause)}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Only the long-running bot narrates; one-shot commands print their result and errors.
    running = args.command == "run"
    setup_logging(logging.INFO if running else logging.WARNING)
    settings: Settings | None = None
    try:
        # The demo brings its own settings; everything else reads the config file.
        if args.command == "demo":
            settings = Settings()
        elif args.command == "doctor":
            settings = _doctor_settings(args)
        else:
            settings = load_settings(
                resolve_config_path(args.config), required=args.config is not None
            )
        if args.command not in ("demo", "doctor"):
            _database_folder_exists(settings)
        if running:
            setup_logging(logging.INFO, settings.logging.format)
        asyncio.run(_command_for(args)(args, settings))
    except (ConfigError, CommandError) as exc:
        print(f"agency-bot: error: {exc}", file=sys.stderr)
        return 1
    except SilentFailure:
        return 1
    except RosterFileError as exc:
        print(
            f"agency-bot: error: {args.file}: {len(exc.errors)} problem(s), nothing imported",
            file=sys.stderr,
        )
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not database_unavailable(exc):
            # A failure nobody foresaw: its traceback, for a bug report, but never the token.
            print(redact(traceback.format_exc()), file=sys.stderr, end="")
            return 1
        print(f"agency-bot: error: {_database_error(settings, exc)}", file=sys.stderr)
        return 1
    return 0


def _database_folder_exists(settings: Settings) -> None:
    """A SQLite file in a folder that does not exist: say so before anything tries it."""
    from bot.cli.doctor import masked_url

    path = sqlite_file(settings.database.url)
    if path is not None and not path.parent.is_dir():
        raise CommandError(
            f"cannot reach the database at {masked_url(settings.database.url)}: "
            f"no folder {path.parent} (create it, or correct database.url)"
        )


def _doctor_settings(args: argparse.Namespace) -> Settings:
    """The config, or a ✗ line for it (nothing else can be checked without it)."""
    path = resolve_config_path(args.config)
    try:
        return load_settings(path, required=args.config is not None)
    except ConfigError as exc:
        print(f"✗ config: {exc} — fix that key (config.example.toml documents every key)")
        raise SilentFailure from None


if __name__ == "__main__":
    sys.exit(main())
