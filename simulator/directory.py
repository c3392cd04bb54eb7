"""Who calls the simulated cloud: accounts, developer apps, their tokens and API counters.

:class:`Directory` is the part of :class:`~simulator.world.World` that the HTTP dispatcher
asks before any endpoint runs (§ numbers refer to ``docs/cloud.md``):

* §1.1 regions: an account and a developer app live in exactly one region (``eu``/``cn``);
* §1.2 tokens: ``expires_in`` 7 776 000 s (90 days), refresh tokens valid 10 years, the
  password stored as the lower-case MD5 hex the client sends; a refresh rotates the refresh
  token (the old one then gives 10011) but leaves the old access token valid until it
  expires [INFERRED];
* §1.3 ``date`` within 5 minutes of server time (checked by the dispatcher with
  :attr:`Directory.date_tolerance_ms`);
* §3.1 the monthly API quota (30007) and call restrictions (30006).

Fault knobs: :meth:`Directory.change_password` (revokes the account's tokens),
:meth:`Directory.revoke_tokens` (10004, refresh → 10011), :meth:`Directory.expire_tokens`
(10004, refresh still works), :meth:`Directory.set_quota` / :meth:`Directory.set_usage`
(30007), :meth:`Directory.set_rate_limit` (30006).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

from .clock import Clock
from .codes import CloudError
from .entities import Account, DeveloperApp, Token

__all__ = ["Directory", "is_md5_hex", "md5_hex"]

DEFAULT_TOKEN_LIFETIME_S = 7_776_000  # 90 days (§1.2)
DEFAULT_REFRESH_LIFETIME_S = 10 * 365 * 86_400  # 10 years (§1.2)
DATE_TOLERANCE_MS = 5 * 60 * 1000  # §1.3
_MD5_RE = re.compile(r"^[0-9a-f]{32}$")


def md5_hex(text: str) -> str:
    """Lower-case MD5 hex of a UTF-8 string (what clients send as ``password``)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def is_md5_hex(value: str) -> bool:
    """True for a 32-character lower-case hex string (§1.2: otherwise 30005)."""
    return bool(_MD5_RE.match(value))


