"""The second reader of a question: the brand's intent model, and how its reading joins the
fused score in deciding whether the best entry answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from assistant.knowledge.intents import IntentModel
from assistant.knowledge.retrieval import (
    CERTAIN,
    CERTAIN_LEADS,
    CLOSE_BEHIND,
    DISAGREES,
    FAR_BEHIND,
    FURTHER_BEHIND,
    HAND_OFF_SURE,
    LEADS,
    MIN_MARGIN,
    STORY_SURE,
    STORY_WORDS,
    SURE,
    SURE_LEADS,
    Calibration,
    Catalogue,
    Ranked,
    Verdict,
)

Floats = npt.NDArray[np.float32]
RULE = Calibration(threshold=0.6, margin=0.08, phrasings=9, recall=0.9, floor=0.45)


def _unit(*values: float) -> Floats:
    vector = np.asarray(values, dtype=np.float32)
    out: Floats = vector / np.linalg.norm(vector)
    return out


def _phrasings(entries: int, per_entry: int = 4) -> tuple[Floats, list[int]]:
    """Wordings of each entry's question: its own axis, each leaning a little elsewhere."""
    rows, owners = [], []
    for entry in range(entries):
        for n in range(per_entry):
            values = [0.15 * ((n + k) % 3) for k in range(entries + 1)]
            values[entry] = 1.0
            rows.append(_unit(*values))
            owners.append(entry)
    return np.asarray(rows, dtype=np.float32), owners


def _catalogue(owners: list[int] | None = None) -> Catalogue:
    vectors, default_owners = _phrasings(3)
    return Catalogue(
        answer_vectors=np.eye(3, 4, dtype=np.float32),
        lexical_docs=["first entry", "second entry", "third entry"],
        phrasing_vectors=vectors,
        phrasing_owner=owners if owners is not None else default_owners,
        ids=["faq:returns", "faq:refunds", "faq:shipping"],
    )


def _with_hand_off(*answers: str) -> Catalogue:
    """Two answering entries and the hand-off entry a lead sends questions to a person with."""
    vectors, owners = _phrasings(3)
    return Catalogue(
        answer_vectors=np.eye(3, 4, dtype=np.float32),
        lexical_docs=["first entry", "second entry", "third entry"],
        phrasing_vectors=vectors,
        phrasing_owner=owners,
        ids=[*answers, "faq:for-a-person"],
        hand_off=[False, False, True],
    )


def _answers(catalogue: Catalogue, *args: Any, **kwargs: Any) -> bool:
    return catalogue.verdict(*args, **kwargs).answers


def _intents(**probabilities: float) -> Floats:
    out = np.zeros(3, dtype=np.float32)
    for name, p in probabilities.items():
        out[int(name[1:])] = p
    return out


def test_the_intent_model_reads_a_new_wording_as_the_entry_whose_questions_it_resembles() -> None:
    vectors, owners = _phrasings(3)
    model = IntentModel(vectors, np.asarray(owners, dtype=np.int64), entries=4)

    read = model.probabilities(_unit(0.2, 1.0, 0.3, 0.1))

    assert int(read.argmax()) == 1
    assert read[1] > 0.5
    assert read[3] == 0.0  # an entry with no questions is never read
    assert read.sum() == pytest.approx(1.0, abs=1e-5)


def test_the_same_questions_train_the_same_model() -> None:
    vectors, owners = _phrasings(3)
    first = IntentModel(vectors, np.asarray(owners, dtype=np.int64), entries=3)
    second = IntentModel(vectors, np.asarray(owners, dtype=np.int64), entries=3)

    assert np.array_equal(first.weights, second.weights)


def test_questions_on_a_single_entry_train_no_model() -> None:
    vectors, _ = _phrasings(1)
    model = IntentModel(vectors, np.zeros(len(vectors), dtype=np.int64), entries=2)

    assert not model.trained
    assert not model.probabilities(_unit(1.0, 0.0)).any()


