"""Forced failures of cloud calls: ``world.faults.fail_next("lock/unlock", errcode=1)``.

The dispatcher of :mod:`simulator.cloud` takes one planned :class:`Fault` per call of an
endpoint (or of the ``"*"`` wildcard); ``after=True`` lets the call be carried out first and
only replaces its answer (a reply lost after the gateway or lock applied the change).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Fault", "Faults"]


@dataclass
class Fault:
    """A forced API failure for the next ``remaining`` calls of one endpoint."""

    errcode: int
    remaining: int
    errmsg: str | None = None
    description: str | None = None
    http_status: int = 200
    after: bool = False
    """The call is carried out first and only its answer is replaced (a reply lost after
    the gateway or lock applied the change: the client cannot know the outcome)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "errcode": self.errcode,
            "times": self.remaining,
            "errmsg": self.errmsg,
            "description": self.description,
            "httpStatus": self.http_status,
            "after": self.after,
        }


class Faults:
    """Forced failures per endpoint path (``"lock/unlock"``, ``"oauth2/token"``, ``"*"``)."""

    def __init__(self) -> None:
        self._plans: dict[str, deque[Fault]] = {}

    def fail_next(
        self,
        endpoint: str,
        errcode: int = 1,
        times: int = 1,
        *,
        errmsg: str | None = None,
        description: str | None = None,
        http_status: int = 200,
        after: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``endpoint`` fail with ``errcode``.

        ``http_status`` other than 200 makes the call fail at the HTTP level instead
        (body ``{"errcode", "errmsg", "description"}`` with that status). ``after``: the
        call is carried out first and only its answer is replaced (a lost reply).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        key = endpoint.strip("/").removeprefix("v3/")
        self._plans.setdefault(key, deque()).append(
            Fault(errcode, times, errmsg, description, http_status, after)
        )

    def take(self, endpoint: str) -> Fault | None:
        """Consume one planned failure for ``endpoint`` (or the ``"*"`` wildcard)."""
        for key in (endpoint, "*"):
            queue = self._plans.get(key)
            if not queue:
                continue
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            if not queue:
                del self._plans[key]
            return fault
        return None

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return {key: [fault.to_json() for fault in queue] for key, queue in self._plans.items()}

    def clear(self, endpoint: str | None = None) -> None:
        if endpoint is None:
            self._plans.clear()
        else:
            self._plans.pop(endpoint.strip("/").removeprefix("v3/"), None)
