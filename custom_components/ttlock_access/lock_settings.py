"""Lock settings (docs/lock-settings.md): one change over the best path, and what Home Assistant
knows of each lock's settings.

A :class:`Change` is one setting change: its Bluetooth operations and its cloud call.
:func:`async_change` runs it over the best path (:func:`~.paths.run_on_lock`: Bluetooth in
range, else the gateway or the lock's Wi-Fi; docs/architecture.md rule 3), turns failures into
translated errors (rule 7) and keeps ``rt.detail`` — the lock's settings as ``lock/detail``
reports them — in step. A change made over Bluetooth on an account lock is then recorded in the
cloud (``type`` / ``changeType`` 1), so that the TTLock app and the next ``lock/detail`` agree
with the lock.

Where the values come from: account locks — ``lock/detail``, read by the coordinator's
schedule, and the changes made from Home Assistant. A Bluetooth-only entry has no cloud: its
settings are read over Bluetooth once, when an entity first needs them and the lock is in range
(:func:`async_read_when_needed`); until then they are unknown. The remote-unlock switch lives
only in the lock (no cloud endpoint, docs/lock-settings.md §8.1): unknown on account locks
until Home Assistant sets it.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .ble import lock_wall_time
from .const import DOMAIN
from .coordinator import TTLockCoordinator
from .errors import async_reauth_needed, translated
from .models import LockRuntime, Path
from .paths import run_explained
from .sdk.ble import (
    AddPassageMode,
    CalibrateTime,
    ClearPassageMode,
    GetAutoLock,
    GetLockSound,
    GetPassageMode,
    GetRemoteUnlock,
    GetSwitches,
    LockKeys,
    Operation,
    PassageModeEntry,
    PassageModeType,
    SetAutoLock,
    SetLockSound,
    SetRemoteUnlock,
    SetSwitch,
    TTLockBleError,
    decode_lock_data,
)
from .sdk.ble.const import SwitchItem
from .sdk.cloud import TTLockCloud
from .sdk.cloud.errors import (
    AuthError,
    AutoLockPeriodInvalidError,
    LockOfflineError,
    NotSupportedError,
    TTLockError,
)
from .sdk.model import (
    SETTING_OFF,
    SETTING_ON,
    Feature,
    LockDetail,
    LockSetting,
    PassageMode,
    PassagePeriod,
)

_LOGGER = logging.getLogger(__name__)

type OpFactory = Callable[[LockKeys, datetime], Operation[Any]]
"""Builds one Bluetooth operation from the lock's keys and its wall time (ble.py)."""

AUTO_LOCK_MAX = 900
"""The longest auto-lock the cloud and a physical lock accept (docs/lock-settings.md §3)."""
VOLUME_RANGE = (1, 5)
READ_RETRY = timedelta(minutes=15)
"""A Bluetooth-only lock whose settings could not be read is tried again after this long."""
ALL_WEEK = PassagePeriod(all_day=True, weekdays=frozenset(range(1, 8)))
"""Passage mode switched on without a schedule: open all day, every day."""
LAST_LOCK_MINUTE = 24 * 60 - 1
"""A Bluetooth passage window ends at 23:59 at the latest (docs/ble.md §5.9)."""

_DETAIL_FIELD: dict[LockSetting, str] = {
    LockSetting.PRIVACY_LOCK: "privacy_lock",
    LockSetting.TAMPER_ALERT: "tamper_alert",
    LockSetting.RESET_BUTTON: "reset_button",
    LockSetting.LOCK_SOUND: "lock_sound",
    LockSetting.OPEN_DIRECTION: "open_direction",
    LockSetting.SOUND_VOLUME: "sound_volume",
}
"""``updateSetting`` type → the ``lock/detail`` field that reports it."""
_SWITCH_ITEM: dict[LockSetting, SwitchItem] = {
    LockSetting.PRIVACY_LOCK: SwitchItem.PRIVACY_LOCK,
    LockSetting.TAMPER_ALERT: SwitchItem.TAMPER_ALERT,
    LockSetting.RESET_BUTTON: SwitchItem.RESET_BUTTON,
    LockSetting.OPEN_DIRECTION: SwitchItem.UNLOCK_DIRECTION_LEFT,  # set = left (1)
}
"""Settings the ``0x68`` switch command changes over Bluetooth (docs/ble.md §5.3)."""
_SWITCH_FEATURES = (
    Feature.TAMPER_ALERT,
    Feature.RESET_BUTTON,
    Feature.PRIVACY_LOCK,
    Feature.OPEN_DIRECTION,
    Feature.PASSAGE_AUTO_UNLOCK,
)


