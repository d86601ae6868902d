"""CSV import of organizations and contacts, as a Brazilian spreadsheet exports them.

A file is what Excel or LibreOffice writes: ``;`` or ``,`` separators (sniffed
from the header line), UTF-8 with or without BOM, UTF-16 or Latin-1/Windows-1252,
headers in pt-BR or English (``Plano``/``plan``, ``Termo de aceite``/``acceptance``),
values case- and accent-insensitive (``Prata``, ``PRATA``; ``Avulso``/``ON_DEMAND``),
dates as dd/mm/aaaa or ISO, money as ``R$ 1.234,56`` (one cell: ``core.import_values``).

Two layers:

- plain functions, no database: ``read_table`` (bytes -> header and rows; the file's
  refusals: too large, too many rows, not a CSV, missing or unknown columns) and
  ``preview`` (each row parsed into a record, or the reason it cannot be, duplicates
  within the file included);
- one use case, ``import_csv(desk, kind, data, dry_run=, uow=)``: every parsed row goes
  through the directory's own use cases (``add_organization`` and ``update_organization``
  for e-mail copies and billing terms, ``add_contact``: slugs or e-mails already registered,
  one project manager per organization, the seeds' designee limits; earlier rows of the
  file count) inside one savepoint. The result is the per-row preview; the rows
  are kept only when every row passed and it is not a dry run, otherwise nothing is.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from core.billing import parse_money
from core.errors import DomainError, InvalidInput
from core.i18n import translate
from core.import_values import fold, parse_billing_mode, parse_date, parse_hours, parse_plan, parse_role, parse_yes_no
from core.model import BillingMode, ContactRole, Plan
from core.store.db import UnitOfWork
from core.usecases import clean_email

if TYPE_CHECKING:
    from core.desk import HelpDesk

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_LENGTHS = {"name": 200, "slug": 80, "email": 254, "organization": 80}


class ImportKind(StrEnum):
    ORGANIZATIONS = "orgs"
    CONTACTS = "contacts"


@dataclass(frozen=True)
class Column:
    """A field the import reads: its pt-BR and English headers and the other spellings accepted."""

    field: str
    pt: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> set[str]:
        return {fold(n) for n in (self.pt, self.en, self.field, *self.aliases)}


COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.ORGANIZATIONS: (
        Column("name", "nome", "name", ("razão social", "empresa", "organização", "organization",
                                        "cliente", "company"), required=True),
        Column("slug", "slug", "slug", ("identificador", "código", "code", "id"), required=True),
        Column("plan", "plano", "plan", ("plano sla", "sla"), required=True),
        Column("billing_mode", "cobrança", "billing mode", (
            "modalidade", "modalidade de cobrança", "forma de cobrança", "tipo de cobrança", "billing")),
        Column("acceptance_signed_on", "termo de aceite", "acceptance term", (
            "data do termo de aceite", "aceite", "termo", "data de aceite", "acceptance",
            "acceptance date", "acceptance signed on")),
        Column("email_copies", "cópias por e-mail", "e-mail copies", (
            "cópia por e-mail", "cópias de e-mail", "cópias", "email copies")),
        Column("hourly_rate", "valor-hora", "hourly rate", ("valor da hora", "tarifa", "rate")),
        Column("contract_hours", "horas contratadas", "contract hours", (
            "horas de contrato", "horas contrato", "horas por mês", "horas mês",
            "contracted hours", "hours per month")),
    ),
    ImportKind.CONTACTS: (
        Column("organization", "organização", "organization", (
            "slug da organização", "slug", "org", "empresa", "cliente", "organization slug"),
               required=True),
        Column("name", "nome", "name", ("contato", "nome do contato", "contact"), required=True),
        Column("email", "e-mail", "e-mail", ("email", "mail", "e-mail do contato"), required=True),
        Column("role", "papel", "role", ("função", "cargo", "perfil")),
        Column("designee", "indicado", "designee", ("indicado vip", "contato indicado",
                                                    "pode abrir chamados", "ticket designee")),
    ),
}


def _header_key(header: str) -> str:
    return fold(re.sub(r"\(.*?\)", " ", header.replace("R$", " ")))


# --- reading the file ------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    number: int  # the spreadsheet's row number (the header is usually row 1)
    values: dict[str, str]  # field -> cell, stripped
    overflow: bool = False  # cells beyond the header's columns


@dataclass(frozen=True)
class Table:
    """The file's columns (field names, in the file's order), the header as written, the rows."""

    fields: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252/Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096]:
        raise InvalidInput("import.not_csv")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_separator(header_line: str) -> str:
    """``;`` (what Excel in pt-BR writes), ``,`` or a tab: the most frequent in the header line."""
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def read_table(kind: ImportKind, data: bytes) -> Table:
    """The file's header mapped to fields, and its non-blank rows; refuses what cannot be a good file."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("import.too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise InvalidInput("import.not_csv")
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    if not first_line:
        raise InvalidInput("import.empty")
    records = _records(text, sniff_separator(first_line))
    headers = [h.strip() for h in records[0][1]]
    fields = _map_headers(kind, headers)
    if len(records) == 1:
        raise InvalidInput("import.empty")
    if len(records) - 1 > MAX_ROWS:
        raise InvalidInput("import.too_many_rows", limit=MAX_ROWS, count=len(records) - 1)
    rows = []
    for number, cells in records[1:]:
        padded = [c.strip() for c in cells] + [""] * (len(fields) - len(cells))
        unnamed = [c for i, c in enumerate(padded) if i >= len(fields) or fields[i] is None]
        values = {f: padded[i] for i, f in enumerate(fields) if f is not None}
        rows.append(TableRow(number, values, overflow=any(unnamed)))
    return Table(tuple(f for f in fields if f is not None), tuple(h for h in headers if h), tuple(rows))


