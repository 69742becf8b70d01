"""Two `agency-bot run` processes on one PostgreSQL database, as a department runs them for
failover: one leads (sends, reminds, polls), the other stands by and takes over
when the leader dies or is cut off from the database, without sending anything twice
beyond what was in flight at that moment."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.onboarding.roster import import_roster
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.proxy import TcpProxy
from db.migrate import upgrade
from db.models import OutboundMessage
from db.session import make_engine, make_sessionmaker
from tests.helpers import (
    EXAMPLE_ROSTER,
    NUMBER,
    TOP_LEVEL,
    cli,
    copies_per_chat,
    eventually,
    in_flight_at,
    join_officers,
    ok_sends,
    recorded_sent,
    start_run,
    stop_run,
    write_config,
)

pytestmark = pytest.mark.postgresql_only

SAMPLE = Path(__file__).parent.parent / "examples" / "directive-book-day.toml"
TAKEOVER_SECONDS = 15.0  # README, Running in production: a standby takes over within 15 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    config: Path
    port: int
    log: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await start_run(self.config, log=self.log)

    async def role(self) -> str | None:
        """ "leader" or "standby", as its /readyz says; None while it does not answer."""
        try:
            # Plain HTTP on 127.0.0.1: no certificates to load at each look.
            async with httpx.AsyncClient(timeout=2, verify=False) as client:  # noqa: S501
                answer = await client.get(f"http://127.0.0.1:{self.port}/readyz")
        except httpx.HTTPError:
            return None
        return next((r for r in ("leader", "standby") if r in answer.text), None)

    async def stop(self, *, kill: bool = False) -> int:
        assert self.process is not None
        return await stop_run(self.process, kill=kill)


@dataclass
class Cluster:
    db_url: str
    officers: list[SimUser]
    tmp_path: Path
    sandbox: Sandbox

    def instance(self, name: str, db_url: str | None = None) -> Instance:
        port = _free_port()
        config = write_config(
            self.tmp_path / f"{name}.toml",
            self.sandbox,
            db_url or self.db_url,
            extra=f"[web]\nport = {port}",
        )
        return Instance(config, port, self.tmp_path / f"{name}.log")

    async def broadcast(self, via: Instance) -> None:
        code, _, err = await cli(
            "-c", str(via.config), "broadcast", "--file", str(SAMPLE), "--to", "all"
        )
        assert code == 0, err

    async def recorded(self) -> int:
        engine = make_engine(self.db_url)
        try:
            return await recorded_sent(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    async def wait_for_every_officer(self, timeout: float) -> None:
        """Each officer gets the letter; if one does not, say where its message stands."""
        for user in self.officers:
            try:
                await user.wait_for_message(NUMBER, timeout=timeout)
            except TimeoutError as error:
                raise AssertionError(f"{error}\n{await self._trace(user.id)}") from None

    async def _trace(self, chat_id: int) -> str:
        calls = [
            f"{c.at:.1f} {c.method} {c.status} {c.description or ''}"
            for c in self.sandbox.calls
            if str(c.params.get("chat_id")) == str(chat_id)
        ]
        engine = make_engine(self.db_url)
        try:
            async with make_sessionmaker(engine)() as session:
                rows = (
                    await session.execute(
                        select(
                            OutboundMessage.status,
                            OutboundMessage.attempts,
                            OutboundMessage.next_attempt_at,
                            OutboundMessage.claimed_by,
                            OutboundMessage.lease_until,
                            OutboundMessage.error,
                        ).where(OutboundMessage.chat_id == chat_id)
                    )
                ).all()
        finally:
            await engine.dispose()
        return f"its rows: {rows}\nits calls: {calls}"

    def conflicts(self) -> int:
        """getUpdates answered 409: two pollers fighting."""
        return len([c for c in self.sandbox.calls if c.method == "getUpdates" and c.status == 409])


@pytest.fixture
async def cluster(db_url: str, sandbox: Sandbox, tmp_path: Path) -> Cluster:
    sandbox.latency = 0.05
    engine = make_engine(db_url)
    try:
        await upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        await import_roster(sessionmaker, EXAMPLE_ROSTER)
        joined = await join_officers(sessionmaker, sandbox, TOP_LEVEL, per_agency=2)
    finally:
        await engine.dispose()
    officers = [user for users in joined.values() for user in users]
    return Cluster(db_url, officers, tmp_path, sandbox)


async def _lead_and_stand_by(leader: Instance, standby: Instance) -> None:
    await leader.start()
    await eventually(leader.role, "leader", timeout=30)
    await standby.start()
    await eventually(standby.role, "standby", timeout=30)


async def test_the_standby_takes_over_when_the_leader_is_killed(cluster: Cluster) -> None:
    first, second = cluster.instance("first"), cluster.instance("second")
    await _lead_and_stand_by(first, second)
    try:
        await cluster.broadcast(first)
        await cluster.sandbox.wait_for("sendMessage", count=20, ok=True, timeout=30)
        await first.stop(kill=True)
        killed_at = time.monotonic()
        recorded = await cluster.recorded()

        await cluster.wait_for_every_officer(timeout=60)
        await eventually(second.role, "leader", timeout=5)
        # The standby polls now: an officer writing to the bot is answered.
        await cluster.sandbox.add_user("Cán bộ mới").ask("/start", "đường link mời", timeout=15)
        conflicts = cluster.conflicts()
    finally:
        await second.stop()

    settle = killed_at + 1.0
    taken_over = min(c.at for c in ok_sends(cluster.sandbox) if c.at > settle) - killed_at
    copies = copies_per_chat(cluster.officers, NUMBER)
    duplicates = sum(n - 1 for n in copies.values())
    assert recorded < len(cluster.officers)  # the kill fell mid-broadcast
    assert min(copies.values()) == 1
    assert taken_over <= TAKEOVER_SECONDS
    assert duplicates <= in_flight_at(cluster.sandbox, killed_at, recorded)
    # One poller at a time: no two getUpdates fighting (the one 409 the sandbox may record
    # is the dead leader's own long poll, superseded when the standby starts polling).
    assert conflicts <= 1


async def test_a_leader_cut_off_from_the_database_sends_nothing_the_standby_sends(
    cluster: Cluster,
) -> None:
    """The leader keeps running but its packets to the database are dropped: it stops
    sending, its lock's session ends on the server, the standby takes over and sends the
    rest; only what was in flight when the network broke may arrive twice."""
    server = make_url(cluster.db_url)
    async with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        via_proxy = server.set(host="127.0.0.1", port=proxy.port)
        first = cluster.instance("first", via_proxy.render_as_string(hide_password=False))
        second = cluster.instance("second")
        await _lead_and_stand_by(first, second)
        try:
            await cluster.broadcast(second)
            await cluster.sandbox.wait_for("sendMessage", count=20, ok=True, timeout=30)
            proxy.cut(blackhole=True)
            cut_at = time.monotonic()
            await cluster.wait_for_every_officer(timeout=90)
            await eventually(second.role, "leader", timeout=5)
            conflicts = cluster.conflicts()
            proxy.restore()
        finally:
            await first.stop()
            await second.stop()

    copies = copies_per_chat(cluster.officers, NUMBER)
    duplicates = sum(n - 1 for n in copies.values())
    # What the leader had under way when the network broke: sends answered around the cut
    # (before it, but not yet recorded; after it, until it saw the database stop answering).
    in_flight = len(ok_sends(cluster.sandbox, until=cut_at + 1.5)) - len(
        ok_sends(cluster.sandbox, until=cut_at - 0.5)
    )
    assert min(copies.values()) == 1
    assert duplicates <= in_flight
    assert conflicts <= 2  # the cut-off leader polls until it sees the new poller, once