# ---------------------------------------------------------------------- what is known
@dataclass(frozen=True, slots=True, kw_only=True)
class LockSettings:
    """A lock's settings as Home Assistant knows them (None: unknown)."""

    auto_lock_seconds: int | None = None
    """0: off."""
    sound: bool | None = None
    volume: int | None = None
    privacy_lock: bool | None = None
    tamper_alert: bool | None = None
    reset_button: bool | None = None
    open_left: bool | None = None
    passage_mode: bool | None = None
    passage_auto_unlock: bool | None = None
    remote_unlock: bool | None = None


@dataclass(slots=True)
class _Local:
    """Per lock: what only the lock itself tells, and the Bluetooth read of a local entry."""

    remote_unlock: bool | None = None
    read_at: datetime | None = None
    """Last Bluetooth read of a local entry's settings (attempt)."""
    read: bool = False
    """That read found something: not read again."""


_LOCAL: WeakKeyDictionary[TTLockCoordinator, dict[int, _Local]] = WeakKeyDictionary()


def _local(coordinator: TTLockCoordinator, lock_id: int) -> _Local:
    return _LOCAL.setdefault(coordinator, {}).setdefault(lock_id, _Local())


def _on(value: int | None) -> bool | None:
    """1 on / 2 off (``lock/detail``); anything else unknown."""
    return {SETTING_ON: True, SETTING_OFF: False}.get(value) if value is not None else None


def settings_of(coordinator: TTLockCoordinator, rt: LockRuntime) -> LockSettings:
    """What is known of the lock's settings: ``rt.detail`` and what only the lock tells."""
    remote_unlock = _local(coordinator, rt.lock.lock_id).remote_unlock
    detail = rt.detail
    if detail is None:
        return LockSettings(remote_unlock=remote_unlock)
    auto_lock = detail.auto_lock_time
    return LockSettings(
        auto_lock_seconds=None if auto_lock is None else max(auto_lock, 0),
        sound=_on(detail.lock_sound),
        volume=detail.sound_volume,
        privacy_lock=_on(detail.privacy_lock),
        tamper_alert=_on(detail.tamper_alert),
        reset_button=_on(detail.reset_button),
        open_left=_on(detail.open_direction),
        passage_mode=detail.passage_mode,
        passage_auto_unlock=detail.passage_mode_auto_unlock,
        remote_unlock=remote_unlock,
    )


def utc_offset_ms(rt: LockRuntime) -> int | None:
    """The lock's ``timezoneRawOffset``: from lock/detail, else from the lockData of
    lock/list; None for a Bluetooth-only lock (its clock runs on UTC)."""
    if rt.detail is not None and rt.detail.timezone_raw_offset is not None:
        return rt.detail.timezone_raw_offset
    if not rt.lock.lock_data:
        return None
    try:
        return int(decode_lock_data(rt.lock.lock_data).get("timezoneRawOffset") or 0)
    except (TTLockBleError, TypeError, ValueError):
        return None


def base_detail(rt: LockRuntime) -> LockDetail:
    """A detail with no settings known yet (a lock whose ``lock/detail`` was not read, or a
    Bluetooth-only lock)."""
    lock = rt.lock
    return LockDetail(
        lock_id=lock.lock_id,
        name=lock.name,
        mac=lock.mac,
        battery=lock.battery,
        features=lock.features,
        has_gateway=lock.has_gateway,
        timezone_raw_offset=utc_offset_ms(rt),
    )


