"""The one coupling between a :class:`~simulator.world.World` lock and a :class:`SimulatedLock`.

:func:`lock_from_world` builds the lock (``lock_from_world(world, lock_id)``); its
:class:`WorldLink` stays attached as ``lock.world_link``. Both sides share one truth:

* **world → lock** at construction: MAC, name, lockVersion header, key material
  (``lock.keys``: AES key, adminPs, unlockKey, lockFlagPos, admin keypad code, the
  INIT_PASSWORDS table rebuilt from ``pwdInfo``), features, battery, bolt state, model and
  firmware strings, auto-lock, sound, remote-unlock switch, lift floors; the lock's clock is
  the world clock shifted by ``timezoneRawOffset`` (lock wall time, ``docs/ble.md`` §5.0).
* **world → lock** afterwards: every world record for this lock (a gateway unlock through the
  cloud, a door event …) and :meth:`WorldLink.sync_from_world` (called from ``tick``) copy
  the bolt state and battery into the lock, as the lock itself would have them.
* **lock → world**: a BLE unlock/lock, a keypad code, a card or a finger changes the world
  lock's state and appends a record to ``lockRecord/list`` with the cloud ``recordType`` and
  the lock-side ``recordTypeFromLock`` (``docs/ble.md`` §5.8, ``docs/cloud.md`` §2.7), as a real
  lock's records reach the cloud through a gateway or the app; battery changes are copied too.
* **one memory**: the lock's passcode, card and fingerprint tables *are* the world lock's
  memory (:func:`simulator.lockside.lock_memory`), seen through :class:`HeldPasscodes` /
  :class:`HeldCards`. A code written over Bluetooth opens at ``World.enter_code``; one a
  gateway wrote (``keyboardPwd/add`` addType 2) opens on this lock's keypad; a delete by
  either path removes it for both. The cloud's *lists* stay separate bookkeeping: a
  Bluetooth add shows up in ``lock/listKeyboardPwd`` only once the app records it (addType
  1), which then no longer touches the memory (the Bluetooth step already did).
* **one set of settings**: auto-lock, sound and volume, the remote-unlock switch, the ``0x68``
  switches (tamper alert, reset button, privacy lock, open direction, passage auto-unlock) and
  the weekly passage-mode windows are the world lock's fields (what ``lock/detail`` reports);
  so are a lift controller's card floors and work mode (``0x64`` types 5 / 6, Bluetooth only)
  and a hotel lock's or lift's hotel number, building and floor (type 3),
  and every floor activation lands in the world lift's ``lift_activations`` with its time.
  A cloud settings call tells the lock (:meth:`WorldLink.settings_changed`); a Bluetooth
  settings command writes what it changed back. The lock's clock is the world clock plus the
  world lock's ``clock_drift_ms`` (and any Bluetooth calibration); ``lock/queryDate`` reads
  it and ``lock/updateDate`` sets it (``docs/lock-settings.md`` §5, §7).
* **one keypad**: this lock's keypad and readers decide with the world's rules
  (:func:`simulator.lockside.use_keypad` — memory, admin code, STAND-IN offline and erase
  codes — and :func:`~simulator.lockside.use_reader`), and ``World.enter_code`` /
  ``present_card`` / ``present_fingerprint`` for this lock are typed on *this* keypad, so
  each attempt lands in its operation log and in ``lockRecord/list`` exactly once.

Nothing else in :mod:`simulator.ble` imports :mod:`simulator.world`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ..entities import LiftActivation, LockRecord, PassagePeriod
from ..entities import Lock as WorldLock
from ..lockside import (
    CARD_READER,
    FINGERPRINT_READER,
    AccessResult,
    HeldCredential,
    HeldPasscode,
    KeypadVerdict,
    LockMemory,
    ReaderVerdict,
    forget_offline_code,
    listed_credential,
    listed_passcode,
    lock_memory,
    use_keypad,
    use_reader,
)
from ..world import World
from .codec import Header
from .core import SimLockEvent
from .lock import SimulatedLock
from .protocol import FP_SENTINEL_END, FP_SENTINEL_START, PERMANENT_END, PERMANENT_START, LogKind
from .state import (
    AccessDecision,
    EventKind,
    OperationRecord,
    PassageWindow,
    StoredCredential,
    StoredPasscode,
)

__all__ = [
    "CLOUD_RECORD_TYPE",
    "HeldCards",
    "HeldPasscodes",
    "WorldLink",
    "lock_from_world",
    "password_table",
]

CLOUD_RECORD_TYPE: dict[int, tuple[int, int]] = {
    LogKind.APP_UNLOCK: (1, 1),  # unlock by app (Bluetooth)
    LogKind.BLE_LOCK: (11, 1),  # lock by app
    LogKind.PASSCODE_UNLOCK: (4, 1),
    LogKind.ERASE_CODE_USED: (4, 1),
    LogKind.WRONG_PASSCODE: (4, 0),
    LogKind.PASSCODE_NOT_VALID_NOW: (4, 0),
    LogKind.PASSCODE_BLACKLISTED: (4, 0),
    LogKind.IC_UNLOCK: (7, 1),
    LogKind.IC_FAILED: (7, 0),
    LogKind.FINGERPRINT_UNLOCK: (8, 1),
    LogKind.FINGERPRINT_FAILED: (8, 0),
}
"""Lock-side record type → (cloud ``recordType``, ``success``); other records stay local."""

_GATEWAY_UNLOCK_FROM_LOCK = 28
_LIFT_CONTROLLER = 2  # lock/list ``type`` (docs/cloud.md §2.8)
_CARD_BYTES_MAX = 1 << 64
_FINGER_ID_MAX = 1 << 48


def _d5(moment: datetime) -> bytes:
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


class _Window:
    """Conversions between the memory's windows (epoch ms or raw d5) and lock wall time."""

    def __init__(self, world: World, offset: timedelta) -> None:
        self._world = world
        self._offset = offset

    def now_ms(self) -> int:
        return self._world.now_ms()

    def d5(self, ms: int) -> bytes:
        return _d5(datetime.fromtimestamp(ms / 1000, UTC) + self._offset)