def test_an_answer_both_readers_agree_on_is_given() -> None:
    ranked = [Ranked(0, 0.7), Ranked(1, 0.5)]

    assert _answers(_catalogue(), ranked, _intents(e0=0.6, e1=0.3), RULE)


def test_when_the_intent_model_reads_another_answer_a_person_replies() -> None:
    """The fused score clears the rule, but the model gives a different entry the most
    probability: one of the two readers is wrong, and a wrong answer is the worst draft."""
    ranked = [Ranked(0, 0.7), Ranked(1, 0.5)]

    verdict = _catalogue().verdict(ranked, _intents(e0=0.3, e1=DISAGREES + 0.4), RULE)

    assert not verdict.answers
    assert verdict.reason == "the intent model reads it as faq:refunds (0.65)"


def test_an_intent_model_that_has_not_learned_the_topic_does_not_overrule() -> None:
    """Twenty questions about phone and email, one a lead just added about wholesale: the
    model is unsure of everything, and the fused score decides."""
    ranked = [Ranked(0, 0.7), Ranked(1, 0.5)]
    unsure = _intents(e0=0.22, e1=DISAGREES - 0.01, e2=0.22)

    assert _answers(_catalogue(), ranked, unsure, RULE)


def test_a_sure_intent_model_answers_under_the_threshold_but_never_under_the_floor() -> None:
    catalogue = _catalogue()
    sure = _intents(e0=SURE + 0.05, e1=0.03)
    under_threshold = [Ranked(0, 0.5), Ranked(1, 0.5 - MIN_MARGIN - 0.01)]
    close_call = [Ranked(0, 0.5), Ranked(1, 0.5 - MIN_MARGIN / 2)]
    under_floor = [Ranked(0, 0.44), Ranked(1, 0.2)]

    assert not _answers(catalogue, under_threshold, _intents(e0=SURE - 0.05, e1=0.05), RULE)
    assert _answers(catalogue, under_threshold, sure, RULE)
    # A near tie the model is sure of is settled for the best entry ("my mug showed up in
    # pieces": damaged item a hair above the returns FAQ).
    assert _answers(catalogue, close_call, sure, RULE)
    assert not _answers(catalogue, close_call, _intents(e0=SURE - 0.05, e1=0.05), RULE)
    assert not _answers(catalogue, under_floor, sure, RULE)
    # Words the knowledge never uses have lowered the score it is read at already; over
    # the floor, the model's word still answers ("lowkey dont wanna sign up for anything 😅
    # is guest checkout a thing here?", 97% create-account).
    _, untrusted = catalogue.settle(under_threshold, sure, RULE, trust=False)
    assert untrusted.answers


def test_a_sure_intent_model_puts_an_entry_just_behind_the_best_one_first() -> None:
    """ "can i buy my bff a giftcard for her bday": gift wrapping scores a hair above gift
    cards, and the model trained on the brand's questions is sure it is gift cards."""
    catalogue = _catalogue()
    near_tie = [Ranked(0, 0.62), Ranked(1, 0.60), Ranked(2, 0.3)]
    sure_of_second = _intents(e0=0.05, e1=LEADS + 0.05)

    ranked, verdict = catalogue.settle(near_tie, sure_of_second, RULE)

    assert [r.index for r in ranked] == [1, 0, 2]
    assert verdict.answers
    assert verdict.reason == "the intent model is 75% sure, 0.020 behind faq:returns by score"


def test_the_intent_model_does_not_lead_past_a_policy_section() -> None:
    """ "How do I cancel it before it ships?": the refunds policy's section on cancelled
    orders scores first, and the model, which knows only the FAQ's entries, is sure of
    changing the shipping address just behind it. The section stays first, and the FAQ
    entry does not answer."""
    vectors, owners = _phrasings(3)
    faq_only = [i for i, owner in enumerate(owners) if owner]
    catalogue = Catalogue(
        answer_vectors=np.eye(3, 4, dtype=np.float32),
        lexical_docs=["first entry", "second entry", "third entry"],
        phrasing_vectors=vectors[faq_only],
        phrasing_owner=[owners[i] for i in faq_only],
        ids=["policy:refunds#cancelled-orders", "faq:change-shipping-address", "faq:shipping"],
    )
    near_tie = [Ranked(0, 0.64), Ranked(1, 0.61), Ranked(2, 0.3)]
    ranked, verdict = catalogue.settle(near_tie, _intents(e0=0.0, e1=LEADS + 0.05), RULE)
    assert [r.index for r in ranked] == [0, 1, 2]
    assert not verdict.answers


