"""Configuration from the environment (and ``.env``), validated by pydantic-settings.

Every variable is listed with a comment in ``.env.example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.model import DEFAULT_MODULES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'chamado.db'}")
    locale: str = "pt-BR"
    reopen_window_days: int = Field(default=7, ge=0)
    modules: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEFAULT_MODULES))
    knowledge_base_dir: Path | None = None

    flood_max_messages: int = Field(default=20, ge=1)
    flood_window_seconds: int = Field(default=60, ge=1)
    invite_ttl_hours: int = Field(default=72, ge=1)

    telegram_bot_token: str | None = None
    telegram_analysts_chat_id: int | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = 8080
    telegram_use_topics: bool = True
    telegram_rate_limit: bool = True

    outbox_base_backoff: float = Field(default=1.0, gt=0)
    outbox_max_backoff: float = Field(default=300.0, gt=0)
    outbox_lease_seconds: float = Field(default=60.0, ge=1)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_analysts_channel: str | None = None
    slack_api_base_url: str | None = None
    slack_port: int = 3000

    analyst_desks: Annotated[list[str], NoDecode] = Field(default_factory=list)

    out_of_scope_areas: dict[str, str] = Field(default_factory=dict)
    forward_areas: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["Comercial", "Implantação", "Customer Success", "Desenvolvimento", "Infraestrutura"])
    sla_policy_file: Path | None = None
    business_timezone: str = "America/Sao_Paulo"
    business_opens: str = "08:00"
    business_closes: str = "18:00"
    business_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    holidays_subdivision: str | None = None
    extra_holidays: Annotated[list[str], NoDecode] = Field(default_factory=list)
    sla_sweep_seconds: int = Field(default=60, ge=5)

    smtp_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "starttls"
    smtp_from: str = "Suporte <suporte@example.com>"

    # LGPD: `chamado retention run` anonymizes what is older than this many (30-day) months; off when unset.
    retention_months: int | None = Field(default=None, ge=1)

    http_host: str = "0.0.0.0"
    http_port: int = 8080

    web_enabled: bool = False
    web_public_url: str = "http://127.0.0.1:8080"
    web_secret_key: str | None = None
    web_sign_in_minutes: int = Field(default=15, ge=1, le=24 * 60)
    web_session_hours: float = Field(default=12, gt=0, le=24 * 90)
    telegram_bot_username: str | None = None  # the web's invite links: https://t.me/<bot>?start=CODE
    log_format: str = "auto"
    log_level: str = "INFO"

    relay_mode: str = "auto"
    reply_marker: str = ">>"
    note_marker: str = "!nota"

    @field_validator("business_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(d) for d in value.split(",") if d.strip()]
        return value

    @field_validator("modules", "analyst_desks", "extra_holidays", "forward_areas", mode="before")
    @classmethod
    def _split_modules(cls, value: object) -> object:
        if isinstance(value, str):
            return [m.strip() for m in value.split(",") if m.strip()]
        return value

    @field_validator("relay_mode")
    @classmethod
    def _relay_mode(cls, value: str) -> str:
        if value not in {"auto", "explicit"}:
            raise ValueError("RELAY_MODE must be 'auto' or 'explicit'")
        return value


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url or settings.smtp_host)


def desks_of(settings: Settings) -> list[str]:
    """Where analysts work: ANALYST_DESKS, else every configured team chat, else the console."""
    if settings.analyst_desks:
        return [d.strip().lower() for d in settings.analyst_desks]
    desks = []
    if settings.telegram_bot_token and settings.telegram_analysts_chat_id:
        desks.append("telegram")
    if settings.slack_bot_token and settings.slack_analysts_channel:
        desks.append("slack")
    return desks or ["console"]


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
