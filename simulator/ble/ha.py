"""Register a :class:`~.scanner.VirtualProxyScanner` with Home Assistant (recipe step 4).

Only for code that runs inside Home Assistant (the ``ttlock_sim`` dev integration, HA tests);
it imports ``homeassistant.components.bluetooth``.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant

from .peripheral import VirtualAir
from .scanner import DEFAULT_ADAPTER, DEFAULT_SOURCE, VirtualProxyScanner

__all__ = ["async_register_virtual_proxy"]


def async_register_virtual_proxy(
    hass: HomeAssistant,
    air: VirtualAir,
    *,
    source: str = DEFAULT_SOURCE,
    adapter: str = DEFAULT_ADAPTER,
    slots: int = 2,
    advertise_interval: float | None = None,
) -> tuple[VirtualProxyScanner, Callable[[], None]]:
    """Register a proxy for ``air`` with HA's bluetooth manager (after bluetooth is set up).

    Advertises once, or every ``advertise_interval`` seconds. Returns the scanner and a
    callable that removes everything again (timers included); call it before a test ends or
    on ``EVENT_HOMEASSISTANT_STOP``.
    """
    scanner = VirtualProxyScanner(air, source=source, adapter=adapter, slots=slots)
    cancel = bluetooth.async_register_scanner(hass, scanner)
    unsetup = scanner.async_setup()
    scanner.publish_allocations()
    if advertise_interval:
        scanner.start_advertising(advertise_interval)
    else:
        scanner.inject()

    def _remove() -> None:
        scanner.close()
        unsetup()
        cancel()

    return scanner, _remove
