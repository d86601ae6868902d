"""Demo data for ``chamado init --demo`` and ``chamado console``: loaded idempotently.

One organization per plan, each with a project manager (and for VIP a named
second contact), a contact who may not open tickets, an organization without
the acceptance term, and N1/N2 analysts with specialties.
"""

from __future__ import annotations

from datetime import date

from core.desk import HelpDesk
from core.errors import Conflict

ORGANIZATIONS = [
    ("Comercial Prata Ltda", "prata", "PRATA", "ON_DEMAND", date(2025, 3, 10)),
    ("Indústria Ouro S.A.", "ouro", "OURO", "CONTRACT", date(2024, 8, 1)),
    ("Rede VIP Varejo", "vip", "VIP", "SAAS", date(2024, 1, 15)),
    ("Nova Implantação ME", "nova", "OURO", "ON_DEMAND", None),
]
CONTACTS = [
    ("prata", "Paula Prado", "paula@prata.example", "PROJECT_MANAGER", False),
    ("prata", "Pedro Lima", "pedro@prata.example", "OTHER", False),
    ("ouro", "Otávio Souza", "otavio@ouro.example", "PROJECT_MANAGER", False),
    ("ouro", "Olga Reis", "olga@ouro.example", "OTHER", False),
    ("vip", "Vera Martins", "vera@vip.example", "PROJECT_MANAGER", False),
    ("vip", "Vitor Alves", "vitor@vip.example", "OTHER", True),
    ("vip", "Valéria Costa", "valeria@vip.example", "OTHER", False),
    ("nova", "Nina Rocha", "nina@nova.example", "PROJECT_MANAGER", False),
]
ANALYSTS = [
    ("Ana Souza", "ana@suporte.example", "N1", ["Financeiro", "Fiscal"]),
    ("Bruno Dias", "bruno@suporte.example", "N1", ["Estoque", "Compras", "Vendas"]),
    ("Carla Nunes", "carla@suporte.example", "N1", ["Folha/RH", "Contabilidade"]),
    ("Diego Ramos", "diego@suporte.example", "N2", ["Fiscal", "Contabilidade", "Financeiro"]),
    ("Elisa Tavares", "elisa@suporte.example", "N2", ["Produção", "Estoque", "Segurança e acessos"]),
]
DEMO_CLIENT = "paula@prata.example"
DEMO_ANALYST = "ana@suporte.example"


MANAGERS = {"elisa@suporte.example"}  # the support coordinator: dashboard, reports, administration


def load_demo(helpdesk: HelpDesk) -> int:
    """Add what is missing of the demo data; returns how many records were created."""
    created = 0
    for name, slug, plan, mode, signed in ORGANIZATIONS:
        try:
            helpdesk.add_organization(name=name, slug=slug, plan=plan, billing_mode=mode,
                                      acceptance_signed_on=signed)
            created += 1
        except Conflict:
            pass
    for slug, name, email, role, designee in CONTACTS:
        try:
            helpdesk.add_contact(org_slug=slug, name=name, email=email, role=role,
                                 ticket_designee=designee)
            created += 1
        except Conflict:
            pass
    for name, email, level, specialties in ANALYSTS:
        try:
            helpdesk.add_analyst(name=name, email=email, level=level, specialties=specialties,
                                 manager=email in MANAGERS)
            created += 1
        except Conflict:
            pass
    return created
