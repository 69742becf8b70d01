"""Scripted failures, so tests can make Telegram misbehave on exactly the calls they choose."""

from __future__ import annotations

from dataclasses import dataclass

DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    """One scripted failure; ``times`` is how many more calls it still applies to.

    By default the call is *not* carried out (lost before Telegram): it stalls ``hang``
    seconds if set, then answers ``status`` (504 after a hang, else 500). With
    ``processed=True`` the call *is* carried out (the message is sent) and only the answer
    is late (``hang``) and/or an error (``status``): the ambiguous failure after which a
    retry sends twice.
    """

    method: str | None = None
    chat_id: int | None = None
    status: int | None = None
    description: str | None = None
    retry_after: int | None = None
    hang: float | None = None
    processed: bool = False
    times: int = 1

    def matches(self, method: str, chat_id: int | None) -> bool:
        """Whether this fault applies to a call of ``method`` to ``chat_id``."""
        if self.times <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    @property
    def error_status(self) -> int:
        """HTTP status to answer with when the call is not carried out."""
        if self.status is not None:
            return self.status
        return 504 if self.hang is not None else 500

    @property
    def error_description(self) -> str:
        """Telegram-style description for :attr:`error_status`."""
        if self.description is not None:
            return self.description
        status = self.error_status
        if status == 429:
            return f"Too Many Requests: retry after {self.retry_after or 1}"
        return DESCRIPTIONS.get(status, "Internal Server Error")


class FaultInjector:
    """Ordered list of faults; the first matching one is consumed by each call."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(
        self,
        method: str | None = None,
        *,
        status: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        hang: float | None = None,
        processed: bool = False,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> Fault:
        """Script a fault for the next ``times`` calls of ``method`` (any method if None)."""
        if status is None and hang is None:
            raise ValueError("a fault needs a status, a hang, or both")
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"fault status must be an HTTP error status, got {status}")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(
            method=method,
            chat_id=chat_id,
            status=status,
            description=description,
            retry_after=retry_after,
            hang=hang,
            processed=processed,
            times=times,
        )
        self.pending.append(fault)
        return fault

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """Consume one use of the first fault matching this call, if any."""
        for fault in self.pending:
            if fault.matches(method, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Drop all scripted faults."""
        self.pending.clear()