def test_the_intent_model_leads_only_when_sure_close_behind_and_over_the_floor() -> None:
    catalogue = _catalogue()
    sure_of_second = _intents(e0=0.05, e1=LEADS + 0.05)
    far_behind = [Ranked(0, 0.70), Ranked(1, 0.70 - CLOSE_BEHIND - 0.01)]
    under_floor = [Ranked(0, 0.46), Ranked(1, 0.44)]
    near_tie = [Ranked(0, 0.62), Ranked(1, 0.60)]

    for ranked, intents, trust in (
        (far_behind, sure_of_second, True),
        (under_floor, sure_of_second, True),
        (near_tie, _intents(e0=0.2, e1=LEADS - 0.05), True),
        # Words the knowledge never uses moved the entry: the model's word is not enough.
        (near_tie, sure_of_second, False),
    ):
        settled, verdict = catalogue.settle(ranked, intents, RULE, trust)
        assert settled == ranked
        assert not verdict.answers


def test_an_all_but_certain_intent_model_leads_from_further_behind() -> None:
    """ "I live in the UK and the trousers just aren't working for me. What are the steps to
    get them back…": 99% how-to-return, 0.052 behind return-window by score."""
    catalogue = _catalogue()
    further = [Ranked(0, 0.70), Ranked(1, 0.70 - FAR_BEHIND + 0.01)]
    too_far = [Ranked(0, 0.70), Ranked(1, 0.70 - FAR_BEHIND - 0.01)]

    led, certain = catalogue.settle(further, _intents(e0=0.01, e1=CERTAIN_LEADS), RULE)
    kept, sure = catalogue.settle(further, _intents(e0=0.05, e1=CERTAIN_LEADS - 0.05), RULE)
    beyond, _ = catalogue.settle(too_far, _intents(e0=0.01, e1=0.99), RULE)

    assert [r.index for r in led] == [1, 0]
    assert certain.answers
    assert kept == further
    assert not sure.answers
    assert beyond == too_far


def test_a_sure_intent_model_leads_past_a_product_name_from_a_little_further_behind() -> None:
    """ "installments?? want the merino crew + fleece but cant drop it all at once": 86%
    pay-in-4, which the product names put a tenth behind the product prices by score."""
    catalogue = _catalogue()
    further = [Ranked(0, 0.70), Ranked(1, 0.70 - FURTHER_BEHIND + 0.01)]
    too_far = [Ranked(0, 0.70), Ranked(1, 0.70 - FURTHER_BEHIND - 0.01)]

    led, sure = catalogue.settle(further, _intents(e0=0.05, e1=SURE_LEADS), RULE)
    kept, unsure = catalogue.settle(further, _intents(e0=0.1, e1=SURE_LEADS - 0.05), RULE)
    beyond, _ = catalogue.settle(too_far, _intents(e0=0.05, e1=CERTAIN_LEADS - 0.01), RULE)

    assert [r.index for r in led] == [1, 0]
    assert sure.answers
    assert kept == further
    assert not unsure.answers
    assert beyond == too_far


def test_a_certain_intent_model_leads_beside_words_the_knowledge_lacks() -> None:
    """ "is signing up mandatory or can i skip it": the knowledge never says "mandatory" or
    "skip", the model is 99% sure of create-account (just behind by score), and
    create-account is the answer; at ``CERTAIN`` (90%) too."""
    catalogue = _catalogue()
    near_tie = [Ranked(0, 0.62), Ranked(1, 0.60)]

    led, certain = catalogue.settle(near_tie, _intents(e0=0.005, e1=CERTAIN), RULE, False)
    kept, sure = catalogue.settle(near_tie, _intents(e0=0.05, e1=LEADS + 0.05), RULE, False)

    assert [r.index for r in led] == [1, 0]
    assert certain.answers
    assert kept == near_tie
    assert not sure.answers


