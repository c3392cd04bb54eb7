"""The one coupling between a :class:`~simulator.world.World` lock and a :class:`SimulatedLock`.

Both sides share one truth:

* **world → lock** at construction: MAC, name, lockVersion header, key material
  (``lock.keys``: AES key, adminPs, unlockKey, lockFlagPos, admin keypad code, the
  INIT_PASSWORDS table rebuilt from ``pwdInfo``), features, battery, bolt state, model and
  firmware strings, auto-lock, sound, remote-unlock switch, lift floors; the lock's clock is
  the world clock shifted by ``timezoneRawOffset`` (lock wall time, research §5.0).
* **world → lock** afterwards: every world record for this lock (a gateway unlock through the
  cloud, a door event …) and :meth:`WorldLink.sync_from_world` (called from ``tick``) copy
  the bolt state and battery into the lock, as the lock itself would have them.
* **lock → world**: a BLE unlock/lock, a keypad code, a card or a finger changes the world
  lock's state and appends a record to ``lockRecord/list`` with the cloud ``recordType`` and
  the lock-side ``recordTypeFromLock`` (ble-protocol §5.8, cloud-and-peers §2.7), as a real
  lock's records reach the cloud through a gateway or the app; battery changes are copied too.

Nothing else in :mod:`simulator.ble` imports :mod:`simulator.world`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..world import LockRecord, World
from .codec import Header
from .lock import EventKind, LogKind, OperationRecord, SimLockEvent, SimulatedLock

__all__ = ["CLOUD_RECORD_TYPE", "WorldLink", "password_table"]

CLOUD_RECORD_TYPE: dict[int, tuple[int, int]] = {
    LogKind.APP_UNLOCK: (1, 1),  # unlock by app (Bluetooth)
    LogKind.BLE_LOCK: (11, 1),  # lock by app
    LogKind.PASSCODE_UNLOCK: (4, 1),
    LogKind.WRONG_PASSCODE: (4, 0),
    LogKind.IC_UNLOCK: (7, 1),
    LogKind.IC_FAILED: (7, 0),
    LogKind.FINGERPRINT_UNLOCK: (8, 1),
    LogKind.FINGERPRINT_FAILED: (8, 0),
}
"""Lock-side record type → (cloud ``recordType``, ``success``); other records stay local."""

_GATEWAY_UNLOCK_FROM_LOCK = 28


def password_table(entries: Any, year: int) -> bytes:
    """The 61-byte ``0x31`` payload for ``pwdInfo`` entries (research §8.1 packing)."""
    body = bytes((year % 100,))
    for entry in entries:
        secret = int(entry.secret_key)
        code = int(entry.code)
        body += bytes(((code >> 4) & 0xFF, ((code & 0x0F) << 4) | ((secret >> 32) & 0x0F)))
        body += (secret & 0xFFFFFFFF).to_bytes(4, "big")
    return body


class WorldLink:
    """Builds a :class:`SimulatedLock` for ``world.locks[lock_id]`` and keeps both in step."""

    def __init__(self, world: World, lock_id: int, **overrides: Any) -> None:
        self.world = world
        self.lock_id = lock_id
        source = world.lock(lock_id)
        keys = source.keys
        offset = timedelta(milliseconds=source.timezone_raw_offset)
        self._offset = offset

        def _clock() -> datetime:
            utc = datetime.fromtimestamp(world.now_ms() / 1000, UTC)
            return (utc + offset).replace(tzinfo=None)

        version = source.lock_version
        options: dict[str, Any] = {
            "aes_key": keys.aes_key,
            "admin_ps": int(keys.admin_ps),
            "unlock_key": int(keys.unlock_key),
            "admin_code": keys.no_key_pwd or None,
            "lock_flag_pos": keys.lock_flag_pos,
            "local_name": source.lock_name,
            "header": Header(
                version.protocol_type,
                version.protocol_version,
                version.scene,
                version.group_id,
                version.org_id,
            ),
            "features": source.features,
            "battery": source.electric_quantity,
            "locked": source.state != 1,
            "model": source.model_num,
            "hardware_revision": source.hardware_revision,
            "firmware_revision": source.firmware_revision,
            "factory_date": source.factory_date,
            "auto_lock_seconds": max(0, source.auto_lock_time),
            "sound_on": source.lock_sound != 2,
            "volume": source.sound_volume,
            "remote_unlock": source.remote_unlock,
            "lift_floors": source.lift_floors,
            "clock": _clock,
            "seed": f"{world.seed}|{source.lock_mac}",
        }
        options.update(overrides)
        self.lock = SimulatedLock(source.lock_mac, **options)
        self.lock.world_link = self
        entries = keys.pwd_info_entries
        if entries:
            self.lock.password_table = password_table(entries, entries[0].year)
        switch = 0
        for value, bit in (
            (source.tamper_alert, 0x01),
            (source.reset_button, 0x02),
            (source.privacy_lock, 0x04),
        ):
            if value == 1:
                switch |= bit
        if source.open_direction == 1:
            switch |= 0x10
        self.lock.switch_value = switch
        self._applying = False
        self._unsubscribe: list[Callable[[], None]] = [
            self.lock.add_listener(self._on_lock_event),
            world.on_record(self._on_world_record),
        ]
        self.lock.tick_hooks.append(self.sync_from_world)

    def detach(self) -> None:
        """Stop mirroring (the lock keeps its current state)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self.sync_from_world in self.lock.tick_hooks:
            self.lock.tick_hooks.remove(self.sync_from_world)

    # --- world → lock ---------------------------------------------------------------------
    def sync_from_world(self) -> None:
        """Copy bolt state and battery from the world lock (auto-lock applied lazily)."""
        source = self.world.locks.get(self.lock_id)
        if source is None:
            return
        self.world.refresh_state(source)
        self._applying = True
        try:
            if source.state in (0, 1):
                self.lock.set_locked(source.state == 0)
            self.lock.set_battery(source.electric_quantity)
        finally:
            self._applying = False

    def _on_world_record(self, record: LockRecord) -> None:
        if record.lock_id != self.lock_id or self._applying:
            return
        self.sync_from_world()
        if record.record_type_from_lock == _GATEWAY_UNLOCK_FROM_LOCK:
            self._applying = True
            try:
                uid = record.uid or 0
                self.lock.log_remote_record(_GATEWAY_UNLOCK_FROM_LOCK, uid=uid)
            finally:
                self._applying = False

    # --- lock → world ---------------------------------------------------------------------
    def _on_lock_event(self, event: SimLockEvent) -> None:
        if self._applying or self.lock_id not in self.world.locks:
            return
        if event.kind is EventKind.STATE:
            self._applying = True
            try:
                self.world.set_lock_state(self.lock_id, 0 if self.lock.locked else 1)
            finally:
                self._applying = False
        elif event.kind is EventKind.BATTERY:
            self.world.set_battery(self.lock_id, self.lock.battery)
        elif event.kind is EventKind.RECORD and event.record is not None:
            self._upload(event.record)

    def _upload(self, record: OperationRecord) -> None:
        mapped = CLOUD_RECORD_TYPE.get(record.kind)
        if mapped is None:
            return
        record_type, success = mapped
        username = ""
        if record.uid:
            account = self.world.accounts.get(record.uid)
            username = account.username if account is not None else ""
        secret = ""
        if record.code is not None:
            secret = record.code
        elif record.entered is not None:
            secret = record.entered
        elif record.card is not None:
            secret = str(record.card)
        elif record.fingerprint is not None:
            secret = str(record.fingerprint)
        lock_date = int((record.time - self._offset).replace(tzinfo=UTC).timestamp() * 1000)
        self._applying = True
        try:
            self.world.add_record(
                self.lock_id,
                record_type,
                record_type_from_lock=record.kind,
                username=username,
                keyboard_pwd=secret,
                success=success,
                lock_date=lock_date,
                uid=record.uid or None,
            )
        finally:
            self._applying = False
