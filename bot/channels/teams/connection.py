"""Building the Agents SDK adapter: real credentials, or a local trial with none."""

import functools

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    OutboundHostValidator,
)

from bot.config import TeamsSettings
from bot.logs import quiet_logger

PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
# Loggers of the SDK that log per turn, or log request bodies (pydantic errors quote them).
NOISY = {
    "microsoft_agents.hosting.core.connector.client.user_token_client": 40,  # "no App ID"
    "microsoft_agents.activity.activity": 50,  # validation tracebacks quoting the body
    "microsoft_agents.hosting.core.connector.client.connector_client": 50,  # we log our own
}


def cache_sdk_product_info() -> None:
    """The SDK works out its User-Agent on every send and every turn by asking
    importlib.metadata for a package that is not installed, which scans every installed
    distribution first (12-15% of a turn here). The answer cannot change while we run."""
    from microsoft_agents.hosting.core.connector.client import (  # noqa: PLC0415
        connector_client,
        user_token_client,
    )

    for module in (connector_client, user_token_client):
        original = getattr(module, "get_product_info", None)
        if original is not None and not hasattr(original, "cache_info"):
            setattr(module, "get_product_info", functools.cache(original))  # noqa: B010


def quiet_sdk_logs() -> None:
    for name, level in NOISY.items():
        quiet_logger(name).setLevel(level)


def connection_manager(
    settings: TeamsSettings | None,
) -> ConnectionManager | MsalConnectionManager:
    """MSAL with the app's credentials; without any, anonymous (local trial only)."""
    if settings is None:
        return ConnectionManager(
            provider_factory=lambda _config: AnonymousTokenProvider(),
            CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": {}}},
        )
    mapping = {
        PREFIX + "CLIENTID": settings.client_id,
        PREFIX + "CLIENTSECRET": settings.client_secret,
        PREFIX + "AUTHTYPE": settings.auth_type,
    }
    if settings.tenant_id:
        mapping[PREFIX + "TENANTID"] = settings.tenant_id
    # A mapping of our own: the SDK would otherwise read the whole environment, and it never
    # reads the classic MicrosoftAppId names that Settings already folded in.
    return MsalConnectionManager(**load_configuration_from_env(mapping))


def build_adapter(
    manager: ConnectionManager | MsalConnectionManager, *, production: bool
) -> CloudAdapter:
    """In production only Microsoft's service URLs may be called back (https, no loopback)."""
    validator = OutboundHostValidator(enabled=True) if production else None
    return CloudAdapter(connection_manager=manager, host_validator=validator)


def auth_configuration(
    manager: ConnectionManager | MsalConnectionManager,
) -> AgentAuthConfiguration:
    configuration = manager.get_default_connection_configuration()
    assert isinstance(configuration, AgentAuthConfiguration)
    return configuration
