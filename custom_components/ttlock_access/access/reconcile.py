"""What a placement still needs, and how it shows — from what is wanted (the credential's
status) and what is known of the lock (its presence). Pure functions (docs/access-model.md).
"""

from __future__ import annotations

from homeassistant.util import dt as dt_util

from .model import Credential, OpAction, Placement, PlacementState, Presence


def need(credential: Credential, placement: Placement, lock_known: bool = True) -> OpAction | None:
    """What a placement still needs, from what is wanted and what is known of the lock (a
    lock that left the account gets nothing new; what may be on it still has to go)."""
    if credential.removal_wanted:
        return OpAction.REMOVE if placement.presence is not Presence.ABSENT else None
    if placement.presence is Presence.ABSENT and (placement.refused is not None or not lock_known):
        return None
    if placement.presence is not Presence.PRESENT:
        return OpAction.ADD
    return None if placement.window_synced else OpAction.UPDATE


def settle(credential: Credential, placement: Placement, lock_known: bool) -> None:
    """Derive the placement's displayed state."""
    absent = placement.presence is Presence.ABSENT
    if credential.removal_wanted:
        state = PlacementState.REMOVED if absent else PlacementState.REMOVING
    elif placement.refused is not None and absent:
        state = PlacementState.FAILED
    elif placement.presence is Presence.PRESENT:
        state = PlacementState.SET
    elif not lock_known:
        state = PlacementState.UNKNOWN
    else:
        state = PlacementState.SETTING
    if state is not placement.state:
        placement.state = state
        placement.updated_at = dt_util.utcnow()
