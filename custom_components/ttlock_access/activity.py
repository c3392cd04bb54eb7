"""Lock activity: record → classification → deduplication → attribution → outputs.

Records come from three sources and all go through :class:`ActivityManager`:

* the TTLock webhook (``webhook.py``, notifyType 1), within a second of the event;
* the lock's operation log, read over Bluetooth when the lock advertises new records;
* ``lockRecord/list``, polled by the coordinator as the fallback while no push arrives.

Each record is

1. **classified** into an :class:`EventType` and a :class:`Method`, from the cloud
   ``recordType`` or the lock-side log type (docs/cloud.md §2.7,
   docs/ble.md §5.8); unknown types become :attr:`EventType.OTHER`;
2. **deduplicated** by (lock, record id) and (lock, second, event type, method), so a record
   pushed, polled and read over Bluetooth is emitted once;
3. **attributed** to Home Assistant and its user when it is the record of a lock or unlock
   Home Assistant sent (:meth:`ActivityManager.async_command`), else to a managed credential
   (matched by code, card or fingerprint number, eKey receiver or name) and its holder, else
   to the record's user or credential name;
4. **applied**: lock and door state (with auto-lock inference), per-credential use counters;
5. **emitted**: the lock's event entity, its ``changed_by``, and the bus event
   ``ttlock_access_activity`` (automations, device triggers, logbook).

Codes, card numbers and keys are only compared here: no activity, event, state, log line or
diagnostic ever carries them (docs/architecture.md rule 6).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .activity_types import DEFAULT_LABELS, Activity, Source, home_assistant_label
from .const import DOMAIN, EVENT_ACTIVITY, SIGNAL_ACTIVITY
from .models import find_lock_entity_id, lock_device_identifier
from .sdk.ble import GetOperationLog, LogRecord, TTLockBleError, decode_lock_data
from .sdk.model import DoorState, LockRecord, OpenState
from .sdk.records import (
    EventType,
    Method,
    classify_cloud,
    classify_log,
)

if TYPE_CHECKING:
    from .access import AccessManager
    from .coordinator import TTLockCoordinator
    from .models import LockRuntime

_LOGGER = logging.getLogger(__name__)


LOW_BATTERY: Final = 20
"""Percent at or below which a record's battery level raises one ``low_battery`` event."""
LOW_BATTERY_CLEAR: Final = 25
HISTORY_GRACE: Final = timedelta(minutes=5)
"""Polled or Bluetooth records older than setup minus this are history: remembered, not
emitted (a restart must not replay the last day as new events)."""
POLL_OVERLAP_MS: Final = 10 * 60 * 1000
"""Polls ask for records from this long before the newest one seen (late uploads)."""
RECORD_POLL_PAGE: Final = 100
WATERMARK_SLACK_MS: Final = 24 * 3600 * 1000
"""Lock clocks drift and time zones differ: records up to a day ahead still count."""
SEEN_PER_LOCK: Final = 4096
"""Dedup keys kept per lock at most (2–3 per record; a lock stores 500 records)."""
SEEN_RETAIN: Final = timedelta(hours=2)
"""Dedup keys are kept this long (lock time): far beyond the poll overlap and push retries."""
BLE_RETRY: Final = timedelta(minutes=2)
REPLAY_RETAIN: Final = timedelta(days=7)
"""Cloud records seen are remembered on disk this long (lock time), so that a push replayed
after a restart — by TTLock's retries or by whoever holds the callback URL — is not a
second event or a second use. A pushed record older than this is history: not emitted."""
REPLAY_PER_LOCK: Final = 4096
REPLAY_SAVE_DELAY: Final = 10
"""Seconds: the seen-record keys are written at most this often."""
STORE_VERSION: Final = 1
COMMAND_MATCH: Final = timedelta(minutes=2)
"""A lock's app or gateway record dated this close to a command Home Assistant sent (lock
clock against ours) is that command's record: credited to Home Assistant, not the account."""
COMMANDS_PER_LOCK: Final = 16
"""Commands remembered per lock for matching their records (polled records come late)."""
_COMMAND_METHODS: Final = frozenset({Method.APP, Method.GATEWAY})
_LABELS_KEY: Final = "component.{domain}.entity.lock.lock.state_attributes.changed_by.state."


