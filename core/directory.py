"""The directory: organizations, their contacts, the analysts and their chat identities.

Administration use cases (what ``chamado orgs|contacts|analysts`` and the demo
data call) and the lookups the adapters need to know who is writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import model
from core.errors import Conflict, InvalidInput, NotFound
from core.model import BillingMode, ContactRole, Level, Plan
from core.store.db import UnitOfWork
from core.store.orm import Analyst, ChatIdentity, Contact, Organization
from core.usecases import UseCases, clean_email, organization_by_slug
from core.views import AnalystView, ChatIdentityView, ContactView, OrganizationView


class Directory(UseCases):
    """Organizations, contacts, analysts and chat identities."""

    _org = staticmethod(organization_by_slug)

    def add_organization(self, *, name: str, slug: str, plan: str, billing_mode: str,
                         acceptance_signed_on: date | None = None,
                         active: bool = True, uow: UnitOfWork | None = None) -> OrganizationView:
        plan_value = model.parse_enum(Plan, plan, "org.bad_plan")
        mode = model.parse_enum(BillingMode, billing_mode, "org.bad_billing_mode")
        slug = slug.strip().lower()
        if not slug or not name.strip():
            raise InvalidInput("org.bad_name")
        with self.work(uow) as uow:
            session = uow.session
            if session.scalar(select(Organization.id).where(Organization.slug == slug)):
                raise Conflict("org.exists", slug=slug)
            org = Organization(name=name.strip(), slug=slug, plan=plan_value.value,
                               billing_mode=mode.value, acceptance_signed_on=acceptance_signed_on,
                               active=active, created_at=self.clock())
            session.add(org)
            session.flush()
            return OrganizationView.of(org)

    def update_organization(self, slug: str, uow: UnitOfWork | None = None, **changes: Any) -> OrganizationView:
        with self.work(uow) as uow:
            session = uow.session
            org = self._org(session, slug)
            for key, value in changes.items():
                if key == "plan":
                    value = model.parse_enum(Plan, value, "org.bad_plan").value
                elif key == "billing_mode":
                    value = model.parse_enum(BillingMode, value, "org.bad_billing_mode").value
                elif key not in {"acceptance_signed_on", "active", "name", "email_copies",
                                 "hourly_rate_cents", "contract_minutes_month"}:
                    raise InvalidInput("org.bad_field", field=key)
                setattr(org, key, value)
            return OrganizationView.of(org)

    def list_organizations(self, *, uow: UnitOfWork | None = None) -> list[OrganizationView]:
        with self.work(uow) as uow:
            session = uow.session
            rows = session.scalars(select(Organization).order_by(Organization.slug))
            return [OrganizationView.of(r) for r in rows]

    def add_contact(self, *, org_slug: str, name: str, email: str, role: str = "OTHER",
                    ticket_designee: bool = False, uow: UnitOfWork | None = None) -> ContactView:
        role_value = model.parse_enum(ContactRole, role, "contact.bad_role")
        email = clean_email(email)
        with self.work(uow) as uow:
            session = uow.session
            org = self._org(session, org_slug)
            if session.scalar(select(Contact.id).where(Contact.email == email)):
                raise Conflict("contact.exists", email=email)
            model.check_single_manager(role_value, len(self._managers(session, org.id)))
            if ticket_designee:
                model.check_designation(org.plan, role_value, self._designees(session, org.id))
            contact = Contact(organization=org, name=name.strip(), email=email,
                              role=role_value.value, ticket_designee=ticket_designee,
                              active=True, created_at=self.clock())
            session.add(contact)
            session.flush()
            return ContactView.of(contact)

    @staticmethod
    def _designees(session: Session, org_id: int) -> int:
        return int(session.scalar(
            select(func.count()).where(Contact.organization_id == org_id,
                                       Contact.ticket_designee.is_(True),
                                       Contact.active.is_(True))
        ) or 0)

    @staticmethod
    def _managers(session: Session, org_id: int) -> list[Contact]:
        return list(session.scalars(select(Contact).where(
            Contact.organization_id == org_id, Contact.role == ContactRole.PROJECT_MANAGER.value,
            Contact.active.is_(True))))

    def set_contact_role(self, email: str, role: str, *, uow: UnitOfWork | None = None) -> ContactView:
        """Change a contact's role; a second project manager is refused (``hand_over_manager``)."""
        role_value = model.parse_enum(ContactRole, role, "contact.bad_role")
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact_by_email(session, email)
            others = [c for c in self._managers(session, contact.organization_id) if c.id != contact.id]
            model.check_single_manager(role_value, len(others))
            if role_value == ContactRole.PROJECT_MANAGER and contact.ticket_designee:
                contact.ticket_designee = False  # the manager opens tickets anyway
            contact.role = role_value.value
            return ContactView.of(contact)

    def hand_over_manager(self, email: str, *, uow: UnitOfWork | None = None) -> ContactView:
        """Make ``email`` its organization's project manager; the previous one becomes OTHER
        (in the same unit of work: there is never none, nor two)."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact_by_email(session, email)
            for previous in self._managers(session, contact.organization_id):
                if previous.id != contact.id:
                    previous.role = ContactRole.OTHER.value
            session.flush()
            return self.set_contact_role(email, ContactRole.PROJECT_MANAGER.value, uow=uow)

    def designate_contact(self, email: str, *, uow: UnitOfWork | None = None) -> ContactView:
        """Name the VIP organization's second contact allowed to open tickets."""
        with self.work(uow) as uow:
            session = uow.session
            contact = self._contact_by_email(session, email)
            if contact.ticket_designee:
                return ContactView.of(contact)
            model.check_designation(contact.organization.plan, contact.role,
                                    self._designees(session, contact.organization_id))
            contact.ticket_designee = True
            return ContactView.of(contact)

    @staticmethod
    def _contact_by_email(session: Session, email: str) -> Contact:
        contact = session.scalar(select(Contact).where(Contact.email == clean_email(email)))
        if contact is None:
            raise NotFound("contact.not_found", email=email)
        return contact

    def contact_by_email(self, email: str, *, uow: UnitOfWork | None = None) -> ContactView:
        with self.work(uow) as uow:
            session = uow.session
            return ContactView.of(self._contact_by_email(session, email))

    def list_contacts(self, org_slug: str | None = None, *, uow: UnitOfWork | None = None) -> list[ContactView]:
        with self.work(uow) as uow:
            session = uow.session
            query = select(Contact).join(Contact.organization).order_by(
                Organization.slug, Contact.email)
            if org_slug:
                query = query.where(Organization.slug == org_slug.strip().lower())
            return [ContactView.of(c) for c in session.scalars(query)]

    def add_analyst(self, *, name: str, email: str, level: str = "N1",
                    specialties: Sequence[str] = (), manager: bool = False,
                    uow: UnitOfWork | None = None) -> AnalystView:
        level_value = model.parse_enum(Level, level, "analyst.bad_level")
        email = clean_email(email)
        modules = [model.match_module(s, self.modules) for s in specialties if s.strip()]
        with self.work(uow) as uow:
            session = uow.session
            if session.scalar(select(Analyst.id).where(Analyst.email == email)):
                raise Conflict("analyst.exists", email=email)
            analyst = Analyst(name=name.strip(), email=email, level=level_value.value,
                              specialties=modules, active=True, manager=manager, created_at=self.clock())
            session.add(analyst)
            session.flush()
            return AnalystView.of(analyst)

    def analyst_by_email(self, email: str, *, uow: UnitOfWork | None = None) -> AnalystView:
        with self.work(uow) as uow:
            session = uow.session
            analyst = session.scalar(select(Analyst).where(Analyst.email == clean_email(email)))
            if analyst is None:
                raise NotFound("analyst.not_found", email=email)
            return AnalystView.of(analyst)

    def update_analyst(self, email: str, *, name: str | None = None, level: str | None = None,
                       specialties: Sequence[str] | None = None, manager: bool | None = None,
                       active: bool | None = None, uow: UnitOfWork | None = None) -> AnalystView:
        """Change an analyst's name, level, specialties, manager flag or active state.

        A deactivated analyst loses access at once: every edge looks the analyst up
        (``active_analyst``) on each action.
        """
        level_value = model.parse_enum(Level, level, "analyst.bad_level") if level is not None else None
        modules = [model.match_module(s, self.modules) for s in specialties if s.strip()] \
            if specialties is not None else None
        with self.work(uow) as uow:
            analyst = uow.session.scalar(select(Analyst).where(Analyst.email == clean_email(email)))
            if analyst is None:
                raise NotFound("analyst.not_found", email=email)
            if name is not None and name.strip():
                analyst.name = name.strip()
            if level_value is not None:
                analyst.level = level_value.value
            if modules is not None:
                analyst.specialties = modules
            if manager is not None:
                analyst.manager = manager
            if active is not None:
                analyst.active = active
            uow.session.flush()
            return AnalystView.of(analyst)

    def list_analysts(self, *, uow: UnitOfWork | None = None) -> list[AnalystView]:
        with self.work(uow) as uow:
            session = uow.session
            rows = session.scalars(select(Analyst).order_by(Analyst.level, Analyst.email))
            return [AnalystView.of(a) for a in rows]

    def identity(self, platform: str, external_id: str, *, uow: UnitOfWork | None = None) -> ChatIdentityView | None:
        with self.work(uow) as uow:
            session = uow.session
            row = session.scalar(select(ChatIdentity).where(
                ChatIdentity.platform == platform, ChatIdentity.external_id == str(external_id)))
            return ChatIdentityView.of(row) if row else None

    def link_identity(self, platform: str, external_id: str, *, contact_id: int | None = None,
                      analyst_id: int | None = None, display_name: str | None = None,
                      locale: str | None = None, uow: UnitOfWork | None = None) -> None:
        """Link a platform account to a contact or an analyst (one of them)."""
        if (contact_id is None) == (analyst_id is None):
            raise InvalidInput("identity.one_target")
        with self.work(uow) as uow:
            session = uow.session
            row = session.scalar(select(ChatIdentity).where(
                ChatIdentity.platform == platform, ChatIdentity.external_id == str(external_id)))
            if row is None:
                row = ChatIdentity(platform=platform, external_id=str(external_id),
                                   created_at=self.clock())
                session.add(row)
            row.contact_id, row.analyst_id = contact_id, analyst_id
            row.display_name = display_name or row.display_name
            row.locale = locale or row.locale

    def link_analyst(self, email: str, platform: str, external_id: str, *,
                     uow: UnitOfWork | None = None) -> None:
        with self.work(uow) as uow:
            session = uow.session
            analyst = session.scalar(select(Analyst).where(Analyst.email == clean_email(email)))
            if analyst is None:
                raise NotFound("analyst.not_found", email=email)
            self.link_identity(platform, external_id, analyst_id=analyst.id, uow=uow)