def test_a_question_told_as_a_story_needs_a_less_sure_model() -> None:
    """ "My coworker is leaving and we all chipped in for a present, but none of us know her
    size…": the story's words lower the score under the threshold and spread the model's
    probability; both readers still agree on gift cards."""
    catalogue = _catalogue()
    under_threshold = [Ranked(0, 0.5), Ranked(1, 0.5 - MIN_MARGIN - 0.01)]
    fairly_sure = _intents(e0=STORY_SURE + 0.05, e1=0.1)

    story = catalogue.verdict(under_threshold, fairly_sure, RULE, words=STORY_WORDS)

    assert story.answers
    assert story.reason.startswith(f"a question of {STORY_WORDS} words: the intent model is")
    assert not _answers(catalogue, under_threshold, fairly_sure, RULE, words=STORY_WORDS - 1)
    unsure = _intents(e0=STORY_SURE - 0.05, e1=0.1)
    assert not _answers(catalogue, under_threshold, unsure, RULE, words=40)
    # The sure rule's other conditions hold for stories too.
    below_floor = [Ranked(0, RULE.floor - 0.01), Ranked(1, 0.3)]
    assert not _answers(catalogue, below_floor, fairly_sure, RULE, words=40)
    other_entry = _intents(e0=0.3, e1=STORY_SURE + 0.05)
    assert not _answers(catalogue, under_threshold, other_entry, RULE, words=40)


def test_a_brand_with_questions_on_one_entry_is_answered_by_the_threshold_alone() -> None:
    catalogue = _catalogue(owners=[0] * 12)
    nothing_learned = np.zeros(3, dtype=np.float32)

    assert _answers(catalogue, [Ranked(0, 0.7), Ranked(1, 0.5)], nothing_learned, RULE)
    assert not _answers(catalogue, [Ranked(0, 0.5), Ranked(1, 0.3)], nothing_learned, RULE)


def test_each_verdict_says_why_in_words_a_lead_can_act_on() -> None:
    catalogue = _catalogue()
    agreeing = _intents(e0=0.6, e1=0.3)
    sure = _intents(e0=SURE + 0.05, e1=0.03)

    def reason(ranked: list[Ranked], intents: Floats) -> str:
        return catalogue.verdict(ranked, intents, RULE).reason

    assert reason([Ranked(0, 0.7), Ranked(1, 0.5)], agreeing) == (
        "score 0.700, 0.200 ahead of the next different answer"
    )
    assert reason([Ranked(0, 0.5), Ranked(1, 0.4)], agreeing) == "best score 0.500 is under 0.600"
    assert reason([Ranked(0, 0.7), Ranked(2, 0.65)], agreeing) == (
        "only 0.050 ahead of the next different answer (faq:shipping), under 0.080"
    )
    assert reason([Ranked(0, 0.5), Ranked(1, 0.4)], sure) == (
        "the intent model is 75% sure, 0.100 ahead of the next different answer"
    )


def test_the_same_questions_are_learned_once_per_process() -> None:
    vectors, owners = _phrasings(3)
    first = IntentModel(vectors, np.asarray(owners, dtype=np.int64), entries=3)
    again = IntentModel(vectors.copy(), np.asarray(owners, dtype=np.int64), entries=3)
    changed = vectors.copy()
    changed[0] = _unit(1.0, 1.0, 0.0, 0.0)
    other = IntentModel(changed, np.asarray(owners, dtype=np.int64), entries=3)

    assert again.weights is first.weights
    assert other.weights is not first.weights