def activity_storage_key(entry_id: str) -> str:
    """Store of an entry's seen-record keys (removed with the entry)."""
    return f"{DOMAIN}.activity_{entry_id}"


def _digest(key: tuple[Any, ...]) -> str:
    """A short digest of a dedup key: the Store holds no names from records."""
    return hashlib.sha256(repr(key).encode()).hexdigest()[:20]


_CREDENTIAL_KINDS: Final[dict[Method, tuple[str, ...]]] = {
    Method.PASSCODE: ("passcode", "offline_passcode"),
    Method.CARD: ("card",),
    Method.FINGERPRINT: ("fingerprint",),
    Method.FACE: ("face",),
    Method.APP: ("ekey",),
    Method.GATEWAY: ("ekey",),
    Method.EKEY: ("ekey",),
}
"""Credential kinds (``CredentialKind`` values) that a record of a method may come from."""


@dataclass(slots=True, kw_only=True)
class Command:
    """A lock or unlock Home Assistant sent: its records are credited to Home Assistant."""

    locked: bool
    at: datetime
    user: str | None = None
    """The Home Assistant user's name, when the call had one."""
    context: Context | None = None
    credited: set[str] = field(default_factory=set)
    """Record families already credited to it (``cloud``, ``bluetooth``): one each."""


@dataclass(slots=True, kw_only=True)
class _Observation:
    """A record from any source, before attribution (may hold secrets: never logged)."""

    lock_id: int
    event_type: EventType
    method: Method
    success: bool
    at: datetime
    source: Source
    record_type: int | None
    record_id: int | None = None
    lock_ms: int = 0
    username: str = ""
    secret: str = field(default="", repr=False)
    """The code / card number / fingerprint number the record names (matching only)."""
    battery: int | None = None
    uploaded_ms: int = 0
    """When the cloud got the record (``serverDate``): a polled one it had long enough
    without pushing it is a missed push."""


