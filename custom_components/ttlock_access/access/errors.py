"""Domain errors of the access model; the service layer turns them into translated errors."""

from __future__ import annotations


class AccessError(Exception):
    """A request the access model refuses: ``key`` names the translation, ``placeholders``
    fill it. ``invalid``: the caller's input is wrong (``ServiceValidationError``);
    otherwise the lock or cloud could not do it (``HomeAssistantError``)."""

    def __init__(self, key: str, *, invalid: bool = True, **placeholders: str) -> None:
        super().__init__(key)
        self.key = key
        self.invalid = invalid
        self.placeholders = placeholders