class HeldPasscodes(MutableMapping[str, StoredPasscode]):
    """The lock's passcode table (``SimulatedLock.passcodes``) over the world lock's memory.

    Reads show each held code as the lock lists it (``0x07``): a window a gateway wrote in
    epoch ms appears as lock-wall-time d5 bytes. Writes store what the Bluetooth command
    carried: raw d5 bytes, ``stored_ms`` now.
    """

    def __init__(self, memory: LockMemory, window: _Window) -> None:
        self._memory = memory
        self._window = window

    def __getitem__(self, code: str) -> StoredPasscode:
        held = self._memory.passcodes[code]
        start = held.raw_start
        if start is None:
            start = self._window.d5(held.start_ms) if held.start_ms else PERMANENT_START
        end = held.raw_end
        if end is None and held.end_ms:
            end = self._window.d5(held.end_ms)
        original = held.original or held.code
        return StoredPasscode(held.kind, held.code, original, start, end, held.cycle)

    def __setitem__(self, code: str, entry: StoredPasscode) -> None:
        held = HeldPasscode(
            code,
            entry.kind,
            self._window.now_ms(),
            raw_start=entry.start,
            raw_end=entry.end,
            cycle=entry.cycle,
            original=entry.original,
        )
        self._memory.hold_passcode(held)

    def __delitem__(self, code: str) -> None:
        del self._memory.passcodes[code]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._memory.passcodes))

    def __len__(self) -> int:
        return len(self._memory.passcodes)

    def clear(self) -> None:
        """``0x03 [1]`` clear, or a factory reset: the keypad table is emptied."""
        self._memory.passcodes.clear()

    def __repr__(self) -> str:
        return f"<HeldPasscodes {len(self)} codes>"