# ---------------------------------------------------------------------- changes
def _switch_op(item: SwitchItem, on: bool) -> OpFactory:
    """``0x68`` set of one switch bit (admin; docs/ble.md §5.3)."""
    return lambda keys, _now: SetSwitch(keys, item, on)


def _switch_query(keys: LockKeys, _now: datetime) -> Operation[tuple[int, int]]:
    """``0x68`` query: (items the lock has, their bits)."""
    return GetSwitches(keys)


class Change(ABC):
    """One setting change, over Bluetooth or through the cloud."""

    recorded: ClassVar[bool] = True
    """After a Bluetooth change on an account lock, record it in the cloud (type 1)."""
    over_cloud: ClassVar[bool] = True
    """The cloud can make this change through a gateway or the lock's Wi-Fi."""

    async def prepare(self, client: TTLockCloud | None, rt: LockRuntime) -> Change:
        """The change to run, once what it depends on is known (default: itself)."""
        return self

    @abstractmethod
    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        """Its Bluetooth operations, in order."""

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        """Its cloud call: through the gateway / Wi-Fi, or (``via_gateway=False``) recording
        a change made over Bluetooth."""
        raise NotImplementedError  # pragma: no cover - over_cloud is False

    def applied(self, detail: LockDetail) -> LockDetail:
        """The lock's settings after the change."""
        return detail

    def apply(self, coordinator: TTLockCoordinator, rt: LockRuntime) -> None:
        """Home Assistant's knowledge of the lock's settings follows the change."""
        rt.detail = self.applied(rt.detail or base_detail(rt))


@dataclass(frozen=True, slots=True)
class SettingChange(Change):
    """An ``updateSetting`` setting: on/off (1/2), open direction (1 left / 2 right) or the
    sound volume (1–5)."""

    setting: LockSetting
    value: int

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        setting, value = self.setting, self.value
        if setting in _SWITCH_ITEM:
            return [_switch_op(_SWITCH_ITEM[setting], value == SETTING_ON)]
        if setting is LockSetting.LOCK_SOUND:
            return [lambda keys, _now: SetLockSound(keys, value == SETTING_ON)]
        if setting is LockSetting.SOUND_VOLUME:
            # the volume comes with "sound on" over Bluetooth: switch a silent lock off again
            ops: list[OpFactory] = [lambda keys, _now: SetLockSound(keys, True, volume=value)]
            if rt.detail is not None and rt.detail.lock_sound == SETTING_OFF:
                ops.append(lambda keys, _now: SetLockSound(keys, False))
            return ops
        raise ValueError(f"{setting.name.lower()} is not a Home Assistant setting")

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        await client.update_setting(lock_id, self.setting, self.value, via_gateway=via_gateway)

    def applied(self, detail: LockDetail) -> LockDetail:
        changes: dict[str, Any] = {_DETAIL_FIELD[self.setting]: self.value}
        return replace(detail, **changes)


@dataclass(frozen=True, slots=True)
class AutoLockChange(Change):
    """Auto-lock after ``seconds`` (1–900), 0 = off."""

    seconds: int

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        seconds = self.seconds
        return [lambda keys, _now: SetAutoLock(keys, seconds)]

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        await client.set_auto_lock_time(lock_id, self.seconds, via_gateway=via_gateway)

    def applied(self, detail: LockDetail) -> LockDetail:
        # lock/detail reports "off" as -1 (docs/lock-settings.md §3)
        return replace(detail, auto_lock_time=self.seconds if self.seconds > 0 else -1)


def _passage_entries(mode: PassageMode) -> list[PassageModeEntry]:
    """The lock's weekly windows: one per weekday of each period (all day = 00:00–00:00)."""
    periods = mode.periods or (ALL_WEEK,)
    return [
        PassageModeEntry(
            PassageModeType.WEEKLY,
            day,
            0,
            0 if period.all_day else period.start_minute,
            0 if period.all_day else min(period.end_minute, LAST_LOCK_MINUTE),
        )
        for period in periods
        for day in sorted(period.weekdays)
    ]


