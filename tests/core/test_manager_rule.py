"""At most one project manager per organization; handing the role over is how it changes."""

from __future__ import annotations

import pytest

from core.desk import HelpDesk
from core.errors import NotAllowed
from core.model import check_single_manager


def test_the_rule_refuses_a_second_manager_and_nothing_else() -> None:
    check_single_manager("PROJECT_MANAGER", 0)
    check_single_manager("OTHER", 3)
    with pytest.raises(NotAllowed) as refused:
        check_single_manager("PROJECT_MANAGER", 1)
    assert "já tem um gerente de projeto" in refused.value.render("pt-BR")
    assert "already has a project manager" in refused.value.render("en")
    assert "contacts manager" in refused.value.render("en")


def test_adding_a_second_manager_is_refused(demo: HelpDesk) -> None:
    with pytest.raises(NotAllowed, match="gerente de projeto"):
        demo.add_contact(org_slug="prata", name="Outra Gerente", email="outra@prata.example",
                         role="PROJECT_MANAGER")
    assert [c.email for c in demo.list_contacts("prata") if c.role == "PROJECT_MANAGER"] == ["paula@prata.example"]


def test_promoting_a_second_manager_is_refused(demo: HelpDesk) -> None:
    with pytest.raises(NotAllowed, match="gerente de projeto"):
        demo.set_contact_role("pedro@prata.example", "PROJECT_MANAGER")
    assert demo.contact_by_email("pedro@prata.example").role == "OTHER"
    assert demo.set_contact_role("paula@prata.example", "PROJECT_MANAGER").role == "PROJECT_MANAGER"  # no-op


def test_handing_over_makes_the_old_manager_a_regular_contact(demo: HelpDesk) -> None:
    new = demo.hand_over_manager("pedro@prata.example")

    assert new.role == "PROJECT_MANAGER"
    assert demo.contact_by_email("paula@prata.example").role == "OTHER"
    assert [c.email for c in demo.list_contacts("prata") if c.role == "PROJECT_MANAGER"] == ["pedro@prata.example"]


def test_an_organization_without_a_manager_may_name_one(demo: HelpDesk) -> None:
    demo.set_contact_role("paula@prata.example", "OTHER")
    assert demo.set_contact_role("pedro@prata.example", "PROJECT_MANAGER").role == "PROJECT_MANAGER"
