"""Forced failures of cloud calls: ``world.faults.fail_next("lock/unlock", errcode=1)``.

The dispatcher of :mod:`simulator.cloud` takes one planned :class:`Fault` per call of an
endpoint (or of the ``"*"`` wildcard); ``after=True`` lets the call be carried out first and
only replaces its answer (a reply lost after the gateway or lock applied the change).

``lock_side=True`` plans a refusal by the lock itself rather than the cloud: the cloud takes
the change and hands it to the lock, which says no. A call that changes a lock through a gateway
then fails with the errcode (the gateway brings the lock's answer back); a Wi-Fi lock answers
later, so the call succeeds and the refusal arrives as a notifyType 4 callback
(:func:`simulator.cloud.manage.relay`). Calls that never reach a lock leave it planned.
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
    lock_side: bool = False
    """The lock refuses the change, not the cloud (see the module docstring)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "errcode": self.errcode,
            "times": self.remaining,
            "errmsg": self.errmsg,
            "description": self.description,
            "httpStatus": self.http_status,
            "after": self.after,
            "lockSide": self.lock_side,
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
        lock_side: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``endpoint`` fail with ``errcode``.

        ``http_status`` other than 200 makes the call fail at the HTTP level instead
        (body ``{"errcode", "errmsg", "description"}`` with that status). ``after``: the
        call is carried out first and only its answer is replaced (a lost reply).
        ``lock_side``: the next ``times`` changes that reach the lock are refused by the
        lock with ``errcode`` (see the module docstring).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if lock_side and (after or http_status != 200):
            raise ValueError("a refusal by the lock has no HTTP status and is never lost")
        key = endpoint.strip("/").removeprefix("v3/")
        self._plans.setdefault(key, deque()).append(
            Fault(errcode, times, errmsg, description, http_status, after, lock_side)
        )

    def take(self, endpoint: str, *, lock_side: bool = False) -> Fault | None:
        """Consume one planned failure for ``endpoint`` (or the ``"*"`` wildcard): a cloud
        failure, or with ``lock_side`` a refusal by the lock (each kind keeps its order)."""
        for key in (endpoint, "*"):
            queue = self._plans.get(key)
            fault = next((f for f in queue or () if f.lock_side == lock_side), None)
            if queue is None or fault is None:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.remove(fault)
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
