"""One attempt on one placement: the credential, the lock, the paths there are, the lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import LockRuntime, Path, lock_time
from ..sdk.ble import LockKeys
from ..sdk.ble import ops as ble_ops
from ..sdk.model import CyclicPeriod
from .lists import Listings
from .model import Credential, Placement, to_ms

if TYPE_CHECKING:
    from ..ble import LockBluetooth
    from ..sdk.cloud import TTLockCloud


@dataclass(slots=True)
class Job:
    """One attempt on one placement."""

    credential: Credential
    placement: Placement
    rt: LockRuntime
    ble: LockBluetooth
    cloud: TTLockCloud | None
    paths: list[Path]
    listings: Listings

    @property
    def lock_id(self) -> int:
        """TTLock id of the lock."""
        return self.rt.lock.lock_id

    @property
    def name(self) -> str:
        """The name TTLock knows the credential by on this lock."""
        return self.placement.name or self.credential.name

    @property
    def account(self) -> TTLockCloud:
        """The cloud client (the caller checked there is one)."""
        assert self.cloud is not None
        return self.cloud

    @property
    def keeps_books(self) -> bool:
        """Whether a Bluetooth change is also recorded in the cloud."""
        return self.cloud is not None and not self.credential.extra.get("ble_only")

    @property
    def start(self) -> datetime | None:
        """Validity start in lock time (None: permanent)."""
        return lock_time(self.rt, self.credential.window[0])

    @property
    def end(self) -> datetime | None:
        """Validity end in lock time (None: permanent)."""
        return lock_time(self.rt, self.credential.window[1])

    @property
    def start_ms(self) -> int:
        """Validity start, epoch ms (0: none)."""
        return to_ms(self.credential.window[0]) or 0

    @property
    def end_ms(self) -> int:
        """Validity end, epoch ms (0: none)."""
        return to_ms(self.credential.window[1]) or 0

    @property
    def cyclic(self) -> CyclicPeriod | None:
        """The weekly window, for the cloud."""
        if not self.credential.cyclic:
            return None
        first = self.credential.cyclic[0]
        return CyclicPeriod(
            weekdays=tuple(int(c["weekDay"]) for c in self.credential.cyclic),
            start_minute=int(first["startTime"]),
            end_minute=int(first["endTime"]),
        )

    async def on_ble[T](
        self, fallback: bool, make: Callable[[LockKeys], ble_ops.Operation[T]]
    ) -> T:
        """Run one Bluetooth operation on the lock."""
        return await self.ble.async_run(self.rt, lambda keys, _now: make(keys), fallback=fallback)