class Directory:
    """Accounts, developer apps, tokens and API accounting, on one clock."""

    def __init__(self, *, clock: Clock, default_monthly_quota: int | None = None) -> None:
        self.clock = clock
        self.default_monthly_quota = default_monthly_quota
        self.token_lifetime_s = DEFAULT_TOKEN_LIFETIME_S
        self.refresh_lifetime_s = DEFAULT_REFRESH_LIFETIME_S
        self.date_tolerance_ms = DATE_TOLERANCE_MS
        self.accounts: dict[int, Account] = {}
        self.apps: dict[str, DeveloperApp] = {}
        self.tokens: dict[str, Token] = {}
        self._refresh_index: dict[str, Token] = {}
        #: Plain-text passwords of scenario accounts, only for printing demo credentials.
        self.scenario_passwords: dict[str, str] = {}

    # --- time ---------------------------------------------------------------------------
    def now_ms(self) -> int:
        return self.clock.now_ms()

    def month_key(self, at_ms: int | None = None) -> str:
        moment = datetime.fromtimestamp((self.now_ms() if at_ms is None else at_ms) / 1000, UTC)
        return f"{moment.year:04d}-{moment.month:02d}"

    # --- accounts and apps ----------------------------------------------------------------
    def add_account(
        self,
        username: str,
        password: str | None = None,
        *,
        password_md5: str | None = None,
        region: str = "eu",
        uid: int | None = None,
        nickname: str = "",
    ) -> Account:
        if self.account_by_username(username) is not None:
            raise ValueError(f"account {username!r} exists")
        if password_md5 is None:
            if password is None:
                raise ValueError("password or password_md5 required")
            password_md5 = md5_hex(password)
        if uid is None:
            uid = max(self.accounts, default=8_000_000) + 1
        account = Account(uid, username, password_md5.lower(), region, nickname or username)
        self.accounts[uid] = account
        return account

    def account_by_username(self, username: str) -> Account | None:
        wanted = username.strip().lower()
        for account in self.accounts.values():
            if account.username.lower() == wanted:
                return account
        return None

    def _account(self, username: str) -> Account:
        account = self.account_by_username(username)
        if account is None:
            raise KeyError(f"no account {username!r}")
        return account

    def add_app(
        self,
        client_id: str,
        client_secret: str,
        *,
        region: str = "eu",
        callback_url: str | None = None,
        monthly_quota: int | None = None,
    ) -> DeveloperApp:
        app = DeveloperApp(
            client_id,
            client_secret,
            region,
            callback_url,
            monthly_quota if monthly_quota is not None else self.default_monthly_quota,
        )
        self.apps[client_id] = app
        return app

    # --- tokens (§1.2) -------------------------------------------------------------------
    def login(self, app: DeveloperApp, username: str, password_md5: str, region: str) -> Token:
        """Password grant; raises 30005 / 10007 / 30008."""
        if not is_md5_hex(password_md5):
            raise CloudError(30005, "password must be the 32-character lower-case MD5 hex")
        account = self.account_by_username(username)
        if account is None:
            raise CloudError(10007, "unknown account or wrong password")
        if account.region != region:
            raise CloudError(
                30008,
                f"this account belongs to the {account.region} region; "
                f"use the {account.region} API host",
            )
        if account.password_md5 != password_md5:
            raise CloudError(10007, "unknown account or wrong password")
        return self.issue_token(account.uid, app.client_id)

    def issue_token(self, uid: int, client_id: str) -> Token:
        now = self.now_ms()
        token = Token(
            access_token=secrets.token_hex(16),
            refresh_token=secrets.token_hex(16),
            uid=uid,
            client_id=client_id,
            issued_ms=now,
            expires_in=self.token_lifetime_s,
            refresh_expires_ms=now + self.refresh_lifetime_s * 1000,
        )
        self.tokens[token.access_token] = token
        self._refresh_index[token.refresh_token] = token
        return token

    def refresh(self, app: DeveloperApp, refresh_token: str) -> Token:
        """Refresh grant; the old refresh token is spent (10011 afterwards)."""
        old = self._refresh_index.get(refresh_token)
        if (
            old is None
            or old.client_id != app.client_id
            or old.revoked
            or old.refresh_spent
            or self.now_ms() > old.refresh_expires_ms
        ):
            raise CloudError(10011, "the refresh_token is invalid, spent, revoked or expired")
        old.refresh_spent = True
        return self.issue_token(old.uid, app.client_id)

    def authenticate(self, access_token: str | None, client_id: str) -> Token:
        """Check an access token: 10003 missing, 10004 unknown/expired/revoked/other app."""
        if not access_token:
            raise CloudError(10003, "accessToken is required")
        token = self.tokens.get(access_token)
        if token is None:
            raise CloudError(10004, "the access token is invalid")
        if token.client_id != client_id:
            raise CloudError(10004, "the access token was issued to another client")
        if token.revoked:
            raise CloudError(10004, "the access token has been revoked")
        if self.now_ms() >= token.expires_ms:
            raise CloudError(10004, "the access token has expired")
        return token

    def _tokens_of(self, username: str | None, client_id: str | None) -> list[Token]:
        uid = self._account(username).uid if username is not None else None
        return [
            token
            for token in self.tokens.values()
            if (uid is None or token.uid == uid)
            and (client_id is None or token.client_id == client_id)
        ]

    def revoke_tokens(self, username: str | None = None, client_id: str | None = None) -> int:
        """Revoke access and refresh tokens (→ 10004 on use, 10011 on refresh)."""
        tokens = self._tokens_of(username, client_id)
        for token in tokens:
            token.revoked = True
        return len(tokens)

    def expire_tokens(self, username: str | None = None, client_id: str | None = None) -> int:
        """Expire access tokens now (→ 10004); their refresh tokens stay usable."""
        tokens = self._tokens_of(username, client_id)
        now = self.now_ms()
        for token in tokens:
            token.issued_ms = min(token.issued_ms, now - token.expires_in * 1000)
        return len(tokens)

    def change_password(self, username: str, new_password: str) -> None:
        """Change an account password (reauth scenario) and revoke all its tokens."""
        account = self._account(username)
        account.password_md5 = md5_hex(new_password)
        self.revoke_tokens(username)

    # --- API accounting (§3.1) --------------------------------------------------------
    def count_call(self, app: DeveloperApp, endpoint: str = "") -> None:
        """Count one API call for ``app``; raises 30007 (monthly quota) / 30006 (rate)."""
        if endpoint:
            app.endpoint_usage[endpoint] = app.endpoint_usage.get(endpoint, 0) + 1
        month = self.month_key()
        used = app.usage.get(month, 0)
        if app.monthly_quota is not None and used >= app.monthly_quota:
            raise CloudError(
                30007,
                f"monthly API call limit of {app.monthly_quota} reached; "
                "upgrade your developer account",
            )
        if app.rate_limit is not None:
            now = self.now_ms()
            window_ms = round(app.rate_window_s * 1000)
            while app.recent_calls and app.recent_calls[0] <= now - window_ms:
                app.recent_calls.popleft()
            if len(app.recent_calls) >= app.rate_limit:
                raise CloudError(
                    30006,
                    f"more than {app.rate_limit} calls in {app.rate_window_s:g} s",
                )
            app.recent_calls.append(now)
        app.usage[month] = used + 1

    def usage(self, client_id: str, month: str | None = None) -> int:
        return self.apps[client_id].usage.get(month or self.month_key(), 0)

    def endpoint_usage(self, client_id: str) -> dict[str, int]:
        """Calls per endpoint path (``lock/list`` …) since the world began."""
        return dict(self.apps[client_id].endpoint_usage)

    def set_quota(self, client_id: str, quota: int | None) -> None:
        self.apps[client_id].monthly_quota = quota

    def set_usage(self, client_id: str, calls: int, month: str | None = None) -> None:
        self.apps[client_id].usage[month or self.month_key()] = calls

    def set_rate_limit(self, client_id: str, calls: int | None, window_s: float = 1.0) -> None:
        app = self.apps[client_id]
        app.rate_limit = calls
        app.rate_window_s = window_s
        app.recent_calls.clear()
