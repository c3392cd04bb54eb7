"""Pick the backend: the C extension when it imports and matches, else the Python twin."""

import importlib
import logging
from typing import TYPE_CHECKING, cast

from . import _twin
from ._api import Backend, BackendName

_LOGGER = logging.getLogger(__package__)
C_MODULE = f"{__package__}._codegen"

if TYPE_CHECKING:  # both backends must satisfy the protocol
    from . import _codegen

    _C_CHECK: Backend = _codegen
    _TWIN_CHECK: Backend = _twin


def load_c_backend() -> Backend | None:
    """The C extension, or None when it is missing, blocked or built from other sources."""
    try:
        module = importlib.import_module(C_MODULE)
    except ImportError as err:
        _LOGGER.debug("C code generator unavailable (%s); using the Python twin", err)
        return None
    if getattr(module, "API_VERSION", None) != _twin.API_VERSION:
        _LOGGER.warning("C code generator is stale (API_VERSION mismatch); rebuild it")
        return None
    return cast(Backend, module)


def load_backend() -> tuple[BackendName, Backend]:
    """(name, backend): ``("c", _codegen)`` when available, else ``("python", _twin)``."""
    c_backend = load_c_backend()
    if c_backend is None:
        return "python", _twin
    return "c", c_backend
