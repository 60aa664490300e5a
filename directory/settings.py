"""The one settings object. Every knob reads from an environment variable ``DEKAT_<NAME>``.

Nothing here is read at import time: ``get_settings()`` builds (and caches) the object
on first use, and tests build their own ``Settings(...)`` and hand it to ``create_app``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration; see the README's settings table for each field."""

    # Errors name the setting, never its value: URLs and keys carry passwords.
    model_config = SettingsConfigDict(
        env_prefix="DEKAT_",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    database_url: str = Field(
        default="sqlite:///dekat.db",
        description="SQLAlchemy URL of the primary database (SQLite file or postgresql+psycopg).",
    )
    database_read_url: str | None = Field(
        default=None, description="Optional URL of a read replica used for searches."
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_statement_timeout_ms: int = Field(default=15_000, ge=100)
    database_replica_max_lag_s: float = Field(
        default=5.0, ge=0.0, description="Above this replay lag, reads fall back to the primary."
    )
    database_primary_sticky_s: float = Field(
        default=10.0,
        ge=0.0,
        description="After a write, that client's reads use the primary for this long.",
    )
    media_dir: Path = Field(default=Path("media"), description="Where uploaded photos live.")
    media_url: str | None = Field(
        default=None,
        description="Photo store: file:///folder or s3://bucket/prefix (unset: media_dir).",
    )
    media_signed_urls: bool = Field(
        default=False, description="Redirect public photo requests to signed S3 URLs."
    )
    media_signed_url_ttl_s: int = Field(default=300, ge=10, le=7 * 86400)
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, Ceph, R2); unset: AWS."
    )
    s3_region: str | None = Field(default=None, description="S3 region; unset: AWS_REGION.")
    s3_access_key_id: str | None = Field(default=None, description="Unset: the AWS chain.")
    s3_secret_access_key: SecretStr | None = Field(default=None)
    timezone: str = Field(default="Asia/Jakarta", description="Local time zone of the city.")
    default_lang: str = Field(default="id", pattern="^(id|en)$")
    demo_count: int = Field(default=2500, ge=0, le=2_000_000)
    demo_seed: int = Field(default=20261128)
    new_listing_age_days: int = Field(default=60, ge=0, le=3650)
    geocoder: str = Field(default="off", pattern="^(off|nominatim|photon)$")
    geocoder_url: str | None = Field(default=None, description="Base URL of the geocoder.")
    geocoder_user_agent: str = Field(default="dekat-directory/0.1 (self-hosted)")
    geocoder_min_delay_s: float = Field(default=1.0, ge=0.0)
    tile_url: str = Field(default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    tile_attribution: str = Field(default="&copy; OpenStreetMap contributors")
    rate_limit_submissions_per_hour: int = Field(default=10, ge=1)
    rate_limit_reviews_per_hour: int = Field(default=30, ge=1)
    rate_limit_reviews_per_key_per_hour: int = Field(default=5, ge=1)
    review_daily_cap_per_business: int = Field(
        default=2, ge=1, description="Reviews of one business one client may post per day."
    )
    review_burst_per_hour: int = Field(
        default=10,
        ge=1,
        description="From this many reviews of one business within an hour, new ones wait "
        "for an editor (status held).",
    )
    review_hold_other_keys: bool = Field(
        default=True,
        description="Hold a review when its client reviewed the business today with "
        "another reviewer key.",
    )
    rate_limit_matches_per_minute: int = Field(default=60, ge=1)
    rate_limit_interactions_per_minute: int = Field(
        default=60, ge=1, description="POST /api/v1/interactions requests per API key."
    )
    rate_limit_events_per_minute: int = Field(
        default=30, ge=1, description="Page events (views, clicks) recorded per visitor."
    )
    rate_limit_events_per_client_per_minute: int = Field(
        default=300,
        ge=1,
        description="Page events per client address (many readers may share one address).",
    )
    rate_limit_inquiries_per_hour: int = Field(
        default=10, ge=1, description="Buyer inquiries one client address may send per hour."
    )
    inquiry_daily_cap_per_business: int = Field(
        default=3, ge=1, description="Inquiries one client may send to one business per day."
    )
    inquiry_retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Buyer inquiries (and their answers) are deleted this many days after "
        "they were sent.",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="Mail server for notifications: smtp://user:pass@host:587?starttls=true "
        "or smtps://user:pass@host:465; unset: no e-mail is sent.",
    )
    smtp_timeout_s: float = Field(default=10.0, gt=0.0, le=120.0)
    mail_from: str | None = Field(
        default=None,
        description="Sender address of notification e-mails, e.g. "
        "'Dekat <noreply@direktori.example.id>'; e-mail is sent only when this and "
        "smtp_url are both set.",
    )
    max_request_bytes: int = Field(default=6 * 1024 * 1024, ge=1024)
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of the reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's forwarded_allow_ips); "
        "empty: no proxy is trusted and the peer address is the client.",
    )

    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,testserver",
        description="Comma-separated Host header values the server answers (Starlette's "
        "TrustedHostMiddleware; '*.example.id' wildcards allowed, '*' turns the check off). "
        "The host of public_base_url is always allowed.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="The site's public address, e.g. https://direktori.example.id: absolute "
        "links (canonical, JSON-LD, the owner's edit link) use it instead of the request's "
        "Host, and an https address makes cookies Secure and turns on HSTS.",
    )
    secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Server secret that signs CSRF tokens; unset: a random one is made "
        "once and kept in <media_dir>/.secret_key. Set it (the same on every app host) "
        "when several hosts serve the site.",
    )
    hsts_max_age_s: int = Field(default=31_536_000, ge=0)
    public_api_docs: bool = Field(
        default=True,
        description="Serve /openapi.json, /docs and /redoc (admin operations are never in "
        "them; editors get the full schema at /api/v1/admin/openapi.json).",
    )

    @field_validator("public_base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        """An http(s) origin, optionally with a path prefix; no query, fragment or user."""
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("public_base_url must be an http:// or https:// address")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("public_base_url must not have a query, fragment or user name")
        return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"

    @property
    def https(self) -> bool:
        """Whether the public site is served over https (Secure cookies, HSTS)."""
        return bool(self.public_base_url and self.public_base_url.startswith("https://"))

    @property
    def allowed_host_list(self) -> list[str]:
        """The Host values to accept: the setting plus the public base URL's host."""
        hosts = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        if self.public_base_url:
            host = urlsplit(self.public_base_url).hostname
            if host and host not in hosts:
                hosts.append(host)
        return hosts or ["localhost"]

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        """Every entry an IP address or network; refuse ``*`` (it would trust everyone)."""
        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or network"
                ) from None
        return ",".join(entries)

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies as a list (empty: none)."""
        return [e for e in self.trusted_proxies.split(",") if e]

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        """A wrong mail server URL stops the server at start-up, not at the first inquiry."""
        if value is not None:
            from directory.mail_config import parse_smtp_url

            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str | None) -> str | None:
        """One address (optionally with a display name), no header tricks."""
        if value is not None:
            from directory.mail_config import parse_sender

            parse_sender(value)
        return value

    @field_validator("media_url")
    @classmethod
    def _check_media_url(cls, value: str | None) -> str | None:
        """A wrong store URL stops the server at start-up, not at the first upload."""
        if value is not None:
            from directory.media_locations import parse_media_url

            parse_media_url(value)
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
