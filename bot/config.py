"""Settings from environment variables; ConfigError names each bad setting and its fix."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.crypto.keys import SETTING as DATA_KEY_SETTING
from bot.crypto.keys import KeyRing, parse_keys
from bot.dashboard.client_address import Network, parse_networks
from bot.domain import UserKey
from bot.errors import ConfigError
from bot.shipped import shipped_content
from bot.storage.postgres.url import DatabaseUrl, DatabaseUrlError

SHIPPED_CONTENT = shipped_content()  # the installed copy, or the checkout's content/
DEFAULT_PORT = 3978
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAX_GRACE_MINUTES = 24 * 60  # a nudge more than a day late is no longer a nudge
# Which conversations.history rate limit Slack gives the app (bot/channels/slack/history.py).
type AppKind = Literal["internal", "marketplace", "distributed"]
APP_KINDS: tuple[AppKind, ...] = ("internal", "marketplace", "distributed")
DEFAULT_APP_KIND: AppKind = "distributed"  # the slow guess: wrong, it only slows recovery


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    api_url: str | None = None
    app_kind: AppKind = DEFAULT_APP_KIND  # sets the conversations.history rate: history.py
    history_per_minute: int | None = None  # overrides the kind's rate (0: the kind's)

    def __repr__(self) -> str:  # secrets never reach a log or a traceback
        return (
            f"SlackSettings(socket_mode={self.app_token is not None}, api_url={self.api_url!r}, "
            f"app_kind={self.app_kind!r})"
        )


@dataclass(frozen=True)
class TeamsSettings:
    client_id: str
    client_secret: str
    tenant_id: str | None = None
    auth_type: str = "ClientSecret"

    def __repr__(self) -> str:
        return f"TeamsSettings(client_id={self.client_id!r}, tenant_id={self.tenant_id!r})"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    content_dir: Path = SHIPPED_CONTENT
    port: int = DEFAULT_PORT
    local_trial: bool = False
    admins: frozenset[UserKey] = field(default_factory=frozenset)
    slack: SlackSettings | None = None
    teams: TeamsSettings | None = None
    grace_minutes: int = 60
    log_level: str = "INFO"
    data_keys: KeyRing | None = None  # None: the local key file (console, local trial)
    database_url: DatabaseUrl | None = None  # None: TinyDB under data_dir
    public_url: str | None = None  # base of links the bot sends (the dashboard's)
    dashboard_secret: str | None = None  # None: derived from the data key
    trusted_proxies: tuple[Network, ...] = ()  # whose X-Forwarded-For is believed

    def __repr__(self) -> str:  # the dashboard secret never reaches a log or a traceback
        shown = {k: v for k, v in vars(self).items() if k != "dashboard_secret"}
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        problems: list[str] = []
        settings = cls(
            data_dir=Path(env.get("PEERCOACH_DATA_DIR") or "data"),
            content_dir=Path(env.get("PEERCOACH_CONTENT_DIR") or SHIPPED_CONTENT),
            port=_integer(env, "PORT", DEFAULT_PORT, problems, low=1, high=65535),
            local_trial=_switch(env, "PEERCOACH_LOCAL_TRIAL", problems),
            admins=_admins(env.get("PEERCOACH_ADMINS", ""), problems),
            slack=_slack(env, problems),
            teams=_teams(env, problems),
            grace_minutes=_integer(
                env, "PEERCOACH_GRACE_MINUTES", 60, problems, low=0, high=MAX_GRACE_MINUTES
            ),
            log_level=_log_level(env, problems),
            data_keys=_data_keys(env, problems),
            database_url=_database_url(env, problems),
            public_url=_public_url(env, problems),
            dashboard_secret=env.get("PEERCOACH_DASHBOARD_SECRET", "").strip() or None,
            trusted_proxies=_trusted_proxies(env, problems),
        )
        if problems:
            raise ConfigError("\n".join(problems))
        return settings


def _integer(
    env: Mapping[str, str], name: str, default: int, problems: list[str], *, low: int, high: int
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        problems.append(f"{name}={raw!r} is not a whole number; set it like {name}={default}")
        return default
    if not low <= int(raw) <= high:
        problems.append(
            f"{name}={raw} is out of range; use a whole number from {low} to {high}, "
            f"like {name}={default}"
        )
        return default
    return int(raw)


def _trusted_proxies(env: Mapping[str, str], problems: list[str]) -> tuple[Network, ...]:
    raw = env.get("PEERCOACH_TRUSTED_PROXIES", "")
    try:
        return parse_networks(raw)
    except ValueError as bad:
        problems.append(
            f"PEERCOACH_TRUSTED_PROXIES: {str(bad)!r} is not an IP address or network; list "
            "your load balancers' addresses, like PEERCOACH_TRUSTED_PROXIES=10.0.0.0/24,10.1.2.3"
        )
        return ()


def _switch(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in TRUE + FALSE:
        problems.append(f"{name}={raw!r} is neither on nor off; set {name}=1 or {name}=0")
        return False
    return raw in TRUE


def _log_level(env: Mapping[str, str], problems: list[str]) -> str:
    level = env.get("PEERCOACH_LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        problems.append(
            f"PEERCOACH_LOG_LEVEL={level!r} is not a log level; use one of "
            f"{', '.join(LOG_LEVELS)}, like PEERCOACH_LOG_LEVEL=INFO"
        )
        return "INFO"
    return level


def _api_url(env: Mapping[str, str], problems: list[str]) -> str | None:
    """slack_sdk joins method names straight onto the base URL: it must end in a slash."""
    raw = env.get("SLACK_API_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        problems.append(
            f"SLACK_API_URL={raw!r} is not an http(s) URL; set it like "
            "SLACK_API_URL=https://slack.com/api/"
        )
        return None
    return raw if raw.endswith("/") else raw + "/"


def _public_url(env: Mapping[str, str], problems: list[str]) -> str | None:
    raw = env.get("PEERCOACH_PUBLIC_URL", "").strip()
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")) or " " in raw or "?" in raw or "#" in raw:
        problems.append(
            f"PEERCOACH_PUBLIC_URL={raw!r} is not a web address; set it to the address people "
            "reach this server at, like PEERCOACH_PUBLIC_URL=https://peercoach.example.nhs.uk "
            f"(on this machine: PEERCOACH_PUBLIC_URL=http://127.0.0.1:{DEFAULT_PORT})"
        )
        return None
    return raw.rstrip("/")


def _database_url(env: Mapping[str, str], problems: list[str]) -> DatabaseUrl | None:
    raw = env.get("PEERCOACH_DATABASE_URL", "").strip()
    if not raw:
        return None
    try:
        return DatabaseUrl.parse(raw)
    except DatabaseUrlError as error:
        problems.append(str(error))
        return None


def _data_keys(env: Mapping[str, str], problems: list[str]) -> KeyRing | None:
    raw = env.get(DATA_KEY_SETTING, "")
    if not raw.strip():
        return None
    try:
        return parse_keys(raw)
    except ConfigError as exc:
        problems.append(str(exc))
        return None


def _admins(raw: str, problems: list[str]) -> frozenset[UserKey]:
    keys = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            keys.add(UserKey.parse(part))
        except ValueError as exc:
            problems.append(f"PEERCOACH_ADMINS: {exc}")
    return frozenset(keys)


def _slack(env: Mapping[str, str], problems: list[str]) -> SlackSettings | None:
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    if not token:
        if secret:
            problems.append(
                "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not; set the "
                "bot token (xoxb-...) from the Slack app's OAuth & Permissions page"
            )
        return None
    if not secret:
        problems.append(
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; copy the signing "
            "secret from the Slack app's Basic Information page"
        )
        return None
    return SlackSettings(
        bot_token=token,
        signing_secret=secret,
        app_token=env.get("SLACK_APP_TOKEN", "").strip() or None,
        api_url=_api_url(env, problems),
        app_kind=_app_kind(env, problems),
        history_per_minute=_integer(
            env, "PEERCOACH_SLACK_HISTORY_PER_MINUTE", 0, problems, low=0, high=1_000_000
        )
        or None,
    )


def _app_kind(env: Mapping[str, str], problems: list[str]) -> AppKind:
    value = env.get("PEERCOACH_SLACK_APP_KIND", "").strip().lower() or DEFAULT_APP_KIND
    for kind in APP_KINDS:
        if value == kind:
            return kind
    problems.append(
        f"PEERCOACH_SLACK_APP_KIND is {value!r}; set it to internal (an app your organisation "
        "built for its own workspace), marketplace (approved for the Slack Marketplace) or "
        "distributed (any other; the default)"
    )
    return DEFAULT_APP_KIND


_TEAMS_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


def _teams(env: Mapping[str, str], problems: list[str]) -> TeamsSettings | None:
    def pick(name: str, alias: str) -> str:
        return (env.get(_TEAMS_PREFIX + name) or env.get(alias) or "").strip()

    client_id = pick("CLIENTID", "MicrosoftAppId")
    secret = pick("CLIENTSECRET", "MicrosoftAppPassword")
    tenant = pick("TENANTID", "MicrosoftAppTenantId")
    auth_type = (env.get(_TEAMS_PREFIX + "AUTHTYPE") or "ClientSecret").strip()
    if not client_id:
        if secret:
            problems.append(
                f"{_TEAMS_PREFIX}CLIENTSECRET is set without {_TEAMS_PREFIX}CLIENTID "
                "(or MicrosoftAppId); set the Azure Bot's app id too"
            )
        return None
    if not secret and auth_type == "ClientSecret":
        problems.append(
            f"{_TEAMS_PREFIX}CLIENTID is set but {_TEAMS_PREFIX}CLIENTSECRET (or "
            "MicrosoftAppPassword) is not; add the client secret of the Azure app"
        )
        return None
    return TeamsSettings(client_id, secret, tenant or None, auth_type)


def check_folders(settings: Settings, *, create: bool = True) -> None:
    """Before anything starts: the data folder exists (made if need be) and takes writes, and
    the content folder can be read. ConfigError naming the setting otherwise. `create` False
    only checks that nothing in the way is a file (before a start that may yet be refused)."""
    data_dir = settings.data_dir
    if not create:
        existing = next((p for p in (data_dir, *data_dir.parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            raise ConfigError(
                f"PEERCOACH_DATA_DIR={data_dir} cannot be used as the data folder (it is a "
                "file); set it to a folder this user may create and write"
            )
        return
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: see storage.private
    except OSError as error:
        reason = "it is a file" if data_dir.is_file() else (error.strerror or str(error))
        raise ConfigError(
            f"PEERCOACH_DATA_DIR={data_dir} cannot be used as the data folder ({reason}); "
            "set it to a folder this user may create and write"
        ) from None
    if not data_dir.is_dir():
        raise ConfigError(
            f"PEERCOACH_DATA_DIR={data_dir} is not a folder; set it to a folder this user may "
            "create and write"
        )
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise ConfigError(
            f"PEERCOACH_DATA_DIR={data_dir} is not writable by this user; make it writable "
            "or set PEERCOACH_DATA_DIR to a folder that is"
        )
    content_dir = settings.content_dir
    if not content_dir.is_dir() or not os.access(content_dir, os.R_OK | os.X_OK):
        problem = "cannot be read" if content_dir.is_dir() else "is not a folder"
        raise ConfigError(
            f"PEERCOACH_CONTENT_DIR={content_dir} {problem}; set it to the folder that holds "
            f"themes.yaml (the shipped one is {SHIPPED_CONTENT})"
        )