@dataclass(frozen=True, slots=True)
class PassageConfigure(Change):
    """Replace the passage-mode configuration (on/off, auto-unlock, up to five periods).

    Over Bluetooth passage mode *is* its windows: clear them, then add the periods' when on;
    auto-unlock is a ``0x68`` switch bit."""

    mode: PassageMode

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        ops: list[OpFactory] = [lambda keys, _now: ClearPassageMode(keys)]
        if self.mode.enabled:
            entries = _passage_entries(self.mode)
            ops.append(lambda keys, _now: AddPassageMode(keys, entries))
        known = rt.detail.passage_mode_auto_unlock if rt.detail else None
        if rt.lock.features.has(Feature.PASSAGE_AUTO_UNLOCK) and known != self.mode.auto_unlock:
            ops.append(_switch_op(SwitchItem.PASSAGE_MODE_AUTO_UNLOCK, self.mode.auto_unlock))
        return ops

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        await client.configure_passage_mode(lock_id, self.mode, via_gateway=via_gateway)

    def applied(self, detail: LockDetail) -> LockDetail:
        return replace(
            detail,
            passage_mode=self.mode.enabled,
            passage_mode_auto_unlock=self.mode.auto_unlock,
        )


@dataclass(frozen=True, slots=True)
class PassageSwitch(Change):
    """Passage mode on or off, keeping the schedule the cloud holds (none: all week)."""

    enabled: bool

    async def prepare(self, client: TTLockCloud | None, rt: LockRuntime) -> Change:
        if client is not None:
            current = await client.get_passage_mode(rt.lock.lock_id)
            periods = current.periods or (ALL_WEEK,)
            return PassageConfigure(
                PassageMode(enabled=self.enabled, auto_unlock=current.auto_unlock, periods=periods)
            )
        # a Bluetooth-only lock keeps no schedule once switched off: on means all week
        auto_unlock = bool(rt.detail and rt.detail.passage_mode_auto_unlock)
        return PassageConfigure(
            PassageMode(enabled=self.enabled, auto_unlock=auto_unlock, periods=(ALL_WEEK,))
        )

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        raise AssertionError("prepared into PassageConfigure")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class PassageAutoUnlock(Change):
    """Passage-mode auto-unlock: a switch bit over Bluetooth; through the cloud, part of the
    passage-mode configuration (read first, ``current``)."""

    on: bool
    current: PassageMode | None = None

    async def prepare(self, client: TTLockCloud | None, rt: LockRuntime) -> Change:
        if client is None:
            return self
        return PassageAutoUnlock(self.on, await client.get_passage_mode(rt.lock.lock_id))

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        return [_switch_op(SwitchItem.PASSAGE_MODE_AUTO_UNLOCK, self.on)]

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        current = self.current or PassageMode(enabled=False)
        mode = PassageMode(enabled=current.enabled, auto_unlock=self.on, periods=current.periods)
        await client.configure_passage_mode(lock_id, mode, via_gateway=via_gateway)

    def applied(self, detail: LockDetail) -> LockDetail:
        return replace(detail, passage_mode_auto_unlock=self.on)


@dataclass(frozen=True, slots=True)
class RemoteUnlockChange(Change):
    """Allow or forbid unlocking through a gateway: Bluetooth only (no cloud endpoint,
    docs/lock-settings.md §8.1)."""

    recorded: ClassVar[bool] = False
    over_cloud: ClassVar[bool] = False

    on: bool

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        on = self.on
        return [lambda keys, _now: SetRemoteUnlock(keys, on)]

    def apply(self, coordinator: TTLockCoordinator, rt: LockRuntime) -> None:
        _local(coordinator, rt.lock.lock_id).remote_unlock = self.on


