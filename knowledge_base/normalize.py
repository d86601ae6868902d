"""Text normalization for how clients actually type: case, accents, punctuation, "ajudaaaa", "vc".

The same function normalizes FAQ phrasings at index time and client messages at query time, so
whatever it does is symmetric. Steps, in order:

1. lowercase (``casefold``) and strip accents (NFKD, combining marks dropped: "não" -> "nao");
2. a few shapes that punctuation would destroy: "c/" -> "com", "s/" -> "sem", "p/" -> "para";
   hyphens join short affixes ("nf-e" -> "nfe", "e-mail" -> "email") and split the rest;
3. every other non-alphanumeric character becomes a space; apostrophes vanish ("can't" -> "cant");
4. runs of 3+ identical letters collapse to one ("ajudaaaa" -> "ajuda"); doubles stay ("carro");
5. per-locale abbreviations expand ("vc" -> "voce", "nf"/"nfe" -> "nota fiscal eletronica");
6. greetings, politeness, laughter and stop words are dropped ("bom dia", "vc pode me ajudar",
   "kkkk", "de", "the"); words that tell neighbouring questions apart stay even when common:
   "quem"/"pode"/"posso" and "who"/"can" (who may open a ticket vs how to open one), "sem"
   (calling without a ticket, billed without a contract), "urgente"/"urgent";
7. per-locale support vocabulary is canonicalized (``canonicalize``): the many names clients give
   the same thing become one word ("ticket", "ocorrência", "solicitação", "demanda" -> "chamado";
   "encerrado", "finalizado", "concluído" -> "fechado"; "personalizar" -> "customizacao"), the
   inflections of a few support verbs become the infinitive ("abro", "abri" -> "abrir"), and a
   verb of creating/registering right before a ticket or problem word means opening one
   ("registrar uma solicitação", "criar um ticket", "relatar um problema": -> "abrir").

Everything is precompiled at import (regexes, translate tables, frozen sets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

import snowballstemmer

from knowledge_base.locales import Locale, normalize_locale

# Combining marks left by NFKD decomposition ("ã" -> "a" + U+0303); removed with str.translate.
_COMBINING = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}
_SLASH_WORDS = re.compile(r"\b([cps])/")
_SLASH_EXPANSION = {"c": " com ", "s": " sem ", "p": " para "}
_HYPHENATED = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
_APOSTROPHE = re.compile(r"(?<=[a-z])['’`´](?=[a-z])")
_NON_WORD = re.compile(r"[\W_]+")
_LETTER_RUN = re.compile(r"([a-z])\1{2,}")
_LAUGHTER = re.compile(r"^(?:k+|(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}h?|(?:rs){1,}|(?:ah){2,}h?)$")

PT_ABBREVIATIONS: Mapping[str, str] = {
    "vc": "voce", "vcs": "voces", "ce": "voce",
    "pq": "porque", "pk": "porque", "porq": "porque",
    "q": "que", "oq": "o que", "qm": "quem",
    "tb": "tambem", "tbm": "tambem", "tmb": "tambem",
    "td": "tudo", "tds": "todos", "msm": "mesmo",
    "msg": "mensagem", "msgs": "mensagens",
    "nf": "nota fiscal eletronica", "nfe": "nota fiscal eletronica",
    "nfs": "nota fiscal servico", "nfse": "nota fiscal servico eletronica",
    "nfc": "nota fiscal consumidor", "nfce": "nota fiscal consumidor eletronica",
    "cx": "caixa", "blz": "beleza", "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigada",
    "vlw": "valeu", "flw": "falou", "pfv": "por favor", "pfvr": "por favor", "pf": "por favor",
    "pls": "por favor", "plz": "por favor",
    "hj": "hoje", "agr": "agora", "dps": "depois", "dpois": "depois",
    "qdo": "quando", "qnd": "quando", "qndo": "quando", "qto": "quanto", "qtos": "quantos",
    "qtd": "quantidade", "qtde": "quantidade",
    "mt": "muito", "mto": "muito", "mta": "muita", "mtos": "muitos", "mts": "muitos",
    "n": "nao", "naum": "nao",
    "ngm": "ninguem", "nd": "nada", "cmg": "comigo", "ctz": "certeza", "dnv": "de novo",
    "aq": "aqui", "aki": "aqui", "qq": "qualquer", "qqr": "qualquer", "qlq": "qualquer",
    "pra": "para", "pro": "para o", "pros": "para os",
    "ta": "esta", "to": "estou", "tou": "estou", "eh": "e",
    "add": "adicionar", "pgto": "pagamento", "pgt": "pagamento", "pag": "pagamento",
    "usu": "usuario", "usr": "usuario", "config": "configuracao", "configs": "configuracoes",
    "sist": "sistema", "relat": "relatorio", "cad": "cadastro",
    "mail": "email",
    "tel": "telefone", "fone": "telefone", "cel": "celular",
    "whats": "whatsapp", "wpp": "whatsapp", "zap": "whatsapp", "zapzap": "whatsapp",
    "num": "numero", "nro": "numero", "atd": "atendimento",
    "info": "informacao", "infos": "informacoes", "doc": "documento", "docs": "documentos",
    "vlr": "valor", "func": "funcionario",
}

EN_ABBREVIATIONS: Mapping[str, str] = {
    "u": "you", "ur": "your", "r": "are", "y": "why", "pls": "please", "plz": "please",
    "thx": "thanks", "thks": "thanks", "ty": "thanks", "msg": "message", "msgs": "messages",
    "pwd": "password", "pw": "password", "passwd": "password", "acct": "account",
    "info": "information", "b4": "before", "asap": "as soon as possible", "cant": "cannot",
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "wont": "will not",
    "isnt": "is not", "im": "i am", "ive": "i have", "whats": "what is", "hows": "how is",
    "config": "configuration", "mail": "email", "nf": "invoice", "nfe": "invoice",
    "tks": "thanks", "idk": "i do not know", "w": "with", "wo": "without",
    "tel": "phone", "ph": "phone", "num": "number",
}


def _forms(canonical: str, *words: str) -> dict[str, str]:
    return {word: canonical for text in words for word in text.split()}


def _ar_verb(*stems: str) -> str:
    """The common forms of regular -ar verbs except the participle ("encerr" -> "encerrar encerro ...")."""
    endings = ("ar", "o", "a", "am", "amos", "ei", "ou", "aram", "ando", "e", "em")
    return " ".join(stem + ending for stem in stems for ending in endings)


def _ar_participle(*stems: str) -> str:
    return " ".join(stem + ending for stem in stems for ending in ("ado", "ada", "ados", "adas"))


# Step 7, pt-BR. Only true synonyms in a help desk's vocabulary, whatever FAQ entry they occur in;
# ambiguous words are left alone ("travado" is a locked user as often as a slow screen; "demora"
# is the SLA as often as a slow system; "aberto" is a status, not the act of opening; "problema"
# and "erro" are kept apart, "mensagem de erro" being specific).
PT_CANONICAL: Mapping[str, str] = {
    # the ticket (DESIGN.md glossary: chamado / ocorrência)
    **_forms(
        "chamado",
        "chamado chamados ticket tickets ocorrencia ocorrencias solicitacao solicitacoes "
        "demanda demandas requisicao requisicoes protocolo protocolos",
    ),
    # opening / reopening / closing it: verb forms -> infinitive, closed state -> "fechado"
    **_forms("abrir", "abrir abro abre abrem abri abriu abrimos abriram abrindo abra"),
    **_forms("reabrir", "reabrir reabro reabre reabrem reabri reabriu reabriram reabrindo reabra"),
    **_forms(
        "fechar",
        _ar_verb("fech", "encerr", "finaliz"),
        "concluir concluo conclui concluiu concluiram concluindo",
    ),
    **_forms(
        "fechado",
        _ar_participle("fech", "encerr", "finaliz"),
        "concluido concluida concluidos concluidas",
    ),
    # customization (a development request, forwarded)
    **_forms(
        "customizacao",
        "customizacao customizacoes customizar customizado customizada customizados customizadas "
        "personalizacao personalizacoes personalizar personalizado personalizada personalizados "
        "personalizadas customizavel personalizavel",
    ),
    # phone calls
    **_forms("ligar", _ar_verb("lig"), "liguei ligue ligam telefonar telefono telefonei"),
    # access, billing, fiscal documents, performance, defects
    **_forms("senha", "senha senhas password passwords"),
    **_forms("boleto", "boleto boletos"),
    **_forms("danfe", "danfe danfes"),
    **_forms("lento", "lento lenta lentos lentas lentidao devagar lerdo lerda"),
    **_forms("erro", "erro erros falha falhas bug bugs defeito defeitos"),
}

EN_CANONICAL: Mapping[str, str] = {
    # "issue" (also "to issue an invoice") and "case" ("in which cases") are too ambiguous here.
    **_forms("ticket", "ticket tickets request requests"),
    **_forms("close", "close closes closing finish finishes finishing"),
    **_forms("closed", "closed finished completed ended"),
    **_forms(
        "customize",
        "customize customise customizes customises customized customised customization "
        "customisation customizations customisations custom personalize personalise personalized "
        "personalised personalization personalisation",
    ),
    **_forms("password", "password passwords passcode passcodes"),
    **_forms("slow", "slow slowly slowness sluggish laggy"),
    **_forms("error", "error errors bug bugs failure failures fault faults defect defects"),
    **_forms("phone", "phone phones phoning phoned telephone"),
    # negation: "without a contract", "no contract", "non-contract" ("dont" becomes "not")
    **_forms("not", "not no non without"),
}

# "registrar uma solicitação", "criar um ticket", "relatar um problema": such a verb directly
# followed (stop words dropped) by a ticket or problem word means opening a ticket.
_PT_CREATE_VERBS: frozenset[str] = frozenset(
    _forms("", _ar_verb("registr", "cri", "ger", "cadastr", "lanc", "relat", "report"))
)
_EN_CREATE_VERBS: frozenset[str] = frozenset(
    _forms(
        "",
        "create creates created creating register registers registered registering file files filed "
        "filing log logs logged logging raise raises raised raising submit submits submitted "
        "submitting report reports reported reporting",
    )
)
_CREATE_OBJECTS: dict[Locale, frozenset[str]] = {
    "pt-BR": frozenset({"chamado", "erro", "problema", "novo"}),
    "en": frozenset({"ticket", "error", "problem", "issue", "new"}),
}
_CREATE_VERBS: dict[Locale, frozenset[str]] = {"pt-BR": _PT_CREATE_VERBS, "en": _EN_CREATE_VERBS}
# ... also with one of these in between: "registrar um novo chamado", "log a support request".
_TICKET_MODIFIERS: frozenset[str] = frozenset({"novo", "nova", "suporte", "atendimento", "new", "support"})
_OPEN: dict[Locale, str] = {"pt-BR": "abrir", "en": "open"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PT_STOP_WORDS: frozenset[str] = _words(
    """
    a o as os um uma uns umas de do da dos das no na nos nas em num numa ao aos pelo pela
    pelos pelas por para com sob sobre entre ate desde contra que qual quais cujo e ou
    mas se como onde quando porque entao entretanto mesmo tambem ja ainda so apenas
    eu tu ele ela nos vos eles elas me te lhe lhes mim ti si comigo contigo conosco voce voces
    meu minha meus minhas teu tua seu sua seus suas nosso nossa nossos nossas dele dela deles
    delas este esta estes estas esse essa esses essas isto isso aquele aquela aquilo aqui ai la
    ser sou e eh era foi fui sao estar estou esta estao estava estive estamos ter tenho tem temos
    tinha havia ha vou vai vamos fazer faco faz poderia consigo consegue
    gostaria queria quero quer preciso precisa precisamos saber sei seria favor obrigado obrigada
    oi ola opa ei alo bom boa dia tarde noite tudo bem beleza valeu falou blz tchau ok okay
    amigo amiga pessoal galera moca moco senhor senhora sr sra alguem algum alguma muito muita
    muitos muitas mais menos tao bem mal demais bastante super agora hoje favor ajuda ajudar ajude duvida
    pergunta certo certeza entendi sim tipo assim coisa
    """
)

EN_STOP_WORDS: frozenset[str] = _words(
    """
    a an the of to in on at by for from with about into over under and or but if then
    so as than too very just also i me my mine we us our you your yours he him his she her it
    its they them their this that these those there here what which whom whose when where
    why how is am are was were be been being do does did done have has had having could
    will would shall should may might must need want wanna like please thanks thank hi hello
    hey good morning afternoon evening help question quick some any all get got know tell
    let lets ok okay yes sure guys someone anyone sir madam again still now today
    """
)

_GREETING_BIGRAMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("bom", "dia"), ("boa", "tarde"), ("boa", "noite"), ("tudo", "bem"), ("tudo", "bom"),
        ("por", "favor"), ("good", "morning"), ("good", "afternoon"), ("good", "evening"),
        # "vc pode me ajudar", "can you help": politeness, unlike "quem pode abrir", "who can open"
        ("pode", "me"), ("pode", "ajudar"), ("can", "you"),
        # "thank you so much": thanks, unlike "how much is it"
        ("so", "much"),
    }
)

_ABBREVIATIONS: dict[Locale, Mapping[str, str]] = {"pt-BR": PT_ABBREVIATIONS, "en": EN_ABBREVIATIONS}
_STOP_WORDS: dict[Locale, frozenset[str]] = {"pt-BR": PT_STOP_WORDS, "en": EN_STOP_WORDS}
_CANONICAL: dict[Locale, Mapping[str, str]] = {"pt-BR": PT_CANONICAL, "en": EN_CANONICAL}


def fold(text: str) -> str:
    """Lowercase, accent-free, punctuation-free text with letter runs collapsed (steps 1-4)."""
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_COMBINING)
    text = _SLASH_WORDS.sub(lambda m: _SLASH_EXPANSION[m.group(1)], text)
    text = _APOSTROPHE.sub("", text)
    text = _HYPHENATED.sub(_join_or_split, text)
    text = _NON_WORD.sub(" ", text)
    return _LETTER_RUN.sub(r"\1", text)


def expand_abbreviations(words: list[str], locale: str = "pt-BR") -> list[str]:
    """Folded words with chat abbreviations spelled out (step 5); laughter ("kkkk", "rsrs") dropped."""
    abbreviations = _ABBREVIATIONS[normalize_locale(locale)]
    expanded: list[str] = []
    for word in words:
        if _LAUGHTER.match(word):
            continue
        expansion = abbreviations.get(word)
        if expansion is None:
            expanded.append(word)
        else:
            expanded.extend(expansion.split())
    return expanded


def drop_stop_words(words: list[str], locale: str = "pt-BR") -> list[str]:
    """Words without greetings ("bom dia", "good morning") and the locale's stop words (step 6)."""
    stop_words = _STOP_WORDS[normalize_locale(locale)]
    return [w for w in _drop_greetings(words) if w not in stop_words]


