"""The web workspace's configuration: the few values ``bot.web`` reads, built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebConfig:
    """Where the workspace is reached, how links and sessions are signed and how long they last."""

    public_url: str = "http://127.0.0.1:8080"
    secret_key: str = ""
    sign_in_minutes: int = 15
    session_hours: int = 12
    locale: str = "pt-BR"
    telegram_bot_username: str | None = None  # invite codes become t.me/<bot>?start=CODE links
    invite_hours: int = 72  # how long an invite code issued from the administration works

    @property
    def cookie_secure(self) -> bool:
        """Cookies are sent over https only when the workspace is served over https."""
        return self.public_url.lower().startswith("https://")

    def link(self, path: str) -> str:
        """An absolute address for ``path`` (``/entrar/TOKEN``), as people receive it in chat or e-mail."""
        return self.public_url.rstrip("/") + "/" + path.lstrip("/")

    def sign_in_link(self, token: str) -> str:
        return self.link(f"/entrar/{token}")

    def client_ticket_link(self, number: str) -> str:
        """The client's page of a ticket (the link the chat and the e-mail copy carry)."""
        return self.link(f"/acompanhar/{number}")
