"""A local Telegram Bot API server with simulated users, for the demo, tests and benchmarks."""

from bot.sandbox.faults import Fault, FaultInjector
from bot.sandbox.limits import RateLimits
from bot.sandbox.models import ApiCall, SentMessage, Stats
from bot.sandbox.server import Sandbox
from bot.sandbox.users import SimUser

__all__ = [
    "ApiCall",
    "Fault",
    "FaultInjector",
    "RateLimits",
    "Sandbox",
    "SentMessage",
    "SimUser",
    "Stats",
]