def _records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """The non-blank records with their row numbers; an unclosed quote names the row it opens on."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error:
            raise InvalidInput("import.malformed", line=number) from None
        if any(c.strip() for c in cells):
            records.append((number, cells))


def _map_headers(kind: ImportKind, headers: Sequence[str]) -> list[str | None]:
    """The field of each header (``None`` for a blank header: its cells must be blank too)."""
    columns = COLUMNS[kind]
    by_name = {name: column.field for column in columns for name in column.names()}
    fields: list[str | None] = []
    for header in headers:
        if not header:
            fields.append(None)
            continue
        found = by_name.get(_header_key(header))
        if found is None:
            raise InvalidInput("import.unknown_column", column=header[:60],
                               allowed=", ".join(c.pt for c in columns),
                               allowed_en=", ".join(c.en for c in columns))
        if found in fields:
            raise InvalidInput("import.duplicate_column", column=header[:60])
        fields.append(found)
    for column in columns:
        if column.required and column.field not in fields:
            raise InvalidInput("import.missing_column", column=column.pt, column_en=column.en)
    return fields


# --- reading one row ---------------------------------------------------------------

@dataclass(frozen=True)
class OrganizationRecord:
    name: str
    slug: str
    plan: Plan
    billing_mode: BillingMode
    acceptance_signed_on: date | None
    email_copies: bool | None
    hourly_rate_cents: int | None
    contract_minutes_month: int | None


@dataclass(frozen=True)
class ContactRecord:
    organization: str
    name: str
    email: str
    role: ContactRole
    designee: bool


def _required(values: Mapping[str, str], kind: ImportKind, name: str) -> str:
    value = values.get(name, "").strip()
    column = next(c for c in COLUMNS[kind] if c.field == name)
    if not value:
        raise InvalidInput("import.missing_value", column=column.pt, column_en=column.en)
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        raise InvalidInput("import.too_long", column=column.pt, column_en=column.en, limit=limit)
    return value


def parse_organization(values: Mapping[str, str]) -> OrganizationRecord:
    kind = ImportKind.ORGANIZATIONS
    rate = values.get("hourly_rate", "").strip()
    return OrganizationRecord(
        name=_required(values, kind, "name"),
        slug=_required(values, kind, "slug").lower(),
        plan=parse_plan(values.get("plan", "")),
        billing_mode=parse_billing_mode(values.get("billing_mode", "")),
        acceptance_signed_on=parse_date(values.get("acceptance_signed_on", "")),
        email_copies=parse_yes_no(values.get("email_copies", "")),
        hourly_rate_cents=parse_money(rate) if rate else None,
        contract_minutes_month=parse_hours(values.get("contract_hours", "")),
    )


def parse_contact(values: Mapping[str, str]) -> ContactRecord:
    kind = ImportKind.CONTACTS
    return ContactRecord(
        organization=_required(values, kind, "organization").lower(),
        name=_required(values, kind, "name"),
        email=clean_email(_required(values, kind, "email")),
        role=parse_role(values.get("role", "")),
        designee=bool(parse_yes_no(values.get("designee", ""))),
    )


# --- the preview and the import ------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported: a message key and its parameters (rendered per locale)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, exc: DomainError) -> Problem:
        return cls(exc.key, dict(exc.params))

    def render(self, locale: str) -> str:
        return translate(self.key, locale, **self.params)


@dataclass(frozen=True)
class ImportRow:
    number: int  # the spreadsheet's row number (the header is row 1)
    values: Mapping[str, str]
    record: OrganizationRecord | ContactRecord | None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self, locale: str) -> str:
        return self.problem.render(locale) if self.problem else ""


@dataclass(frozen=True)
class ImportResult:
    kind: ImportKind
    fields: tuple[str, ...]
    headers: tuple[str, ...]
    rows: tuple[ImportRow, ...]
    imported: bool = False

    @property
    def failed(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if not r.ok)

    @property
    def ok(self) -> bool:
        return not self.failed


def preview(kind: ImportKind | str, data: bytes) -> ImportResult:
    """Every row parsed, or the reason it cannot be (duplicates within the file too); no database."""
    kind = ImportKind(kind)
    table = read_table(kind, data)
    parse = parse_organization if kind is ImportKind.ORGANIZATIONS else parse_contact
    seen: dict[str, int] = {}
    rows: list[ImportRow] = []
    for row in table.rows:
        number, values = row.number, row.values
        if row.overflow:
            rows.append(ImportRow(number, values, None, Problem("import.extra_cells")))
            continue
        try:
            record = parse(values)
        except DomainError as exc:
            rows.append(ImportRow(number, values, None, Problem.of(exc)))
            continue
        unique = record.slug if isinstance(record, OrganizationRecord) else record.email
        if unique in seen:
            key = "import.duplicate_slug" if isinstance(record, OrganizationRecord) else "import.duplicate_email"
            rows.append(ImportRow(number, values, record, Problem(key, {"value": unique, "line": seen[unique]})))
            continue
        seen[unique] = number
        rows.append(ImportRow(number, values, record))
    return ImportResult(kind, table.fields, table.headers, tuple(rows))


def import_csv(desk: HelpDesk, kind: ImportKind | str, data: bytes, *, dry_run: bool = False,
               uow: UnitOfWork | None = None) -> ImportResult:
    """Check every row against the store through the directory's use cases; keep them all or none.

    Refusals of the whole file (too large, not a CSV, a missing column) raise ``InvalidInput``.
    """
    parsed = preview(kind, data)
    with desk.work(uow) as work:
        savepoint = work.session.begin_nested()
        try:
            rows = tuple(_store(desk, row, work) if row.ok else row for row in parsed.rows)
        except BaseException:
            savepoint.rollback()
            raise
        keep = not dry_run and all(r.ok for r in rows)
        if keep:
            savepoint.commit()
        else:
            savepoint.rollback()
    return ImportResult(parsed.kind, parsed.fields, parsed.headers, rows, imported=keep)


def _store(desk: HelpDesk, row: ImportRow, uow: UnitOfWork) -> ImportRow:
    record = row.record
    try:
        if isinstance(record, OrganizationRecord):
            desk.add_organization(name=record.name, slug=record.slug, plan=record.plan.value,
                                  billing_mode=record.billing_mode.value,
                                  acceptance_signed_on=record.acceptance_signed_on, uow=uow)
            terms = {"email_copies": record.email_copies, "hourly_rate_cents": record.hourly_rate_cents,
                     "contract_minutes_month": record.contract_minutes_month}  # never negative: parsed above
            if any(v is not None for v in terms.values()):
                desk.update_organization(record.slug, uow=uow, **{k: v for k, v in terms.items() if v is not None})
        elif isinstance(record, ContactRecord):
            desk.add_contact(org_slug=record.organization, name=record.name, email=record.email,
                             role=record.role.value, ticket_designee=record.designee, uow=uow)
    except DomainError as exc:
        return ImportRow(row.number, row.values, record, Problem.of(exc))
    return row
