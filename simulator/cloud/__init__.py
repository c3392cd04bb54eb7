"""The simulated TTLock cloud's HTTP face: the Open Platform endpoints and the ``/sim/`` controls.

* :mod:`.server` — the aiohttp application (:func:`~.server.create_app`), its dispatcher
  (client, quota, date, token and injected faults before any endpoint) and
  :class:`~.server.CloudServer`;
* :mod:`.registry` — the endpoint registry (``@api``) and :class:`~.registry.ApiRequest`;
* endpoints: :mod:`.oauth`, :mod:`.locks` (locks, gateways, records), :mod:`.meters`
  (electricity and water meters),
  :mod:`.settings` (lock settings, passage mode, lock clock, gateway detail, door sensor),
  :mod:`.passcodes`, :mod:`.cards` (IC cards, fingerprints, faces), :mod:`.ekeys`, with
  :mod:`.manage` for what the credential calls share;
* :mod:`.controls` — the ``/sim/`` fault-injection and control endpoints.

Everything here reads and changes one :class:`~simulator.world.World`; nothing below this
package imports it.
"""
