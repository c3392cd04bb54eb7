"""The lock settings of the TTLock app as configuration entities (docs/lock-settings.md).

Switches, numbers, a select and a button, one description table each; the platform files add
them with one call (``async_add_setting_switches`` …). A setting's entity exists only where the
lock's feature bits say it has the setting (``exists_fn``); a change goes through
:func:`~.lock_settings.async_change` (Bluetooth in range, else the gateway or the lock's Wi-Fi).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockCoordinator
from .entity import TTLockLockEntity, async_add_per_device
from .lock_settings import (
    AUTO_LOCK_MAX,
    VOLUME_RANGE,
    AutoLockChange,
    Change,
    ClockSync,
    LockSettings,
    PassageAutoUnlock,
    PassageSwitch,
    RemoteUnlockChange,
    SettingChange,
    async_change,
    async_read_when_needed,
    settings_of,
)
from .models import LockRuntime
from .runtime import TTLockConfigEntry
from .sdk.model import SETTING_OFF, SETTING_ON, Feature, LockSetting

type Exists = Callable[[LockRuntime, bool], bool]
"""Whether a lock gets the entity: its runtime, and whether Home Assistant holds its keys
(it can reach the lock over Bluetooth)."""

OPEN_DIRECTIONS = ["left", "right"]


def _has(*features: Feature) -> Exists:
    return lambda rt, _keys: all(rt.lock.features.has(feature) for feature in features)


def _switch(setting: LockSetting) -> Callable[[bool], Change]:
    return lambda on: SettingChange(setting, SETTING_ON if on else SETTING_OFF)


@dataclass(frozen=True, kw_only=True)
class SettingSwitchDescription(SwitchEntityDescription):
    """An on/off setting of a lock."""

    exists_fn: Exists
    value_fn: Callable[[LockSettings], bool | None]
    change_fn: Callable[[bool], Change]


@dataclass(frozen=True, kw_only=True)
class SettingNumberDescription(NumberEntityDescription):
    """A numeric setting of a lock."""

    exists_fn: Exists
    value_fn: Callable[[LockSettings], int | None]
    change_fn: Callable[[int], Change]


@dataclass(frozen=True, kw_only=True)
class SettingSelectDescription(SelectEntityDescription):
    """A setting of a lock with named options."""

    exists_fn: Exists
    value_fn: Callable[[LockSettings], str | None]
    change_fn: Callable[[str], Change]


@dataclass(frozen=True, kw_only=True)
class SettingButtonDescription(ButtonEntityDescription):
    """A one-shot command on a lock's settings."""

    exists_fn: Exists
    change_fn: Callable[[], Change]


SETTING_SWITCHES: tuple[SettingSwitchDescription, ...] = (
    SettingSwitchDescription(
        # open while on, by its schedule (the configure_passage_mode action sets it)
        key="passage_mode",
        translation_key="passage_mode",
        exists_fn=_has(Feature.PASSAGE_MODE),
        value_fn=lambda settings: settings.passage_mode,
        change_fn=PassageSwitch,
    ),
    SettingSwitchDescription(
        key="passage_mode_auto_unlock",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="passage_mode_auto_unlock",
        exists_fn=_has(Feature.PASSAGE_MODE, Feature.PASSAGE_AUTO_UNLOCK),
        value_fn=lambda settings: settings.passage_auto_unlock,
        change_fn=PassageAutoUnlock,
    ),
    SettingSwitchDescription(
        key="lock_sound",
        translation_key="lock_sound",
        exists_fn=_has(Feature.VOICE_PROMPT),
        value_fn=lambda settings: settings.sound,
        change_fn=_switch(LockSetting.LOCK_SOUND),
    ),
    SettingSwitchDescription(
        key="privacy_lock",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="privacy_lock",
        exists_fn=_has(Feature.PRIVACY_LOCK),
        value_fn=lambda settings: settings.privacy_lock,
        change_fn=_switch(LockSetting.PRIVACY_LOCK),
    ),
    SettingSwitchDescription(
        key="tamper_alert",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="tamper_alert",
        exists_fn=_has(Feature.TAMPER_ALERT),
        value_fn=lambda settings: settings.tamper_alert,
        change_fn=_switch(LockSetting.TAMPER_ALERT),
    ),
    SettingSwitchDescription(
        key="reset_button",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="reset_button",
        exists_fn=_has(Feature.RESET_BUTTON),
        value_fn=lambda settings: settings.reset_button,
        change_fn=_switch(LockSetting.RESET_BUTTON),
    ),
    SettingSwitchDescription(
        # no cloud endpoint switches it (docs/lock-settings.md §8.1): Bluetooth only
        key="remote_unlock",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="remote_unlock",
        exists_fn=lambda rt, keys: keys and rt.lock.features.has(Feature.REMOTE_UNLOCK_SWITCH),
        value_fn=lambda settings: settings.remote_unlock,
        change_fn=RemoteUnlockChange,
    ),
)

SETTING_NUMBERS: tuple[SettingNumberDescription, ...] = (
    SettingNumberDescription(
        key="auto_lock_time",
        translation_key="auto_lock_time",
        device_class=NumberDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        native_min_value=0,  # off
        native_max_value=AUTO_LOCK_MAX,
        native_step=1,
        mode=NumberMode.BOX,
        exists_fn=_has(Feature.AUTO_LOCK),
        value_fn=lambda settings: settings.auto_lock_seconds,
        change_fn=AutoLockChange,
    ),
    SettingNumberDescription(
        key="sound_volume",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="sound_volume",
        native_min_value=VOLUME_RANGE[0],
        native_max_value=VOLUME_RANGE[1],
        native_step=1,
        mode=NumberMode.SLIDER,
        exists_fn=_has(Feature.VOLUME_LANGUAGE),
        value_fn=lambda settings: settings.volume,
        change_fn=lambda volume: SettingChange(LockSetting.SOUND_VOLUME, volume),
    ),
)