def canonicalize(words: list[str], locale: str = "pt-BR") -> list[str]:
    """Meaningful words with the locale's support vocabulary canonicalized (step 7)."""
    lang = normalize_locale(locale)
    canonical, verbs, objects = _CANONICAL[lang], _CREATE_VERBS[lang], _CREATE_OBJECTS[lang]
    result = [canonical.get(word, word) for word in words]
    for i, word in enumerate(words[:-1]):
        if word not in verbs:
            continue
        following = result[i + 1 : i + 3]
        if following[0] in objects or (following[0] in _TICKET_MODIFIERS and following[-1] in objects):
            result[i] = _OPEN[lang]
    return result


def tokenize(text: str, locale: str = "pt-BR") -> list[str]:
    """The meaningful tokens of ``text``: all seven steps."""
    return canonicalize(drop_stop_words(expand_abbreviations(fold(text).split(), locale), locale), locale)


def stemmer(locale: str = "pt-BR") -> Callable[[str], str]:
    """The locale's Snowball stemmer on normalized words ("acompanho", "acompanhamento" -> "acompanh").

    Not a normalization step: stems are too coarse to replace words ("chamado" and "chamar" share
    "cham"), so the matcher uses them only to let two words of one stem match as near neighbours.
    """
    language = "english" if normalize_locale(locale) == "en" else "portuguese"
    stem: Callable[[str], str] = snowballstemmer.stemmer(language).stemWord
    return stem


def normalize(text: str, locale: str = "pt-BR") -> str:
    """``tokenize`` joined by single spaces: the string the matcher indexes and scores."""
    return " ".join(tokenize(text, locale))


def _join_or_split(match: re.Match[str]) -> str:
    parts = match.group(0).split("-")
    # "nf-e", "e-mail", "ct-e": a short affix is part of the word; "contas-a-pagar" is three words.
    if len(parts) == 2 and min(map(len, parts)) <= 2 and not any(p.isdigit() for p in parts):
        return "".join(parts)
    return " ".join(parts)


def _drop_greetings(tokens: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) in _GREETING_BIGRAMS:
            i += 2
            continue
        kept.append(tokens[i])
        i += 1
    return kept
