"""Sending a new credential to its holder through a notify target the admin chooses.

The credential-creating actions accept ``share_to`` (notify entities such as
``notify.anna_phone`` or notify services such as ``notify.mobile_app_anna``) and an optional
``message`` template. Nothing is sent unless ``share_to`` is given. The message names the
lock(s), the code (passcodes), the validity and TTLock's first-use rule; it goes to the
targets only — it is never logged, stored or put in an event (the action's response lists
where it was sent).

Template variables: ``lock``, ``locks``, ``code``, ``codes`` (lock → code, offline codes
differ per lock), ``name``, ``holder``, ``kind``, ``starts_at``, ``ends_at``, ``validity``,
``rules``, ``receiver`` (eKeys).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import Context, HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, TemplateError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

NOTIFY: Final = "notify"
SHARE_FIELDS: Final[dict[Any, Any]] = {
    vol.Optional("share_to"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
    vol.Optional("message"): cv.string,
    vol.Optional("title"): cv.string,
}
"""Fields added to the credential-creating actions."""

DEFAULT_TITLE: Final = "Your access to {{ lock }}"
DEFAULT_MESSAGES: Final[dict[str, str]] = {
    "passcode": (
        "Your access code for {{ lock }}: {{ code }}. Valid {{ validity }}."
        "{% if rules %} {{ rules }}{% endif %}"
    ),
    "offline_passcode": (
        "Your access code for {{ lock }}: {{ code }}. Valid {{ validity }}."
        "{% if rules %} {{ rules }}{% endif %}"
    ),
    "card": "Your card now opens {{ lock }}. Valid {{ validity }}.",
    "fingerprint": "Your fingerprint now opens {{ lock }}. Valid {{ validity }}.",
    "face": "Your face now opens {{ lock }}. Valid {{ validity }}.",
    "ekey": (
        "You have a TTLock eKey for {{ lock }} (TTLock account {{ receiver }}). "
        "Valid {{ validity }}. Open it in the TTLock app."
    ),
}

type Handler = Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a notify entity or a legacy notify service."""

    name: str
    entity_id: str | None = None
    service: str | None = None


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def resolve_targets(hass: HomeAssistant, names: list[str]) -> list[Target]:
    """Notify entities or services; an unknown one is refused before anything is created."""
    targets: list[Target] = []
    for name in names:
        text = name.strip()
        domain, _, rest = text.partition(".")
        if domain == NOTIFY and rest and hass.states.get(text) is not None:
            targets.append(Target(text, entity_id=text))
            continue
        service = rest if domain == NOTIFY and rest else text
        if service and hass.services.has_service(NOTIFY, service):
            targets.append(Target(text, service=service))
            continue
        raise _invalid("share_target_unknown", target=text)
    return targets


def _check_template(hass: HomeAssistant, text: str | None) -> None:
    if text is None:
        return
    try:
        Template(text, hass).ensure_valid()
    except TemplateError as err:
        raise _invalid("share_message_invalid", error=str(err)) from err


def with_sharing(handler: Handler) -> Handler:
    """Wrap a credential-creating action: validate ``share_to`` first, run the action, then
    send each new credential to the targets and note where it went in the response."""

    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        names: list[str] | None = call.data.get("share_to")
        targets = resolve_targets(hass, names) if names else []
        _check_template(hass, call.data.get("message"))
        _check_template(hass, call.data.get("title"))
        response = await handler(hass, call)
        if not targets or not isinstance(response, dict):
            return response
        result: dict[str, Any] = dict(response)
        shared: list[dict[str, Any]] = []
        receiver = call.data.get("receiver") or call.data.get("ekey_receiver")
        for credential, holder in _credentials(result):
            variables = _variables(hass, credential, holder or call.data.get("holder"), receiver)
            message = _render(hass, call.data.get("message"), variables)
            title = _render(hass, call.data.get("title") or DEFAULT_TITLE, variables)
            for target in targets:
                shared.append(
                    {
                        "target": target.name,
                        "credential_id": credential.get("credential_id"),
                        **await _send(hass, call.context, target, title, message),
                    }
                )
        result["shared"] = shared
        return result

    return _handler