class HeldCards(MutableMapping[int, StoredCredential]):
    """The lock's card or fingerprint table over the world lock's memory (numbers as ints;
    the memory keys them as the decimal strings the cloud lists)."""

    def __init__(
        self, table: dict[str, HeldCredential], window: _Window, *, limit: int, start: bytes
    ) -> None:
        self._table = table
        self._window = window
        self._limit = limit
        self._start = start
        self._end = PERMANENT_END if start == PERMANENT_START else FP_SENTINEL_END

    def __getitem__(self, number: int) -> StoredCredential:
        held = self._table[str(number)]
        start = held.raw_start
        if start is None:
            start = self._window.d5(held.start_ms) if held.start_ms else self._start
        end = held.raw_end
        if end is None:
            end = self._window.d5(held.end_ms) if held.end_ms else self._end
        return StoredCredential(start, end)

    def __setitem__(self, number: int, window: StoredCredential) -> None:
        self._table[str(number)] = HeldCredential(
            str(number), self._window.now_ms(), raw_start=window.start, raw_end=window.end
        )

    def __delitem__(self, number: int) -> None:
        del self._table[str(number)]

    def __iter__(self) -> Iterator[int]:
        numbers = [int(key) for key in self._table if key.isdigit()]
        return iter([number for number in numbers if number < self._limit])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        """``[4]`` clear, or a factory reset: the table is emptied."""
        self._table.clear()

    def __repr__(self) -> str:
        return f"<HeldCards {len(self)} entries>"


_SWITCH_ITEMS: dict[str, int] = {
    "tamper_alert": 0x01,
    "reset_button": 0x02,
    "privacy_lock": 0x04,
    "open_direction": 0x10,  # set = 1 left [INFERRED]
    "passage_mode_auto_unlock": 0x20,
}
"""World lock field (1 on / 2 off; open direction 1 left / 2 right) → ``0x68`` switch item
(``docs/ble.md`` §5.3, :data:`~simulator.ble.protocol.SWITCH_FEATURES`)."""
_SWITCH_ALL = sum(_SWITCH_ITEMS.values())


_HOTEL_LOCATION = 3
"""``0x64`` type 3: hotel number (3 bytes, big-endian) ‖ building ‖ floor (``docs/ble.md``
§9.3)."""
_HOTEL_LOCATION_BYTES = 5


def _hotel_location(source: WorldLock) -> bytes | None:
    """The world lock's hotel, building and floor as the lock stores them (None: never
    configured)."""
    parts = (source.hotel_number, source.hotel_building, source.hotel_floor)
    if any(part is None for part in parts):
        return None
    hotel, building, floor = (int(part or 0) for part in parts)
    return hotel.to_bytes(3, "big") + bytes((building, floor))


def _world_switches(source: WorldLock) -> int:
    return sum(bit for name, bit in _SWITCH_ITEMS.items() if getattr(source, name) == 1)


def _windows(source: WorldLock) -> list[PassageWindow]:
    """The world lock's passage periods as the lock's weekly windows (one per weekday;
    all day = 00:00–00:00); none while passage mode is off (``docs/lock-settings.md`` §4)."""
    if source.passage_mode != 1:
        return []
    return [
        PassageWindow(1, day, 0, period.start_minute, period.end_minute)
        for period in source.passage_periods
        for day in period.weekdays
    ]


def _periods(windows: list[PassageWindow]) -> list[PassagePeriod]:
    """Weekly windows grouped back into periods (weekday 0 = every day)."""
    days: dict[tuple[int, int], set[int]] = {}
    for window in windows:
        found = days.setdefault((window.start_minute, window.end_minute), set())
        found.update(range(1, 8) if window.week_or_day == 0 else (window.week_or_day,))
    return [
        PassagePeriod(start == end == 0, start, end, tuple(sorted(weekdays)))
        for (start, end), weekdays in days.items()
    ]


