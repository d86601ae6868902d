"""Pydantic models of one FAQ entry and of its per-locale text, as written in the YAML files."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from knowledge_base.locales import DEFAULT_LOCALE, SUPPORTED_LOCALES, normalize_locale


class LocalizedEntry(BaseModel):
    """The text of one entry in one language: the canonical question, how clients say it, the answer.

    The "at least 3 phrasings" and answer-length rules are checked by ``lint``, not here, so that a
    KB with a thin entry still loads and serves.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    phrasings: tuple[str, ...] = ()
    answer: str


class RelatedLink(BaseModel):
    """A one-way neighbour: ``{id: ..., one_way: why the other entry does not list this one}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    one_way: str = Field(min_length=1)


class Entry(BaseModel):
    """One FAQ entry. Drafts (``draft: true``) are kept for review and never served by a matcher.

    ``related`` lists its neighbours: entries on a close subject that a client asking this one may
    want next (answered with "see also" buttons; ``knowledge_base.decision``). A plain id must be
    listed back by that entry (``kb lint``); a ``RelatedLink`` says why not.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1)
    tags: tuple[str, ...] = ()
    module: str | None = None
    links: tuple[str, ...] = ()
    related: tuple[str | RelatedLink, ...] = ()
    draft: bool = False
    source_ticket: str | None = None
    pt_br: LocalizedEntry | None = Field(default=None, alias="pt-BR")
    en: LocalizedEntry | None = None

    @property
    def related_ids(self) -> tuple[str, ...]:
        """The ids of the entry's neighbours, in file order."""
        return tuple(r if isinstance(r, str) else r.id for r in self.related)

    def localized(self, locale: str | None = None) -> LocalizedEntry:
        """The entry's text in ``locale`` (loosely written, e.g. "pt_BR", "en-US").

        Falls back to pt-BR when the locale is unknown or the entry lacks it, and to any
        locale the entry has as a last resort.
        """
        wanted = normalize_locale(locale)
        for candidate in (wanted, DEFAULT_LOCALE, *SUPPORTED_LOCALES):
            text = self.text_for(candidate)
            if text is not None:
                return text
        raise ValueError(f"entry {self.id!r} has no localized text")

    def text_for(self, locale: str) -> LocalizedEntry | None:
        """The entry's text in exactly ``locale`` (normalized), without fallback."""
        return self.en if normalize_locale(locale) == "en" else self.pt_br


class NotOurs(BaseModel):
    """Messages no entry should answer although they share its words, per locale.

    "esqueci a senha do meu gmail" is about another product, "como cadastro um produto" is for an
    analyst: the matchers score them like one more entry and say NONE when it wins
    (``knowledge_base.decision``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    pt_br: tuple[str, ...] = Field(default=(), alias="pt-BR")
    en: tuple[str, ...] = ()

    def text_for(self, locale: str) -> tuple[str, ...]:
        """The examples in exactly ``locale`` (normalized)."""
        return self.en if normalize_locale(locale) == "en" else self.pt_br


class EntryFile(BaseModel):
    """The top level of one ``faq/*.yaml`` file: entries, and optionally "not ours" examples."""

    model_config = ConfigDict(extra="forbid")

    entries: list[Entry] = Field(default_factory=list)
    not_ours: NotOurs | None = None