SETTING_SELECTS: tuple[SettingSelectDescription, ...] = (
    SettingSelectDescription(
        key="open_direction",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="open_direction",
        options=OPEN_DIRECTIONS,
        exists_fn=_has(Feature.OPEN_DIRECTION),
        value_fn=lambda settings: (
            None if settings.open_left is None else "left" if settings.open_left else "right"
        ),
        change_fn=lambda option: SettingChange(
            LockSetting.OPEN_DIRECTION, SETTING_ON if option == "left" else SETTING_OFF
        ),
    ),
)

SETTING_BUTTONS: tuple[SettingButtonDescription, ...] = (
    SettingButtonDescription(
        # a wrong lock clock makes valid passcodes fail (docs/lock-settings.md §5)
        key="sync_clock",
        entity_registry_enabled_default=False,  # rarely changed: enable when needed
        translation_key="sync_clock",
        exists_fn=lambda rt, keys: keys or rt.lock.is_remote,
        change_fn=ClockSync,
    ),
)


# ---------------------------------------------------------------------- adding them
def _add[
    D: (
        SettingSwitchDescription,
        SettingNumberDescription,
        SettingSelectDescription,
        SettingButtonDescription,
    )
](
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    make: Callable[[TTLockCoordinator, int, D], Entity],
    descriptions: tuple[D, ...],
) -> None:
    """The entities of ``descriptions`` each lock has (its feature bits, and whether Home
    Assistant holds its keys), now and when locks appear."""
    coordinator = entry.runtime_data.coordinator

    def _locks(lock_id: int) -> list[Entity]:
        rt = coordinator.data.locks[lock_id]
        keys = coordinator.ble.keys(rt) is not None
        return [make(coordinator, lock_id, d) for d in descriptions if d.exists_fn(rt, keys)]

    async_add_per_device(entry, async_add_entities, locks=_locks)


@callback
def async_add_setting_switches(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The on/off settings of every lock that has them, now and when locks appear."""
    _add(entry, async_add_entities, TTLockSettingSwitch, SETTING_SWITCHES)


@callback
def async_add_setting_numbers(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Auto-lock time and sound volume of every lock that has them."""
    _add(entry, async_add_entities, TTLockSettingNumber, SETTING_NUMBERS)


@callback
def async_add_setting_selects(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The opening direction of every lock that has it."""
    _add(entry, async_add_entities, TTLockSettingSelect, SETTING_SELECTS)


@callback
def async_add_setting_buttons(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """ "Sync clock" on every lock Home Assistant can reach one way or another."""
    _add(entry, async_add_entities, TTLockSettingButton, SETTING_BUTTONS)


# ---------------------------------------------------------------------- the entities
class TTLockSettingEntity(TTLockLockEntity):
    """A setting of a lock: a configuration entity; a Bluetooth-only lock's settings are
    read over Bluetooth when first needed."""

    _attr_entity_category = EntityCategory.CONFIG

    @property
    def settings(self) -> LockSettings:
        """What is known of the lock's settings."""
        return settings_of(self.coordinator, self.runtime)

    async def async_added_to_hass(self) -> None:
        """Start listening; read a Bluetooth-only lock's settings if not done yet."""
        await super().async_added_to_hass()
        async_read_when_needed(self.coordinator, self.lock_id)

    @callback
    def _handle_coordinator_update(self) -> None:
        async_read_when_needed(self.coordinator, self.lock_id)  # the lock may be in range now
        super()._handle_coordinator_update()

    async def _async_change(self, change: Change) -> None:
        await async_change(self.coordinator, self.lock_id, change)


class TTLockSettingSwitch(TTLockSettingEntity, SwitchEntity):
    """An on/off setting of a lock."""

    entity_description: SettingSwitchDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: SettingSwitchDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The setting (None: not known yet)."""
        return self.entity_description.value_fn(self.settings)

    @property
    def assumed_state(self) -> bool:
        """Unknown until read or set: offer both "on" and "off"."""
        return self.is_on is None

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on."""
        await self._async_change(self.entity_description.change_fn(True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off."""
        await self._async_change(self.entity_description.change_fn(False))


class TTLockSettingNumber(TTLockSettingEntity, NumberEntity):
    """A numeric setting of a lock."""

    entity_description: SettingNumberDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: SettingNumberDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | None:
        """The setting (None: not known yet)."""
        return self.entity_description.value_fn(self.settings)

    async def async_set_native_value(self, value: float) -> None:
        """Change the setting (Home Assistant checked the range and step)."""
        await self._async_change(self.entity_description.change_fn(round(value)))


class TTLockSettingSelect(TTLockSettingEntity, SelectEntity):
    """A setting of a lock with named options."""

    entity_description: SettingSelectDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: SettingSelectDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def current_option(self) -> str | None:
        """The setting (None: not known yet)."""
        return self.entity_description.value_fn(self.settings)

    async def async_select_option(self, option: str) -> None:
        """Change the setting."""
        await self._async_change(self.entity_description.change_fn(option))


class TTLockSettingButton(TTLockSettingEntity, ButtonEntity):
    """A one-shot command on a lock's settings."""

    entity_description: SettingButtonDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: SettingButtonDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    async def async_press(self) -> None:
        """Run the command."""
        await self._async_change(self.entity_description.change_fn())