def test_a_hand_off_entry_never_answers_nor_leads() -> None:
    """Questions a lead lists for a person: first by score, or named by a sure intent model
    just behind the best entry, a person replies."""
    catalogue = _with_hand_off("faq:returns", "faq:refunds")
    sure_of_it = _intents(e2=0.97, e0=0.01)

    verdict = catalogue.verdict([Ranked(2, 0.9), Ranked(0, 0.3)], sure_of_it, RULE)
    assert verdict == Verdict(
        False, "the brand lists questions like this for a person (faq:for-a-person)"
    )
    # Just behind the best entry, the hand-off entry the model is sure of does not lead it
    # (and, read as another entry, the model's doubt keeps the best from answering).
    hits, verdict = catalogue.settle([Ranked(0, 0.7), Ranked(2, 0.68)], sure_of_it, RULE)
    assert hits[0].index == 0 and not verdict.answers


def test_a_hand_off_entry_is_the_same_answer_as_nothing_else() -> None:
    """However alike its text is to an answer's, the model naming the hand-off entry is a
    different reading of the question, so the best entry does not answer."""
    vectors, owners = _phrasings(2)
    catalogue = Catalogue(
        answer_vectors=np.asarray([[1, 0, 0], [0.99, 0.14, 0]], dtype=np.float32),
        lexical_docs=["a person replies", "a person replies to these"],
        phrasing_vectors=vectors[:, :3],
        phrasing_owner=owners,
        ids=["faq:contact-us", "faq:for-a-person"],
        hand_off=[False, True],
    )
    assert catalogue.same is not None and not catalogue.same[0, 1]
    assert catalogue.same[1, 1] and catalogue.same[0, 0]
    verdict = catalogue.verdict(
        [Ranked(0, 0.9), Ranked(1, 0.2)], np.asarray([0.3, 0.7], np.float32), RULE
    )
    assert verdict.reason == "the intent model reads it as faq:for-a-person (0.70)"


def test_a_hand_off_entry_the_model_half_reads_neither_vetoes_nor_answers() -> None:
    """An answerable question told at length shares words with the hundreds of stories a
    lead sent to a person: under ``HAND_OFF_SURE`` the other entries decide."""
    catalogue = _with_hand_off("faq:newsletter", "faq:returns")
    ranked = [Ranked(0, 0.7), Ranked(1, 0.5)]
    half = _intents(e2=HAND_OFF_SURE - 0.05, e0=0.3)
    hits, verdict = catalogue.settle(ranked, half, RULE)
    assert hits[0].index == 0 and verdict.answers
    # At HAND_OFF_SURE or more, the model's reading still sends it to a person.
    hits, verdict = catalogue.settle(ranked, _intents(e2=HAND_OFF_SURE, e0=0.3), RULE)
    assert not verdict.answers
    # The other entries decide without it: one they read otherwise still keeps it back.
    other = _intents(e2=HAND_OFF_SURE - 0.05, e1=DISAGREES + 0.05)
    assert not catalogue.settle(ranked, other, RULE)[1].answers


def test_a_question_closest_to_the_hand_off_entrys_questions_goes_to_a_person() -> None:
    """The hand-off entry's questions are not in its lexical document, so the words a
    question shares with a neighbouring FAQ ("welcome code") must not outrank questions a
    lead sent to a person that are closer by meaning."""
    catalogue = _with_hand_off("faq:newsletter", "faq:returns")
    newsletter_words = np.asarray([0.6, 0.0, 0.0], dtype=np.float32)
    nearer_a_person = _unit(0.7, 0.0, 0.75, 0.0)  # a hair closer to the hand-off's questions
    fused = catalogue.fuse(nearer_a_person, newsletter_words)
    ranked = catalogue.rank(fused, np.ones(3, dtype=bool))
    assert ranked[0].index == 2
    verdict = catalogue.verdict(ranked, _intents(), RULE)
    assert verdict.reason == "the brand lists questions like this for a person (faq:for-a-person)"

    # Closer to the newsletter's own questions, the words it shares count as before.
    nearer_the_faq = _unit(0.72, 0.0, 0.74, 0.0)
    fused = catalogue.fuse(nearer_the_faq, newsletter_words)
    assert catalogue.rank(fused, np.ones(3, dtype=bool))[0].index == 0
    assert fused[2] < fused[0] - 0.1  # the hand-off entry keeps its own (empty) lexical share
