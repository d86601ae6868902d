"""``chamado contacts export|erase|role|manager``."""

from __future__ import annotations

import json

from core.desk import HelpDesk
from tests.cli.test_cli_reports import chamado, cli, open_ticket, sqlite_only

__all__ = ["cli"]


@sqlite_only
def test_export_then_erase_a_contact(cli: HelpDesk) -> None:
    number = open_ticket(cli)

    data = json.loads(chamado("contacts", "export", "paula@prata.example")[0])
    assert data["contact"]["email"] == "paula@prata.example" and data["tickets"][0]["number"] == number

    dry, _, _ = chamado("contacts", "erase", "paula@prata.example", "--dry-run")
    assert "seria anonimizado" in dry and "tickets: 1" in dry
    assert cli.contact_by_email("paula@prata.example").name == "Paula Prado"
    done, _, _ = chamado("contacts", "erase", "paula@prata.example")
    assert "anonimizado" in done
    _, stderr, code = chamado("contacts", "export", "paula@prata.example", ok=False)
    assert code == 1 and "paula@prata.example" in stderr


@sqlite_only
def test_a_second_manager_is_refused_and_the_role_can_be_handed_over(cli: HelpDesk) -> None:
    _, stderr, code = chamado("contacts", "role", "pedro@prata.example", "PROJECT_MANAGER", ok=False)
    assert code == 1 and "já tem um gerente de projeto" in stderr
    printed, _, _ = chamado("contacts", "manager", "pedro@prata.example")
    assert "pedro@prata.example é agora o gerente de projeto de prata" in printed
    assert cli.contact_by_email("paula@prata.example").role == "OTHER"