@dataclass(frozen=True, slots=True)
class ClockSync(Change):
    """Set the lock's clock: to Home Assistant's time over Bluetooth, to the cloud's through
    the gateway (``lock/updateDate``)."""

    recorded: ClassVar[bool] = False

    def bluetooth(self, rt: LockRuntime) -> list[OpFactory]:
        # the lock's wall time, even before lock/detail has told its time zone
        offset = utc_offset_ms(rt)
        return [lambda keys, _now: CalibrateTime(keys, lock_wall_time(offset))]

    async def cloud(self, client: TTLockCloud, lock_id: int, *, via_gateway: bool) -> None:
        await client.sync_lock_clock(lock_id)

    def apply(self, coordinator: TTLockCoordinator, rt: LockRuntime) -> None:
        return  # no setting changed


# ---------------------------------------------------------------------- running a change
async def async_change(coordinator: TTLockCoordinator, lock_id: int, change: Change) -> Path:
    """Run ``change`` on a lock over the best path; the lock's known settings follow and the
    entities are told. Returns the path taken."""
    rt = coordinator.data.locks[lock_id]  # entities of removed locks are gone / unavailable
    client = coordinator.client
    try:
        change = await change.prepare(client, rt)
    except TTLockError as err:
        if (specific := _explain(rt, err)) is not None:
            raise specific from err
        with translated(coordinator.hass, coordinator.config_entry, rt.lock.name):
            raise
    ops = change.bluetooth(rt)

    async def _bluetooth(fallback: bool) -> None:
        for make in ops:
            await coordinator.ble.async_run(rt, make, fallback=fallback)

    async def _remote(_path: Path) -> None:
        assert client is not None
        await _async_cloud(coordinator, rt, change, client)

    remote: Callable[[Path], Awaitable[None]] | None = None
    if client is not None and change.over_cloud:
        remote = _remote
    _, path = await run_explained(
        coordinator.hass,
        coordinator.config_entry,
        rt.lock.name,
        coordinator.paths(rt),
        bluetooth=_bluetooth,
        remote=remote,
        explain=lambda err: _explain(rt, err),
    )
    rt.last_path = path
    change.apply(coordinator, rt)
    if path is Path.BLUETOOTH and client is not None and change.recorded:
        await _async_record(coordinator, rt, change, client)
    coordinator.async_update_listeners()
    return path


async def _async_cloud(
    coordinator: TTLockCoordinator, rt: LockRuntime, change: Change, client: TTLockCloud
) -> None:
    """The change through the gateway or the lock's Wi-Fi (a Wi-Fi lock's link is learnt)."""
    try:
        await change.cloud(client, rt.lock.lock_id, via_gateway=True)
    except LockOfflineError:
        if rt.lock.is_wifi:
            rt.wifi_online = False
            coordinator.async_update_listeners()
        raise
    if rt.lock.is_wifi:
        rt.wifi_online = True


async def _async_record(
    coordinator: TTLockCoordinator, rt: LockRuntime, change: Change, client: TTLockCloud
) -> None:
    """Tell the cloud what changed over Bluetooth (type 1), so its copy agrees. The lock has
    the change whatever happens here: a failure is only logged."""
    try:
        await change.cloud(client, rt.lock.lock_id, via_gateway=False)
    except (TTLockError, ValueError) as err:
        if isinstance(err, AuthError):
            async_reauth_needed(coordinator.hass, coordinator.config_entry)
        _LOGGER.warning(
            "%s: changed over Bluetooth, but the TTLock cloud did not record it (%s); the "
            "TTLock app shows the old value until the setting is changed again",
            rt.lock.name,
            err,
        )


def _explain(rt: LockRuntime, err: Exception) -> Exception | None:
    """What a failed setting change means, where the general translation would mislead
    (None: the general one)."""
    name = rt.lock.name
    if isinstance(err, (NotSupportedError, AutoLockPeriodInvalidError)):
        key = "setting_not_supported" if isinstance(err, NotSupportedError) else "auto_lock_invalid"
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"name": name, "max": str(AUTO_LOCK_MAX)},
        )
    if isinstance(err, (TTLockError, TTLockBleError)):
        return None
    # the SDK refused to send a value it knows the lock would refuse
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="setting_value_invalid",
        translation_placeholders={"name": name, "reason": str(err)},
    )