def password_table(entries: Any, year: int) -> bytes:
    """The 61-byte ``0x31`` payload for ``pwdInfo`` entries (``docs/ble.md`` §8.1 packing)."""
    body = bytes((year % 100,))
    for entry in entries:
        secret = int(entry.secret_key)
        code = int(entry.code)
        body += bytes(((code >> 4) & 0xFF, ((code & 0x0F) << 4) | ((secret >> 32) & 0x0F)))
        body += (secret & 0xFFFFFFFF).to_bytes(4, "big")
    return body


def lock_from_world(world: World, lock_id: int, **overrides: Any) -> SimulatedLock:
    """A lock built from, and writing back to, the world lock ``world.locks[lock_id]``.

    ``overrides`` are :class:`SimulatedLock` keyword arguments that win over the world's
    values; the :class:`WorldLink` doing the mirroring is ``lock.world_link``.
    """
    return WorldLink(world, lock_id, **overrides).lock


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
            # the world lock's clock drift (lock/queryDate, docs/lock-settings.md §5) included
            current = world.locks.get(lock_id)
            drift = current.clock_drift_ms if current is not None else 0
            utc = datetime.fromtimestamp((world.now_ms() + drift) / 1000, UTC)
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
            "lift_floors": source.card_floors,
            "lift_work_mode": source.lift_work_mode,
            "clock": _clock,
            "seed": f"{world.seed}|{source.lock_mac}",
        }
        options.update(overrides)
        self.lock = SimulatedLock(source.lock_mac, **options)
        self.lock.world_link = self
        # one memory: the lock's tables are views of the world lock's memory
        memory = lock_memory(source)
        window = _Window(world, offset)
        self.lock.passcodes = HeldPasscodes(memory, window)
        self.lock.cards = HeldCards(
            memory.cards, window, limit=_CARD_BYTES_MAX, start=PERMANENT_START
        )
        self.lock.fingerprints = HeldCards(
            memory.fingerprints, window, limit=_FINGER_ID_MAX, start=FP_SENTINEL_START
        )
        self.lock.access_rules = self
        memory.twin = self
        self._memory = memory
        self._keypad_verdict: KeypadVerdict | None = None
        self._reader_verdict: ReaderVerdict | None = None
        self._uploaded: LockRecord | None = None
        entries = keys.pwd_info_entries
        if entries:
            self.lock.password_table = password_table(entries, entries[0].year)
        # the settings the options above do not carry (overrides win over those)
        self.lock.switch_value = _world_switches(source)
        self.lock.passage_windows[:] = _windows(source)
        if (location := _hotel_location(source)) is not None:
            self.lock.hotel_data[_HOTEL_LOCATION] = location
        self._applying = False
        self._unsubscribe: list[Callable[[], None]] = [
            self.lock.add_listener(self._on_lock_event),
            world.on_record(self._on_world_record),
        ]
        self.lock.tick_hooks.append(self.sync_from_world)

    def detach(self) -> None:
        """Stop mirroring (the lock keeps its current state and goes on sharing the memory,
        but the world's keypad entry points no longer reach it)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self.sync_from_world in self.lock.tick_hooks:
            self.lock.tick_hooks.remove(self.sync_from_world)
        if self._memory.twin is self:
            self._memory.twin = None

    # --- the keypad and readers (AccessRules for the lock) ---------------------------------
    def _world_lock(self) -> WorldLock:
        return self.world.locks[self.lock_id]

    def lock_now_ms(self) -> int:
        """The lock's own clock (it may have been calibrated over Bluetooth) as epoch ms."""
        local = self.lock.now() - self._offset
        return int(local.replace(tzinfo=UTC).timestamp() * 1000)

    def keypad(self, entered: str) -> AccessDecision:
        """:class:`~simulator.ble.state.AccessRules`: the world's keypad rules."""
        if self.lock_id not in self.world.locks:
            return AccessDecision(False, LogKind.WRONG_PASSCODE)
        verdict = use_keypad(
            self._world_lock(), entered, self.lock_now_ms(), admin_code=self.lock.admin_code
        )
        self._keypad_verdict = verdict
        return AccessDecision(verdict.success, verdict.from_lock, verdict.code)

    def _reader(self, number: int, *, card: bool) -> AccessDecision:
        ok_kind, failed_kind = (
            (LogKind.IC_UNLOCK, LogKind.IC_FAILED)
            if card
            else (LogKind.FINGERPRINT_UNLOCK, LogKind.FINGERPRINT_FAILED)
        )
        if self.lock_id not in self.world.locks:
            return AccessDecision(False, failed_kind)
        kind = CARD_READER if card else FINGERPRINT_READER
        verdict = use_reader(self._world_lock(), kind, str(number), self.lock_now_ms())
        self._reader_verdict = verdict
        return AccessDecision(verdict.success, ok_kind if verdict.success else failed_kind)

    def card(self, number: int) -> AccessDecision:
        """:class:`~simulator.ble.state.AccessRules`: the world's card-reader rules."""
        return self._reader(number, card=True)

    def fingerprint(self, number: int) -> AccessDecision:
        """:class:`~simulator.ble.state.AccessRules`: the world's fingerprint rules."""
        return self._reader(number, card=False)

    def forget_code(self, code: str) -> bool:
        """:class:`~simulator.ble.state.AccessRules`: a Bluetooth delete of an offline code."""
        if self.lock_id not in self.world.locks:
            return False
        return forget_offline_code(self._world_lock(), code, self.lock_now_ms())

    # --- the world's keypad entry points for this lock (lockside.LockTwin) -------------
    def _forget_attempt(self) -> None:
        """Clear what the previous attempt left (the verdict the rules gave, the uploaded
        record): an attempt the lock ignores leaves them None."""
        self._keypad_verdict = self._reader_verdict = None
        self._uploaded = None

    def enter_code(self, digits: str) -> AccessResult:
        """``World.enter_code`` for this lock: typed on this lock's keypad."""
        self._forget_attempt()
        self.lock.enter_code(digits)
        verdict = self._keypad_verdict
        if verdict is None:  # the lock ignored the keypad (setting mode after a reset)
            return AccessResult(False, "setting_mode", None)
        listed = verdict.listed
        return AccessResult(
            verdict.success,
            verdict.reason,
            self._uploaded,
            listed.passcode_id if listed else None,
            listed.name if listed else "",
            verdict.erase,
        )

    def _present(self, number: str, *, card: bool) -> AccessResult:
        self._forget_attempt()
        value = int(number)
        if value >= (_CARD_BYTES_MAX if card else _FINGER_ID_MAX):
            raise ValueError("the reader reports at most 8 bytes (cards) / 6 bytes (fingers)")
        opened = self.lock.present_card(value) if card else self.lock.place_finger(value)
        verdict = self._reader_verdict
        if verdict is None:  # taken in add mode (enrolment) or ignored in setting mode
            reason = "setting_mode" if self.lock.setting_mode else "enrolled"
            return AccessResult(bool(opened) and reason == "enrolled", reason, None)
        listed = verdict.listed
        return AccessResult(
            verdict.success,
            verdict.reason,
            self._uploaded,
            listed.credential_id if listed else None,
            listed.name if listed else "",
        )

    def present_card(self, number: str) -> AccessResult:
        """``World.present_card`` for this lock: held to this lock's reader."""
        return self._present(number, card=True)

    def present_fingerprint(self, number: str) -> AccessResult:
        """``World.present_fingerprint`` for this lock: on this lock's sensor."""
        return self._present(number, card=False)

    # --- settings and clock: one truth, the world lock's fields (lockside.LockTwin) ----------
    def settings_changed(self) -> None:
        """:class:`~simulator.lockside.LockTwin`: the cloud changed the world lock's settings."""
        source = self.world.locks.get(self.lock_id)
        if source is not None:
            self._settings_from_world(source)

    def set_lock_time(self, epoch_ms: int) -> None:
        """:class:`~simulator.lockside.LockTwin`: ``lock/updateDate`` set the lock's clock."""
        moment = datetime.fromtimestamp(epoch_ms / 1000, UTC) + self._offset
        self.lock.set_clock(moment.replace(tzinfo=None))

    def _settings_from_world(self, source: WorldLock) -> None:
        lock = self.lock
        lock.auto_lock_seconds = max(0, source.auto_lock_time)
        lock.sound_on = source.lock_sound != 2
        lock.volume = source.sound_volume
        lock.remote_unlock = source.remote_unlock
        lock.switch_value = (lock.switch_value & ~_SWITCH_ALL) | _world_switches(source)
        weekly = _windows(source)
        if set(weekly) != {window for window in lock.passage_windows if window.kind == 1}:
            monthly = [window for window in lock.passage_windows if window.kind != 1]
            lock.passage_windows[:] = weekly + monthly
        if source.lock_type == _LIFT_CONTROLLER:
            lock.lift_floors = set(source.card_floors)
            lock.lift_work_mode = source.lift_work_mode

    def _settings_to_world(self) -> None:
        """A Bluetooth settings command changed the lock: the world lock takes what differs
        (a value the world holds as "unknown" stays so until the lock really changes it)."""
        source = self._world_lock()
        lock = self.lock
        if max(0, source.auto_lock_time) != lock.auto_lock_seconds:
            source.auto_lock_time = lock.auto_lock_seconds or -1
        if (source.lock_sound != 2) != lock.sound_on:
            source.lock_sound = 1 if lock.sound_on else 2
        source.sound_volume = lock.volume
        source.remote_unlock = lock.remote_unlock
        changed = (_world_switches(source) ^ lock.switch_value) & _SWITCH_ALL
        for attribute, bit in _SWITCH_ITEMS.items():
            if changed & bit:
                setattr(source, attribute, 1 if lock.switch_value & bit else 2)
        weekly = [window for window in lock.passage_windows if window.kind == 1]
        if set(weekly) != set(_windows(source)):
            source.passage_periods = _periods(weekly)
            source.passage_mode = 1 if lock.passage_windows else 2
        location = lock.hotel_data.get(_HOTEL_LOCATION, b"")
        if len(location) >= _HOTEL_LOCATION_BYTES:
            source.hotel_number = int.from_bytes(location[:3], "big")
            source.hotel_building, source.hotel_floor = location[3], location[4]
        if source.lock_type == _LIFT_CONTROLLER:
            if set(source.card_floors) != lock.lift_floors:
                source.lift_card_floors = sorted(lock.lift_floors)
            source.lift_work_mode = lock.lift_work_mode

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
        elif event.kind is EventKind.LIFT and self.lock.lift_activations:
            floors = self.lock.lift_activations[-1]
            self._world_lock().lift_activations.append(LiftActivation(floors, self.lock_now_ms()))
        elif event.kind is EventKind.SETTINGS:
            self._settings_to_world()
        elif event.kind is EventKind.RECORD and event.record is not None:
            self._upload(event.record)

    def _upload(self, record: OperationRecord) -> None:
        mapped = CLOUD_RECORD_TYPE.get(record.kind)
        if mapped is None:
            return
        record_type, success = mapped
        source = self._world_lock()
        username = ""
        secret = ""
        if record.uid:
            account = self.world.accounts.get(record.uid)
            username = account.username if account is not None else ""
        elif record.code is not None or record.entered is not None:
            # the cloud names a keypad record after the code's entry in its list
            listed = listed_passcode(source, record.code) if record.code else None
            username = listed.name if listed is not None else ""
            secret = (record.code if success else record.entered) or record.code or ""
        elif record.card is not None or record.fingerprint is not None:
            kind = CARD_READER if record.card is not None else FINGERPRINT_READER
            secret = str(record.card if record.card is not None else record.fingerprint)
            item = listed_credential(source, kind, secret)
            username = item.name if item is not None else ""
        lock_date = int((record.time - self._offset).replace(tzinfo=UTC).timestamp() * 1000)
        self._applying = True
        try:
            self._uploaded = self.world.add_record(
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
