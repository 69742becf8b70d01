"""`agency-bot contacts list|remove`, `invite revoke`, `agencies deactivate|activate`: the
command line's side of bot.onboarding.revocation."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any

from bot.cli.common import CommandError
from bot.cli.common import database as _database
from bot.cli.common import print_result as _print
from bot.config import Settings
from bot.onboarding.revocation import (
    Actor,
    Revoked,
    agency_and_contacts,
    remove_contact,
    set_agency_active,
)
from bot.onboarding.revocation import (
    revoke_invite as revoke,
)
from bot.telegram.arguments import parse_user_id
from db.models import utcnow

CLI = Actor("cli")


def _no_agency(code: str) -> CommandError:
    return CommandError(f"no agency with code {code!r} (see: agency-bot agencies list)")


async def list_contacts(args: argparse.Namespace, settings: Settings) -> None:
    async with _database(settings) as sessionmaker, sessionmaker() as session:
        found = await agency_and_contacts(session, args.code)
    if found is None:
        raise _no_agency(args.code)
    agency, contacts = found
    rows = [
        {
            "user_id": c.telegram_user_id,
            "name": c.display_name,
            "username": c.username,
            "role": c.role.value,
            "status": c.status.value,
            "joined_at": c.joined_at.isoformat(),
        }
        for c in contacts
    ]
    lines = [
        f"{r['user_id']:>12}  {r['role']:<7}  {r['status']:<7}  {r['name']}"
        + (f" (@{r['username']})" if r["username"] else "")
        for r in rows
    ]
    _print(args, rows, "\n".join([*lines, f"{len(rows)} contact(s) of {agency.name}"]))


async def remove(args: argparse.Namespace, settings: Settings) -> None:
    user_id = parse_user_id(args.user_id)
    if user_id is None:
        raise CommandError(f"not a Telegram user id: {args.user_id!r}")
    async with _database(settings) as sessionmaker, sessionmaker.begin() as session:
        result = await remove_contact(session, args.code, user_id, utcnow(), CLI)
    if result == Revoked.UNKNOWN:
        raise CommandError(
            f"{user_id} is not a contact of {args.code!r} (see: agency-bot contacts list "
            f"{args.code})"
        )
    done = result == Revoked.DONE
    _print(
        args,
        {"removed": done, "code": args.code, "user_id": user_id},
        f"removed {user_id} from {args.code}: no more letters, presses refused"
        if done
        else f"{user_id} had already left {args.code}",
    )


async def revoke_invite(args: argparse.Namespace, settings: Settings) -> None:
    if not args.token:
        raise CommandError("usage: agency-bot invite revoke TOKEN")
    async with _database(settings) as sessionmaker, sessionmaker.begin() as session:
        result = await revoke(session, args.token, CLI)
    if result == Revoked.UNKNOWN:
        raise CommandError("no such invite (revoked already, or never created)")
    _print(args, {"revoked": True}, "invite revoked: /start with it is refused")


def _set_active(active: bool) -> Callable[[argparse.Namespace, Settings], Any]:
    async def change(args: argparse.Namespace, settings: Settings) -> None:
        async with _database(settings) as sessionmaker, sessionmaker.begin() as session:
            result = await set_agency_active(session, args.code, active, CLI)
        if result == Revoked.UNKNOWN:
            raise _no_agency(args.code)
        state = "active" if active else "inactive"
        text = (
            f"{args.code} is now {state}"
            if result == Revoked.DONE
            else f"{args.code} was already {state}"
        )
        _print(args, {"code": args.code, "active": active, "changed": result == Revoked.DONE}, text)

    return change


COMMANDS: dict[
    tuple[str, str], Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, None]]
] = {
    ("contacts", "list"): list_contacts,
    ("contacts", "remove"): remove,
    ("agencies", "deactivate"): _set_active(False),
    ("agencies", "activate"): _set_active(True),
}