# ---------------------------------------------------------------------- Bluetooth-only entries
@callback
def async_read_when_needed(coordinator: TTLockCoordinator, lock_id: int) -> None:
    """A Bluetooth-only entry's settings are read over Bluetooth once, when first needed and
    the lock is in range (again after :data:`READ_RETRY` if nothing could be read)."""
    if coordinator.client is not None:
        return  # account locks: lock/detail, read by the coordinator's schedule
    rt = coordinator.data.locks.get(lock_id)
    local = _local(coordinator, lock_id)
    if rt is None or local.read:
        return
    now = dt_util.utcnow()
    if local.read_at is not None and now - local.read_at < READ_RETRY:
        return
    if not coordinator.ble.in_range(rt):
        return
    local.read_at = now
    # a background task: unloading or stopping cancels it rather than waiting for a link
    coordinator.config_entry.async_create_background_task(
        coordinator.hass,
        _async_read_bluetooth(coordinator, rt),
        f"ttlock_access read settings of {rt.lock.name}",
    )


@dataclass(slots=True)
class _Read:
    """What one Bluetooth read found (None: not read)."""

    detail: dict[str, Any] = field(default_factory=dict)
    remote_unlock: bool | None = None


async def _async_read_bluetooth(coordinator: TTLockCoordinator, rt: LockRuntime) -> None:
    features = rt.lock.features

    async def _read[T](make: Callable[[LockKeys, datetime], Operation[T]]) -> T | None:
        try:
            return await coordinator.ble.async_run(rt, make)
        except TTLockBleError as err:
            _LOGGER.debug("Reading a setting of %s failed: %s", rt.lock.name, err)
            return None

    found = _Read()
    if features.has(Feature.AUTO_LOCK):
        auto_lock = await _read(lambda keys, _now: GetAutoLock(keys))
        if auto_lock is not None:
            found.detail["auto_lock_time"] = auto_lock.seconds or -1
    if features.has(Feature.VOICE_PROMPT) or features.has(Feature.VOLUME_LANGUAGE):
        sound = await _read(lambda keys, _now: GetLockSound(keys))
        if sound is not None:
            found.detail["lock_sound"] = SETTING_ON if sound.enabled else SETTING_OFF
            found.detail["sound_volume"] = sound.volume
    if any(features.has(feature) for feature in _SWITCH_FEATURES):
        switches = await _read(_switch_query)
        if switches is not None:
            items, bits = switches
            for setting, item in _SWITCH_ITEM.items():
                if items & item:
                    found.detail[_DETAIL_FIELD[setting]] = (
                        SETTING_ON if bits & item else SETTING_OFF
                    )
            if items & SwitchItem.PASSAGE_MODE_AUTO_UNLOCK:
                auto_unlock = bool(bits & SwitchItem.PASSAGE_MODE_AUTO_UNLOCK)
                found.detail["passage_mode_auto_unlock"] = auto_unlock
    if features.has(Feature.PASSAGE_MODE):
        windows = await _read(lambda keys, _now: GetPassageMode(keys))
        if windows is not None:
            found.detail["passage_mode"] = bool(windows)
    if features.has(Feature.REMOTE_UNLOCK_SWITCH):
        found.remote_unlock = await _read(lambda keys, _now: GetRemoteUnlock(keys))
    local = _local(coordinator, rt.lock.lock_id)
    if found.remote_unlock is not None:
        local.remote_unlock = found.remote_unlock
    if found.detail:
        rt.detail = replace(rt.detail or base_detail(rt), **found.detail)
    if found.detail or found.remote_unlock is not None:
        local.read = True
        coordinator.async_update_listeners()