def _credentials(response: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    """(credential response, holder name) pairs of an action's response."""
    if "credentials" in response:  # grant_access, check_in
        holder = (response.get("holder") or {}).get("name")
        return [(c, holder) for c in response["credentials"]]
    if "staff" in response:  # add_staff
        return [(c, name) for name, c in response["staff"].items()]
    found: list[tuple[dict[str, Any], str | None]] = [(response, None)]
    if isinstance(response.get("fallback"), dict):  # create_passcode's offline fallback
        found.append((response["fallback"], None))
    return found


def _when(hass: HomeAssistant, value: str | None) -> str | None:
    if not value:
        return None
    moment = dt_util.parse_datetime(value)
    if moment is None:
        return value
    local = dt_util.as_local(moment)
    return local.strftime("%Y-%m-%d %H:%M")


def _validity(starts: str | None, ends: str | None) -> str:
    if starts and ends:
        return f"from {starts} until {ends}"
    if ends:
        return f"until {ends}"
    if starts:
        return f"from {starts}"
    return "permanently"


def _variables(
    hass: HomeAssistant, credential: dict[str, Any], holder: str | None, receiver: str | None
) -> dict[str, Any]:
    locks: dict[str, dict[str, Any]] = credential.get("locks") or {}
    names: dict[str, str] = {}
    for key in locks:
        state = hass.states.get(key)
        names[key] = state.name if state is not None else key
    codes = {names[key]: item["code"] for key, item in locks.items() if item.get("code")}
    code = credential.get("code")
    if code is None and codes:
        code = (
            next(iter(codes.values()))
            if len(set(codes.values())) == 1
            else ", ".join(f"{lock}: {c}" for lock, c in codes.items())
        )
    starts = _when(hass, credential.get("starts_at"))
    ends = _when(hass, credential.get("ends_at"))
    return {
        "lock": ", ".join(names.values()),
        "locks": list(names.values()),
        "code": code,
        "codes": codes,
        "name": credential.get("name"),
        "holder": holder or credential.get("name"),
        "kind": credential.get("kind"),
        "starts_at": starts,
        "ends_at": ends,
        "validity": _validity(starts, ends),
        "rules": " ".join(credential.get("rules") or []),
        "receiver": receiver,
    }


def _render(hass: HomeAssistant, text: str | None, variables: dict[str, Any]) -> str:
    if text is None:
        text = DEFAULT_MESSAGES.get(str(variables.get("kind")), DEFAULT_MESSAGES["passcode"])
    try:
        return str(Template(text, hass).async_render(variables, parse_result=False)).strip()
    except TemplateError as err:
        raise _invalid("share_message_invalid", error=str(err)) from err


async def async_share(
    hass: HomeAssistant,
    targets: list[Target],
    credential: dict[str, Any],
    holder: str | None,
    *,
    message: str | None = None,
    extra: dict[str, Any] | None = None,
    context: Context | None = None,
) -> list[dict[str, Any]]:
    """Send one credential (in its action-response form) to each target, outside an action
    (bookings from a calendar); ``extra``: more template variables. Where it went."""
    variables = _variables(hass, credential, holder, None) | (extra or {})
    text = _render(hass, message, variables)
    title = _render(hass, DEFAULT_TITLE, variables)
    return [
        {
            "target": target.name,
            "credential_id": credential.get("credential_id"),
            **await _send(hass, context, target, title, text),
        }
        for target in targets
    ]


async def _send(
    hass: HomeAssistant, context: Context | None, target: Target, title: str, message: str
) -> dict[str, Any]:
    try:
        if target.entity_id is not None:
            await hass.services.async_call(
                NOTIFY,
                "send_message",
                {"entity_id": target.entity_id, "title": title, "message": message},
                blocking=True,
                context=context,
            )
        else:
            await hass.services.async_call(
                NOTIFY,
                str(target.service),
                {"title": title, "message": message},
                blocking=True,
                context=context,
            )
    except HomeAssistantError as err:
        # the credential exists: report, do not fail the action (its response has the code)
        _LOGGER.warning("Could not send access details to %s: %s", target.name, type(err).__name__)
        return {"sent": False, "error": type(err).__name__}
    return {"sent": True, "sent_at": dt_util.now().isoformat()}  # Home Assistant's time zone
