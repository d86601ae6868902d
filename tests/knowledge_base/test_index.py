"""The soft TF-IDF index underneath the matcher."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process

from knowledge_base.index import IndexedEntry, ScoringWeights, SoftTfidfIndex
from knowledge_base.normalize import stemmer


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijlmnoprstuv"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(2, 12))) for _ in range(size)}
    return sorted(words)


def test_fuzzy_neighbour_filter_finds_the_same_tokens_as_a_full_scan() -> None:
    rng = random.Random(7)
    vocabulary = _vocabulary(rng, 1500)
    entries = [IndexedEntry(phrasings=[[word]]) for word in vocabulary]
    index = SoftTfidfIndex(entries, ScoringWeights(min_fuzzy_length=0))
    for _ in range(600):
        word = list(rng.choice(vocabulary))
        position = rng.randrange(len(word))
        if rng.random() < 0.5:
            del word[position]
        else:
            word.insert(position, rng.choice("aeiors"))
        typo = "".join(word) or "a"
        expected = {i for _, _, i in process.extract(typo, vocabulary, scorer=fuzz.ratio, score_cutoff=85, limit=None)}
        assert {i for i, _ in index.neighbours(typo)} == expected, typo


def test_short_tokens_match_only_exactly() -> None:
    index = SoftTfidfIndex([IndexedEntry(phrasings=[["lost", "password"]]), IndexedEntry(phrasings=[["lot"]])])
    scores = index.score(["lot"])  # "lot" is a word, not a typo of "lost"
    assert scores[0] == 0.0 and scores[1] == pytest.approx(100.0)
    assert index.score(["losst"])[0] > 0.0  # from four letters on, typos match
    assert index.score(["losst"])[1] == 0.0


def test_a_known_word_is_no_typo_of_its_look_alikes() -> None:
    entries = [IndexedEntry(phrasings=[["analista", "respondeu"]]), IndexedEntry(phrasings=[["responder", "chamado"]])]
    discounted, full = SoftTfidfIndex(entries), SoftTfidfIndex(entries, ScoringWeights(known_fuzzy=1.0))
    # "respondeu" is a word the FAQ spells so: "responder" (fuzz.ratio 89) counts for 0.8 x as much
    assert 0.0 < discounted.score(["respondeu"])[1] < full.score(["respondeu"])[1]
    assert discounted.score(["respondeu"]).argmax() == 0
    # "respondeo" is nobody's spelling: a typo, its look-alikes count in full
    assert discounted.score(["respondeo"]) == pytest.approx(full.score(["respondeo"]))


def test_words_of_one_stem_match_as_near_neighbours() -> None:
    entries = [IndexedEntry(phrasings=[["acompanho", "chamado"]]), IndexedEntry(phrasings=[["ligar", "suporte"]])]
    plain, stemmed = SoftTfidfIndex(entries), SoftTfidfIndex(entries, stem=stemmer("pt-BR"))
    assert plain.score(["acompanhar"])[0] == 0.0  # fuzz.ratio 84: below the cutoff
    assert stemmed.score(["acompanhar"])[0] > 0.0
    assert dict(stemmed.neighbours("acompanhamento"))[0] == pytest.approx(ScoringWeights().stem_similarity)
    assert stemmed.score(["acompanho", "chamado"])[0] > stemmed.score(["acompanhar", "chamado"])[0]


def test_words_in_the_same_order_score_higher() -> None:
    entries = [
        IndexedEntry(phrasings=[["cliente", "sem", "contrato", "paga", "hora"]]),
        IndexedEntry(phrasings=[["cliente", "contrato", "paga", "hora", "sem", "fechar"]]),
    ]
    with_pairs, without = SoftTfidfIndex(entries), SoftTfidfIndex(entries, ScoringWeights(pair_weight=0.0))
    message = ["sem", "contrato", "paga"]
    assert without.score(message)[0] == pytest.approx(without.score(message)[1], abs=5.0)
    assert with_pairs.score(message)[0] > with_pairs.score(message)[1] + 5.0


def test_entries_that_are_not_served_leave_the_served_scores_as_they_were() -> None:
    served = [
        IndexedEntry(phrasings=[["esqueci", "senha"], ["senha", "bloqueada"], ["trocar", "senha", "usuario"]]),
        IndexedEntry(phrasings=[["abrir", "chamado"], ["novo", "chamado"]], keywords=["ticket"]),
    ]
    examples = IndexedEntry(phrasings=[["senha", "gmail"], ["previsao", "tempo"]] * 20, served=False)
    alone, with_examples = SoftTfidfIndex(served), SoftTfidfIndex([*served, examples])
    for message in (["esqueci", "senha", "gmail"], ["previsao", "tempo", "chamado"], ["senha"], ["senha", "usuario"]):
        # "gmail" and "tempo" stay unknown to the FAQ: they pull the served entries down as before
        assert with_examples.score(message)[:2] == pytest.approx(alone.score(message), abs=1e-3), message
    assert with_examples.score(["senha", "gmail"]).argmax() == 2


def test_rare_shared_words_outweigh_common_ones() -> None:
    index = SoftTfidfIndex(
        [
            IndexedEntry(phrasings=[["abrir", "chamado"]]),
            IndexedEntry(phrasings=[["reabrir", "chamado"]]),
            IndexedEntry(phrasings=[["cancelar", "chamado"]]),
        ]
    )
    scores = index.score(["reabrir", "chamado"])
    assert scores.argmax() == 1
    assert scores[1] == pytest.approx(100.0)


def test_tags_and_answer_text_help_only_a_little() -> None:
    index = SoftTfidfIndex(
        [
            IndexedEntry(phrasings=[["emitir", "nota"]], keywords=["sefaz"]),
            IndexedEntry(phrasings=[["cancelar", "nota"]], background=["sefaz"]),
            IndexedEntry(phrasings=[["trocar", "senha"]]),
        ]
    )
    scores = index.score(["sefaz"])
    assert scores[0] > scores[1] > scores[2] == 0
    assert scores[0] < 50


def test_an_entry_needs_a_phrasing() -> None:
    with pytest.raises(ValueError, match="#0"):
        SoftTfidfIndex([IndexedEntry(phrasings=[])])