class ActivityManager:
    """Activity of one config entry's locks."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        coordinator: TTLockCoordinator,
        access: AccessManager,
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.access = access
        self.started_at = dt_util.utcnow()
        self.last: dict[int, Activity] = {}
        self._changed_by: dict[int, str] = {}
        self.watermark: dict[int, int] = {}
        """Newest cloud ``lockDate`` (epoch ms) processed per lock."""
        self.stats: dict[str, int] = dict.fromkeys(
            ("webhook", "poll", "bluetooth", "emitted", "duplicates", "history", "ignored"), 0
        )
        self._seen: dict[int, OrderedDict[tuple[Any, ...], tuple[int, int, int]]] = {}
        """Dedup keys per lock → (lock time s, cloud count, Bluetooth count)."""
        self._low_battery: dict[int, bool] = {}
        self._ble_busy: set[int] = set()
        self._ble_retry_at: dict[int, datetime] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._offsets: dict[int, tuple[int, int]] = {}
        self._replay: dict[int, dict[str, int]] = {}
        """Per lock: digests of cloud records seen → their lock time (s); on disk."""
        self._store: Store[dict[str, dict[str, int]]] = Store(
            hass, STORE_VERSION, activity_storage_key(entry.entry_id)
        )
        self._commands: dict[int, deque[Command]] = {}
        self._auto_locked_at: dict[int, datetime] = {}
        self.labels: dict[str, str] = dict(DEFAULT_LABELS)
        """``changed_by`` labels in Home Assistant's language (English when missing)."""

    async def async_load(self) -> None:
        """The cloud records seen before the restart (replays of them are duplicates), and
        the ``changed_by`` labels in Home Assistant's language."""
        await self._async_load_labels()
        stored = await self._store.async_load() or {}
        horizon = int((dt_util.utcnow() - REPLAY_RETAIN).timestamp())
        for lock_id, keys in stored.items():
            if str(lock_id).isdigit() and isinstance(keys, dict):
                self._replay[int(lock_id)] = {
                    k: at for k, at in keys.items() if isinstance(at, int) and at >= horizon
                }

    async def _async_load_labels(self) -> None:
        """Labels from the integration's translations (Home Assistant falls back to English
        for what a language lacks)."""
        prefix = _LABELS_KEY.format(domain=DOMAIN)
        translated = await async_get_translations(
            self.hass, self.hass.config.language, "entity", {DOMAIN}
        )
        for key in DEFAULT_LABELS:
            if text := translated.get(prefix + key):
                self.labels[key] = text

    def _stored(self) -> dict[str, dict[str, int]]:
        return {str(lock_id): keys for lock_id, keys in self._replay.items() if keys}

    # ------------------------------------------------------------------ lifecycle
    @callback
    def async_start(self) -> None:
        """Follow advertisements (read the operation log of locks with new records) and
        poll the cloud's records after each inventory (the fallback of pushes)."""
        if not self._unsubs:
            coordinator = self.coordinator
            self._unsubs.append(coordinator.async_add_listener(self._on_update))
            if coordinator.client is not None:
                coordinator.async_set_records_reader(self.async_read_records)
                self._unsubs.append(lambda: coordinator.async_set_records_reader(None))

    @callback
    def async_stop(self) -> None:
        """Stop following the coordinator (the seen-record keys are written at once)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._replay:
            self.hass.async_create_task(self._store.async_save(self._stored()))

    def changed_by(self, lock_id: int) -> str | None:
        """``changed_by`` of a lock: who or what last locked or unlocked it."""
        return self._changed_by.get(lock_id)

    # ------------------------------------------------------------------ Home Assistant's commands
    @callback
    def async_command(
        self, lock_id: int, *, locked: bool, user: str | None, context: Context | None
    ) -> Command:
        """Home Assistant is about to lock or unlock a lock: the lock's record of it (an app
        or gateway record of this account, dated within :data:`COMMAND_MATCH`) will be
        credited to Home Assistant and its user. Noted before sending: a push may bring the
        record before the command returns; kept if the command fails (a lost reply may still
        have moved the bolt — only a record says so)."""
        command = Command(locked=locked, at=dt_util.utcnow(), user=user, context=context)
        self._commands.setdefault(lock_id, deque(maxlen=COMMANDS_PER_LOCK)).append(command)
        return command

    @callback
    def async_command_done(self, lock_id: int, command: Command) -> None:
        """The command succeeded: ``changed_by`` credits Home Assistant at once."""
        self._changed_by[lock_id] = home_assistant_label(self.labels, command.user)

    def _command_of(self, obs: _Observation) -> Command | None:
        """The command of Home Assistant's that a record is the trace of, if any."""
        if obs.method not in _COMMAND_METHODS or obs.event_type not in (
            EventType.LOCKED,
            EventType.UNLOCKED,
            EventType.LOCK_FAILED,
            EventType.UNLOCK_FAILED,
        ):
            return None
        account = str(self.entry.data.get(CONF_USERNAME) or "").casefold()
        if obs.username and obs.username.strip().casefold() != account:
            return None  # another account's app or key
        locked = obs.event_type in (EventType.LOCKED, EventType.LOCK_FAILED)
        family = "bluetooth" if obs.source is Source.BLUETOOTH else "cloud"
        candidates = [
            command
            for command in self._commands.get(obs.lock_id, ())
            if command.locked is locked
            and family not in command.credited
            and abs(obs.at - command.at) <= COMMAND_MATCH
        ]
        if not candidates:
            return None
        command = min(candidates, key=lambda c: abs(obs.at - c.at))
        command.credited.add(family)
        return command

    def signal(self, lock_id: int) -> str:
        """Dispatcher signal of one lock's activities (its event entity listens)."""
        entry_id = self.entry.entry_id
        return SIGNAL_ACTIVITY.format(f"{entry_id}_{lock_id}")

    # ------------------------------------------------------------------ record polling
    async def async_read_records(self, lock_id: int) -> None:
        """Read one lock's ``lockRecord/list`` since the newest record seen (schedule.py
        decides when). Sign-in and quota errors are the coordinator's."""
        floor = int((self.started_at - HISTORY_GRACE).timestamp() * 1000)
        start = max(0, self.watermark.get(lock_id, floor) - POLL_OVERLAP_MS)
        records = await self.coordinator.cloud.list_lock_records(
            lock_id, start_ms=start, page_size=RECORD_POLL_PAGE, max_pages=1
        )
        await self.async_process_cloud(records, Source.POLL)

    # ------------------------------------------------------------------ cloud records
    async def async_process_cloud(self, records: Iterable[LockRecord], source: Source) -> int:
        """Records from the webhook or ``lockRecord/list``; returns how many were emitted."""
        observations: list[_Observation] = []
        locks = self.coordinator.data.locks
        now_ms = int(dt_util.utcnow().timestamp() * 1000)
        for record in records:
            self.stats[source.value] += 1
            event, method = classify_cloud(record)
            lock_ms = record.lock_date or record.server_date or 0
            observations.append(
                _Observation(
                    lock_id=record.lock_id,
                    event_type=event,
                    method=method,
                    success=record.success,
                    at=datetime.fromtimestamp(lock_ms / 1000, UTC) if lock_ms else _now(),
                    source=source,
                    record_type=record.record_type,
                    record_id=record.record_id,
                    lock_ms=lock_ms,
                    username=record.username,
                    secret=record.keyboard_pwd,
                    battery=record.battery,
                    uploaded_ms=record.server_date or lock_ms,
                )
            )
            # a record dated in the future (a wrong lock clock, a forged push) never moves the
            # watermark past now: later real records would not be polled
            if 0 < lock_ms <= now_ms + WATERMARK_SLACK_MS and record.lock_id in locks:
                self.watermark[record.lock_id] = max(self.watermark.get(record.lock_id, 0), lock_ms)
        return await self._async_handle(observations)

    # ------------------------------------------------------------------ Bluetooth records
    @callback
    def _on_update(self) -> None:
        """A lock advertising unread records, in reach and with keys: read its log. A lock
        the coordinator found relocked by itself (auto-lock, inferred from autoLockTime):
        ``changed_by`` says so, not the last person who unlocked it."""
        now = dt_util.utcnow()
        for lock_id, rt in self.coordinator.data.locks.items():
            if (
                rt.state_source == "auto_lock"
                and rt.state is OpenState.LOCKED
                and rt.state_at is not None
                and self._auto_locked_at.get(lock_id) != rt.state_at
            ):
                self._auto_locked_at[lock_id] = rt.state_at
                self._changed_by[lock_id] = self.labels[Method.AUTO_LOCK.value]
            if not rt.ble_has_events or lock_id in self._ble_busy:
                continue
            if (retry := self._ble_retry_at.get(lock_id)) is not None and now < retry:
                continue
            if not self.coordinator.ble.in_range(rt):
                continue
            self._ble_busy.add(lock_id)
            self.entry.async_create_background_task(
                self.hass, self._async_read_log(lock_id), f"{DOMAIN} operation log {lock_id}"
            )

    async def _async_read_log(self, lock_id: int) -> None:
        try:
            rt = self.coordinator.data.locks.get(lock_id)
            if rt is None:
                return
            try:
                records = await self.coordinator.ble.async_run(
                    rt, lambda keys, _now: GetOperationLog(keys)
                )
            except TTLockBleError as err:
                self._ble_retry_at[lock_id] = dt_util.utcnow() + BLE_RETRY
                _LOGGER.debug("Reading the log of %s failed: %s", rt.lock.name, type(err).__name__)
                return
            self._ble_retry_at.pop(lock_id, None)
            rt.ble_has_events = False
            await self.async_process_log(rt, records)
        finally:
            self._ble_busy.discard(lock_id)

    async def async_process_log(self, rt: LockRuntime, records: Iterable[LogRecord]) -> int:
        """Records read from the lock's operation log over Bluetooth."""
        zone = timezone(timedelta(milliseconds=self._lock_offset(rt)))
        observations: list[_Observation] = []
        for record in records:
            self.stats[Source.BLUETOOTH.value] += 1
            event, method = classify_log(record)
            secret = ""
            if record.card_number is not None:
                secret = str(record.card_number)
            elif record.fingerprint_id is not None:
                secret = str(record.fingerprint_id)
            elif record.passcode:
                secret = record.passcode
            elif record.entered_passcode:
                secret = record.entered_passcode
            at = record.time.replace(tzinfo=zone).astimezone(UTC) if record.time else _now()
            observations.append(
                _Observation(
                    lock_id=rt.lock.lock_id,
                    event_type=event,
                    method=method,
                    success=event not in (EventType.UNLOCK_FAILED, EventType.LOCK_FAILED),
                    at=at,
                    source=Source.BLUETOOTH,
                    record_type=record.type,
                    secret=secret,
                    battery=record.battery if 0 <= record.battery <= 100 else None,
                )
            )
        return await self._async_handle(observations)

    def _lock_offset(self, rt: LockRuntime) -> int:
        """The lock's ``timezoneRawOffset`` (ms): its log is dated in lock wall time.

        From lock/detail, else from the lockData of lock/list (no extra call), else 0 (a
        local lock's clock is set to UTC)."""
        if rt.detail is not None and rt.detail.timezone_raw_offset is not None:
            return rt.detail.timezone_raw_offset
        lock_data = rt.lock.lock_data
        if not lock_data:
            return 0
        digest = hash(lock_data)
        cached = self._offsets.get(rt.lock.lock_id)
        if cached is not None and cached[0] == digest:
            return cached[1]
        try:
            offset = int(decode_lock_data(lock_data).get("timezoneRawOffset") or 0)
        except (TTLockBleError, TypeError, ValueError):
            offset = 0
        self._offsets[rt.lock.lock_id] = (digest, offset)
        return offset

    # ------------------------------------------------------------------ the pipeline
    async def _async_handle(self, observations: list[_Observation]) -> int:
        emitted = 0
        locks = self.coordinator.data.locks
        for obs in sorted(observations, key=lambda o: o.at):
            rt = locks.get(obs.lock_id)
            if rt is None:
                self.stats["ignored"] += 1
                continue
            if self._duplicate(obs):
                self.stats["duplicates"] += 1
                continue
            if obs.source is not Source.WEBHOOK and obs.at < self.started_at - HISTORY_GRACE:
                self.stats["history"] += 1
                continue
            if obs.source is Source.WEBHOOK and obs.at < dt_util.utcnow() - REPLAY_RETAIN:
                self.stats["history"] += 1  # too old to tell from a replay: not emitted
                continue
            activity = await self._attribute(rt, obs)
            self._apply_state(rt, activity)
            self._emit(activity)
            emitted += 1
            rt.activity_at = max(rt.activity_at or obs.at, obs.at)
            if obs.battery is not None and rt.activity_at == obs.at:
                rt.record_battery = obs.battery
            if obs.source is Source.POLL and rt.lock.is_remote and obs.uploaded_ms:
                uploaded = datetime.fromtimestamp(obs.uploaded_ms / 1000, UTC)
                self.coordinator.push.polled(obs.lock_id, uploaded, dt_util.utcnow())
            if (low := self._battery_event(rt, obs)) is not None:
                self._emit(low)
                emitted += 1
        if emitted:
            self.coordinator.async_update_listeners()
        return emitted

    def _duplicate(self, obs: _Observation) -> bool:
        """Seen before? Remembers the record either way.

        * Cloud vs cloud (a push retried, a pushed record polled again): the record id, or
          (lockDate ms, recordType, success, username) — the same record on TTLock's server.
        * Cloud vs Bluetooth (the same lock event read both ways): per (second, event type,
          method), a record of one side matches one not yet matched of the other side.

        Keys are kept for :data:`SEEN_RETAIN` of lock time (well beyond the poll overlap),
        at most :data:`SEEN_PER_LOCK` per lock.
        """
        seen = self._seen.setdefault(obs.lock_id, OrderedDict())
        at = int(obs.at.timestamp())
        second = ("s", at, obs.event_type.value, obs.method.value)
        bluetooth = obs.source is Source.BLUETOOTH
        if not bluetooth:
            keys: list[tuple[Any, ...]] = [
                ("c", obs.lock_ms, obs.record_type, obs.success, obs.username)
            ]
            if obs.record_id is not None:
                keys.append(("id", obs.record_id))
            if any(key in seen for key in keys) or self._replayed(obs.lock_id, keys, at):
                return True
            for key in keys:
                seen[key] = (at, 0, 0)
        _, cloud, ble = seen.get(second) or (at, 0, 0)
        duplicate = (ble > cloud) if not bluetooth else (cloud > ble)
        seen[second] = (at, cloud + (not bluetooth), ble + bluetooth)
        seen.move_to_end(second)
        horizon = at - int(SEEN_RETAIN.total_seconds())
        while seen and (len(seen) > SEEN_PER_LOCK or next(iter(seen.values()))[0] < horizon):
            seen.popitem(last=False)
        return duplicate

    def _replayed(self, lock_id: int, keys: list[tuple[Any, ...]], at: int) -> bool:
        """Whether a cloud record was seen before (across restarts); remembers it if not."""
        remembered = self._replay.setdefault(lock_id, {})
        digests = [_digest(key) for key in keys]
        if any(digest in remembered for digest in digests):
            return True
        for digest in digests:
            remembered[digest] = at
        if len(remembered) > REPLAY_PER_LOCK:
            oldest = sorted(remembered.items(), key=lambda item: item[1])
            for digest, _at in oldest[: len(remembered) - REPLAY_PER_LOCK]:
                del remembered[digest]
        self._store.async_delay_save(self._stored, REPLAY_SAVE_DELAY)
        return False

    async def _attribute(self, rt: LockRuntime, obs: _Observation) -> Activity:
        activity = Activity(
            lock_id=obs.lock_id,
            lock_name=rt.lock.name,
            event_type=obs.event_type,
            method=obs.method,
            success=obs.success,
            at=obs.at,
            source=obs.source,
            record_type=obs.record_type,
            battery=obs.battery,
        )
        if (command := self._command_of(obs)) is not None:
            activity.home_assistant = True
            activity.ha_user = command.user
            activity.context = command.context
            return activity
        access = self.access
        credential = access.credential_used(
            obs.lock_id,
            _CREDENTIAL_KINDS.get(obs.method, ()),
            secret=obs.secret,
            username=obs.username,
            opened=obs.success,
        )
        if obs.method in (Method.APP, Method.GATEWAY, Method.EKEY) and obs.username:
            activity.user = obs.username
        elif obs.username:
            activity.credential = obs.username  # the name the lock/cloud knows the code by
        if credential is None:
            return activity
        activity.credential = credential.name
        activity.credential_id = credential.credential_id
        activity.credential_kind = credential.kind.value
        if credential.kind.value == "ekey" and obs.method is Method.APP:
            activity.method = Method.EKEY
        if credential.holder_id and (holder := access.state.holders.get(credential.holder_id)):
            activity.holder = holder.name
        if obs.success and obs.event_type in (EventType.UNLOCKED, EventType.LOCKED):
            activity.uses = await access.async_record_use(credential.credential_id, obs.at)
        else:
            activity.uses = credential.uses
        return activity

    def _apply_state(self, rt: LockRuntime, activity: Activity) -> None:
        if not activity.success:
            return
        coordinator = self.coordinator
        if activity.event_type is EventType.UNLOCKED:
            coordinator.async_apply_record_state(rt, OpenState.UNLOCKED, activity.at)
        elif activity.event_type is EventType.LOCKED:
            coordinator.async_apply_record_state(rt, OpenState.LOCKED, activity.at)
        elif activity.event_type is EventType.DOOR_OPEN:
            coordinator.async_apply_door(rt, DoorState.OPEN, activity.at)
        elif activity.event_type is EventType.DOOR_CLOSED:
            coordinator.async_apply_door(rt, DoorState.CLOSED, activity.at)

    def _battery_event(self, rt: LockRuntime, obs: _Observation) -> Activity | None:
        """One ``low_battery`` event when a record's battery level crosses the threshold."""
        if obs.battery is None:
            return None
        lock_id = obs.lock_id
        if obs.battery > LOW_BATTERY_CLEAR:
            self._low_battery[lock_id] = False
            return None
        if obs.battery > LOW_BATTERY or self._low_battery.get(lock_id):
            return None
        self._low_battery[lock_id] = True
        return Activity(
            lock_id=lock_id,
            lock_name=rt.lock.name,
            event_type=EventType.LOW_BATTERY,
            method=Method.LOCK,
            success=True,
            at=obs.at,
            source=obs.source,
            battery=obs.battery,
        )

    def _emit(self, activity: Activity) -> None:
        """Event entity, changed_by and the bus event (device triggers, logbook)."""
        if activity.event_type is not EventType.LOW_BATTERY:
            self.last[activity.lock_id] = activity
        if activity.success and activity.event_type in (EventType.UNLOCKED, EventType.LOCKED):
            self._changed_by[activity.lock_id] = activity.changed_by_in(self.labels)
        self.stats["emitted"] += 1
        async_dispatcher_send(self.hass, self.signal(activity.lock_id), activity)
        self.hass.bus.async_fire(
            EVENT_ACTIVITY, self.event_data(activity), context=activity.context
        )

    def event_data(self, activity: Activity) -> dict[str, Any]:
        """The bus event's data."""

        device = dr.async_get(self.hass).async_get_device_by_identifier(
            lock_device_identifier(activity.lock_id), self.entry.entry_id
        )
        entity_id = find_lock_entity_id(self.hass, activity.lock_id)
        return {
            "device_id": device.id if device else None,
            "entity_id": entity_id,
            "lock_id": activity.lock_id,
            "lock_name": activity.lock_name,
            "event_type": activity.event_type.value,
            **activity.data(),
            "description": activity.describe(),
        }

    # ------------------------------------------------------------------ other pushes
    async def async_pushed(
        self, lock_id: int, event: EventType, method: Method, record_type: int
    ) -> None:
        """An event pushed without a record (a door sensor bound to one of our locks)."""
        obs = _Observation(
            lock_id=lock_id,
            event_type=event,
            method=method,
            success=True,
            at=_now(),
            source=Source.WEBHOOK,
            record_type=record_type,
        )
        await self._async_handle([obs])

    @callback
    def async_emit_unbound(self, activity: Activity, **extra: Any) -> None:
        """A bus event for a device that is not a lock (a standalone door sensor)."""
        self.stats["emitted"] += 1
        self.hass.bus.async_fire(
            EVENT_ACTIVITY,
            {
                "device_id": None,
                "entity_id": None,
                "lock_id": None,
                **extra,
                "lock_name": activity.lock_name,
                "event_type": activity.event_type.value,
                **activity.data(),
                "description": activity.describe(),
            },
        )

    # ------------------------------------------------------------------ diagnostics
    def diagnostics(self) -> dict[str, Any]:
        """Counters and timestamps (no record content)."""
        return {
            "records": dict(self.stats),
            "push": self.coordinator.push.state.value,
            "last_push": push_at.isoformat()
            if (push_at := self.coordinator.push.last_push)
            else None,
            "wifi_online": {
                str(lock_id): rt.wifi_online
                for lock_id, rt in self.coordinator.data.locks.items()
                if rt.lock.is_wifi
            },
            "last": {
                str(lock_id): {
                    "event_type": a.event_type.value,
                    "method": a.method.value,
                    "source": a.source.value,
                    "at": a.at.isoformat(),
                }
                for lock_id, a in self.last.items()
            },
        }


def _now() -> datetime:
    return dt_util.utcnow()
