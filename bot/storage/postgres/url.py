"""PEERCOACH_DATABASE_URL: read once, checked, and never shown with its password.

The URL is a libpq connection URL (`postgresql://user:pass@host:5432/db?sslmode=require`).
Everything that prints or logs it uses `redacted`, so a password cannot reach a log line, an
error message or `/healthz`.
"""

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

SETTING = "PEERCOACH_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")
EXAMPLE = f"{SETTING}=postgresql://peercoach:PASSWORD@db.example.nhs.uk:5432/peercoach"


class DatabaseUrlError(ValueError):
    """The setting is not a PostgreSQL URL we can use; the message names the fix."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A checked connection URL. `str()` and `repr()` hide the password."""

    secret: str  # the URL as given, password included: only for the driver

    @classmethod
    def parse(cls, raw: str) -> "DatabaseUrl":
        text = raw.strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as error:
            raise DatabaseUrlError(
                f"{SETTING} is not a valid URL ({_safe_reason(error)}); set it like {EXAMPLE}"
            ) from None
        if parts.scheme not in SCHEMES:
            raise DatabaseUrlError(
                f"{SETTING} must start with postgresql:// (it starts with "
                f"{parts.scheme or 'nothing'}://); set it like {EXAMPLE}"
            )
        if not parts.path.strip("/"):
            raise DatabaseUrlError(
                f"{SETTING} names no database (the part after the last /); set it like {EXAMPLE}"
            )
        if port == 0:
            raise DatabaseUrlError(f"{SETTING} has port 0; set it like {EXAMPLE}")
        return cls(text)

    @property
    def redacted(self) -> str:
        return redact(self.secret)

    @property
    def database(self) -> str:
        return urlsplit(self.secret).path.strip("/")

    def with_database(self, name: str) -> "DatabaseUrl":
        """The same server and credentials, another database (tests, `db import`)."""
        parts = urlsplit(self.secret)
        return DatabaseUrl(urlunsplit(parts._replace(path=f"/{name}")))

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.redacted!r})"


def redact(url: str) -> str:
    """The URL with any password replaced by ***, in the userinfo and in the query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a database URL)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = "&".join(
        f"{k}=***" if k.lower() == "password" else f"{k}={v}" if v else k
        for k, _, v in (item.partition("=") for item in parts.query.split("&") if item)
    )
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))


def _safe_reason(error: ValueError) -> str:
    """urllib's message can quote the URL; keep only what cannot hold the password."""
    text = str(error)
    return "bad port" if "port" in text.lower() else "cannot be read"
