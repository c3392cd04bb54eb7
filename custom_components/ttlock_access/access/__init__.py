"""The access model: holders → credentials → locks, and the persisted queue that puts them
there and takes them off (docs/access-model.md).

``model`` (data), ``manager`` (Store, changes, repair issues), ``queue`` (the runner),
``executors`` (one spec per credential kind), ``ledger`` (monthly passcode limit),
``holders`` (what the actions do with people's access), ``adopt`` (credentials made
elsewhere), ``verify`` (drift detection).
"""

from .errors import AccessError
from .manager import AccessManager
from .model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
    OpAction,
    PlacementState,
)

__all__ = [
    "AccessError",
    "AccessManager",
    "Credential",
    "CredentialKind",
    "CredentialStatus",
    "Holder",
    "HolderKind",
    "OpAction",
    "PlacementState",
]
