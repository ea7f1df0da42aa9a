"""Finding the right answer for how customers write: the development set, ``also_asked``
phrasings, and ``assistant ask``."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.app import open_assistant
from assistant.cli.main import app
from assistant.errors import KnowledgeError
from assistant.knowledge.faq_edit import remove_also_asked
from assistant.knowledge.loader import load_knowledge
from assistant.knowledge.normalise import normalise, reworded, same_words
from assistant.knowledge.retrieval import (
    ANSWER_VECTOR_WEIGHT,
    LEXICAL_WEIGHT,
    Catalogue,
    paired_answers,
)
from assistant.knowledge.spelling import Speller
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import ROOT, run

runner = CliRunner()
DEV_SET = ROOT / "bench" / "data" / "retrieval_dev.jsonl"
CHECK_SET = ROOT / "bench" / "data" / "retrieval_check.jsonl"  # written apart, never tuned on
CHECK2_SET = ROOT / "bench" / "data" / "retrieval_check2.jsonl"  # measured once, at the end
CHECK3_SET = ROOT / "bench" / "data" / "retrieval_check3.jsonl"  # issue 14, fourth pass
CHECK4_SET = ROOT / "bench" / "data" / "retrieval_check4.jsonl"  # fifth pass, after the changes
CHECK5_SET = ROOT / "bench" / "data" / "retrieval_check5.jsonl"  # sixth pass, before the changes
CHECK6_SET = ROOT / "bench" / "data" / "retrieval_check6.jsonl"  # sixth pass, after the changes
CHECK7_SET = ROOT / "bench" / "data" / "retrieval_check7.jsonl"  # another writer, eighth pass
CHECK8_SET = ROOT / "bench" / "data" / "retrieval_check8.jsonl"  # a third writer, ninth pass
CHECK9_SET = ROOT / "bench" / "data" / "retrieval_check9.jsonl"  # a fourth writer, tenth pass
_ALL_SETS = (
    DEV_SET,
    CHECK_SET,
    CHECK2_SET,
    CHECK3_SET,
    CHECK4_SET,
    CHECK5_SET,
    CHECK6_SET,
    CHECK7_SET,
    CHECK8_SET,
    CHECK9_SET,
)


def _dev_rows(path: Path = DEV_SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# (right at least, wrong at most, unanswerable answered at most), each set's questions
# left out of the knowledge: a little below what bench/retrieval.py measures (dev 0.97 /
# 0.00 / 0.00, check 0.87 / 0.00 / 0.03). Without the intent model check measured 0.82 /
# 0.01 / 0.06; calibrated on its siblings alone, the FAQ that holds customers' wordings
# answered 0.09 and 0.23 of the unanswerable questions; the retrieval before issue 14
# measured 0.74 / 0.07 / 0.09 and 0.64 / 0.11 / 0.06.
FLOORS = {DEV_SET: (0.95, 0.02, 0.03), CHECK_SET: (0.84, 0.02, 0.06)}


@pytest.mark.parametrize("path", [DEV_SET, CHECK_SET], ids=["dev", "check"])
def test_casual_questions_find_their_faq_and_unanswerable_ones_mostly_do_not(
    tmp_path: Path, path: Path
) -> None:
    rows = _dev_rows(path)
    settings = _without_questions(tmp_path, rows)

    async def go() -> list[tuple[dict[str, Any], str | None, bool]]:
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(SYSTEM_ACTOR)
            out = []
            for row in rows:
                asked = assistant.library.retrieve(SYSTEM_ACTOR, row["text"], row.get("channel"))
                out.append((row, asked.hits[0].id if asked.hits else None, asked.answered))
            return out

    results = run(go())
    answerable = [(r, top, ok) for r, top, ok in results if r["expect"]]
    right = [
        1 for r, top, ok in answerable if ok and top in {r["expect"], *r.get("also_right", [])}
    ]
    wrong = [
        1 for r, top, ok in answerable if ok and top not in {r["expect"], *r.get("also_right", [])}
    ]
    unanswerable = [ok for r, _, ok in results if not r["expect"]]
    least_right, most_wrong, most_answered = FLOORS[path]
    assert sum(right) / len(answerable) >= least_right
    assert sum(wrong) / len(answerable) <= most_wrong
    assert sum(unanswerable) / len(unanswerable) <= most_answered


def _without_questions(tmp_path: Path, rows: list[dict[str, Any]]) -> Settings:
    """The sample brand, embedded, with these questions taken out of its FAQ: the FAQ has
    learned the answerable questions of every set, as approvals would teach it."""
    knowledge = tmp_path / "unseen" / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    assert remove_also_asked(knowledge, [r["text"] for r in rows]) > 0
    return Settings(data_dir=tmp_path / "unseen" / "data", knowledge_dir=knowledge)


def test_a_question_about_something_the_knowledge_never_mentions_is_not_answered(
    ingested: Settings,
) -> None:
    """ "Do you sell shoes?" and the size guide fit these questions but for the one word
    the knowledge never uses; before the coverage check both were answered."""

    async def go() -> list[bool]:
        async with open_assistant(ingested) as assistant:
            questions = ["do you sell bicycles?", "do you have a size guide for dogs"]
            return [assistant.library.retrieve(SYSTEM_ACTOR, q, None).answered for q in questions]

    assert run(go()) == [False, False]


def test_a_word_only_a_customers_phrasing_uses_is_not_something_the_knowledge_covers(
    ingested: Settings,
) -> None:
    """A shrinkage phrasing learned from a customer says "kid-sized"; no answer is about
    children's clothes, so a question about a size guide for kids stays unanswered (when
    the phrasings' words counted as covered, it was answered with the sizing chart)."""
    knowledge = load_knowledge(ingested.knowledge_dir)
    answers = " ".join(f"{c.title} {c.text}" for c in knowledge.chunks).lower()
    assert "kid" in " ".join(p for c in knowledge.chunks for p in c.also_asked).lower()
    assert "kid" not in answers

    async def go() -> bool:
        async with open_assistant(ingested) as assistant:
            return assistant.library.retrieve(
                SYSTEM_ACTOR, "do u have a size guide for kids", None
            ).answered

    assert run(go()) is False


def test_each_set_is_measured_on_questions_the_knowledge_has_not_learned(tmp_path: Path) -> None:
    """The FAQ lists the sets' answerable questions that the learning loop would propose;
    leaving a set's questions out removes every one of them and nothing else."""
    knowledge = load_knowledge(ROOT / "knowledge")
    phrasings = {" ".join(p.lower().split()) for c in knowledge.chunks for p in c.also_asked}
    sets = [{" ".join(r["text"].lower().split()) for r in _dev_rows(p)} for p in _ALL_SETS]
    # Each check set was written apart: no question is copied from another set. Writers who
    # never saw each other's set still wrote six identical short questions (check7, check8
    # and check9: "how many days do i have to send stuff back?", "last day to order for
    # xmas delivery?? 🎄").
    assert sum(len(s) for s in sets) - len(set().union(*sets)) <= 6
    for path, asked in zip(_ALL_SETS, sets, strict=True):
        copy = tmp_path / path.stem
        shutil.copytree(ROOT / "knowledge", copy)
        learned = phrasings & asked
        assert len(learned) >= 85  # most of each set's questions are in the FAQ
        assert remove_also_asked(copy, asked) == len(learned)
        left = {
            " ".join(p.lower().split()) for c in load_knowledge(copy).chunks for p in c.also_asked
        }
        assert left == phrasings - asked


@pytest.mark.parametrize(
    "path",
    _ALL_SETS[2:],
    ids=[path.stem.removeprefix("retrieval_") for path in _ALL_SETS[2:]],
)
def test_the_later_check_sets_cover_every_faq_and_unanswerable_questions(path: Path) -> None:
    rows = _dev_rows(path)
    chunks = load_knowledge(ROOT / "knowledge").chunks
    faqs = {c.id for c in chunks if c.kind == "faq" and not c.hand_off}
    per_faq = {faq: sum(r["expect"] == faq for r in rows) for faq in faqs}
    assert min(per_faq.values()) >= 3, per_faq
    assert sum(r["expect"] is None for r in rows) >= 20


def test_casual_text_is_normalised_for_retrieval() -> None:
    assert normalise("hey @fernhillgoods whats ur return policy?? 😩😩") == (
        "what is your return policy"
    )
    assert normalise("can i pay w paypal, pls") == "can i pay with paypal please"
    assert normalise("r prices in USD") == "are prices in usd"
    # Fillers go; the plain shop word stands in for how customers say it.
    assert normalise("u guys, my mug arrived CRACKED") == "you my mug arrived damaged"
    assert normalise("how do i get on the mailing list") == "how do i get on the newsletter"
    assert normalise("do u take klarna") == "do you take installments"
    # Symbols go the same way in plain ASCII text (fast path) and next to an emoji.
    assert (
        normalise("ur `return`^policy")
        == normalise("ur `return`^policy 😩")
        == ("your return policy")
    )


def _add_also_asked(path: Path, faq_id: str, lines: str) -> None:
    text = path.read_text()
    marker = f"id: {faq_id}\n"
    head, tail = text.split(marker, 1)
    question, rest = tail.split("\n", 1)
    path.write_text(f"{head}{marker}{question}\n{lines}{rest}")


def test_an_also_asked_phrasing_makes_a_new_question_reach_its_faq(ingested: Settings) -> None:
    question = "do u guys do wholesale for my shop?"

    def ask() -> tuple[str, bool]:
        async def go() -> tuple[str, bool]:
            async with open_assistant(ingested) as assistant:
                assistant.library.ingest(SYSTEM_ACTOR)
                asked = assistant.library.retrieve(SYSTEM_ACTOR, question)
                return asked.hits[0].id, asked.answered

        return run(go())

    # A brand without a list of questions for a person (the sample's holds wholesale ones).
    (ingested.knowledge_dir / "faq" / "for-a-person.md").unlink()
    assert ask()[1] is False
    faq = ingested.knowledge_dir / "faq" / "account.md"
    _add_also_asked(faq, "contact-us", "  - Do you sell wholesale to shops and stores?\n")

    assert ask() == ("faq:contact-us", True)


@pytest.mark.parametrize(
    ("lines", "line", "problem"),
    [
        ("also_asked:\n  - Is it free?\n  - ok\n", 6, "also_asked.1: String should have at least"),
        ("also_asked:\n  - Is it free?\n  - is it  FREE?\n", 4, "'is it  FREE?' is listed twice"),
        ("also_asked: {a: b}\n", 4, "also_asked: Input should be a valid list"),
        ("hand_off: sometimes\n", 4, "hand_off: Input should be a valid boolean"),
    ],
)
def test_a_bad_also_asked_names_its_file_and_line(
    knowledge_dir: Path, lines: str, line: int, problem: str
) -> None:
    (knowledge_dir / "faq" / "gifts.md").write_text(
        f"---\nid: gift-boxes\nquestion: Do you sell gift boxes?\n{lines}---\nNot yet.\n"
    )

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)

    [found] = caught.value.problems
    assert found.startswith(f"faq/gifts.md:{line}: ") and problem in found, found


def test_ask_json_gives_the_hits_and_whether_the_best_answers(ingested: Settings) -> None:
    answered = runner.invoke(app, ["ask", "do you take apple pay", "--json"])
    assert answered.exit_code == 0, answered.output
    result = json.loads(answered.output)
    assert result["answered"] is True
    best = result["hits"][0]
    assert set(best) == {"id", "score", "source", "line"}
    assert (best["id"], best["source"]) == ("faq:payment-methods", "faq/payments.md")
    lines = (ingested.knowledge_dir / best["source"]).read_text().splitlines()
    assert lines[best["line"] : best["line"] + 1] == ["id: payment-methods"]

    unanswered = runner.invoke(app, ["ask", "are u hiring? 👀", "--json"])
    assert json.loads(unanswered.output)["answered"] is False


def test_ask_says_why_the_best_entry_answers_or_not(ingested: Settings) -> None:
    answered = runner.invoke(app, ["ask", "do you take apple pay"]).output.splitlines()[0]
    unanswered = runner.invoke(app, ["ask", "are u hiring? 👀"]).output.splitlines()[0]

    assert re.fullmatch(
        r"answered by faq:payment-methods \(score 0\.\d{3}, 0\.\d{3} ahead of the next "
        r"different answer\)",
        answered,
    )
    # The sample FAQ lists hiring questions for a person (its hand-off entry).
    assert unanswered == (
        "not answered: a person replies (the brand lists questions like this for a person "
        "(faq:for-a-person))"
    )


def test_a_question_the_brand_lists_for_a_person_is_not_answered(ingested: Settings) -> None:
    """The sample FAQ's hand-off entry holds questions no FAQ answers ("do u have a student
    discount?"): a new wording of one finds it first, and a person replies, though the
    welcome code's FAQ shares its words."""
    chunks = load_knowledge(ingested.knowledge_dir).chunks
    [listed] = [c for c in chunks if c.id == "faq:for-a-person"]
    assert listed.hand_off and "do u have a student discount?" in listed.also_asked
    assert "is there any discount for students?" not in listed.also_asked

    asked = runner.invoke(app, ["ask", "is there any discount for students?", "--json"])

    result = json.loads(asked.output)
    assert result["answered"] is False and result["hits"][0]["id"] == "faq:for-a-person"


def test_ask_before_any_ingest_says_what_to_run(settings: Settings) -> None:
    result = runner.invoke(app, ["ask", "do you take apple pay"])

    assert result.exit_code != 0
    assert "assistant ingest" in result.output


def test_ingest_reports_the_brands_calibrated_answer_rule(ingested: Settings) -> None:
    result = runner.invoke(app, ["ingest", "--json"])

    rule = json.loads(result.output)["answer_rule"]
    floor = load_knowledge(ingested.knowledge_dir).policy.retrieval.min_score
    assert rule["threshold"] >= floor and rule["margin"] >= 0.04
    # A hand-off entry's questions are not answers: they do not set the bar.
    chunks = load_knowledge(ingested.knowledge_dir).chunks
    assert sum(len(c.also_asked) for c in chunks if c.hand_off) > 100
    assert rule["phrasings"] == sum(len(c.also_asked) for c in chunks if not c.hand_off)
    assert runner.invoke(app, ["ingest", "--json"]).output == result.output  # reproducible


def test_more_also_asked_paraphrases_do_not_raise_the_answer_threshold(
    ingested: Settings,
) -> None:
    """A lead who writes a casual copy of each phrasing must not make the brand's answer
    rule stricter for every customer: each phrasing is calibrated without its siblings."""

    def rule() -> dict[str, float]:
        result = runner.invoke(app, ["ingest", "--json"])
        assert result.exit_code == 0, result.output
        answer_rule: dict[str, float] = json.loads(result.output)["answer_rule"]
        return answer_rule

    before = rule()
    for chunk in load_knowledge(ingested.knowledge_dir).chunks:
        if chunk.kind == "faq" and chunk.also_asked:
            path = ingested.knowledge_dir / chunk.source
            casual = chunk.also_asked[0].lower().rstrip("?!.") + " pls"
            text = path.read_text()
            head, tail = text.split(f"id: {chunk.id.removeprefix('faq:')}\n", 1)
            at = tail.index("also_asked:\n") + len("also_asked:\n")
            path.write_text(
                f"{head}id: {chunk.id.removeprefix('faq:')}\n{tail[:at]}  - {casual}\n{tail[at:]}"
            )
    after = rule()

    assert after["phrasings"] > before["phrasings"] + 30
    # Calibrated against the entry's siblings too, the threshold rose by 0.06 here.
    assert abs(after["threshold"] - before["threshold"]) <= 0.02
    assert abs(after["margin"] - before["margin"]) <= 0.02


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("can i get a trakcing link for my parcel", "can i get a tracking link for my parcel"),
        ("i want to unsubscibe from the newsleter", "i want to unsubscribe from the newsletter"),
    ],
)
def test_a_question_with_typos_is_answered_like_the_one_spelled_right(
    ingested: Settings, typed: str, meant: str
) -> None:
    async def go() -> list[tuple[str, float, bool]]:
        async with open_assistant(ingested) as assistant:
            out = []
            for text in (typed, meant):
                asked = assistant.library.retrieve(SYSTEM_ACTOR, text)
                out.append((asked.hits[0].id, asked.hits[0].score, asked.answered))
            return out

    (typed_id, typed_score, typed_answered), (meant_id, meant_score, meant_answered) = run(go())
    assert (typed_id, typed_answered) == (meant_id, meant_answered) and meant_answered
    assert typed_score == pytest.approx(meant_score, abs=0.01)


def test_only_a_typo_of_a_knowledge_word_is_respelt() -> None:
    speller = Speller(["it is washed once", "the tote and the newsletter", "account amount"])

    assert speller.correct("the newsleter") == "the newsletter"
    # An edit at the end (another form of a word) and a typo two words are one edit from
    # stay as written.
    assert speller.correct("the washes and two totes") == "the washes and two totes"
    assert speller.correct("my acount") == "my acount"


@pytest.mark.parametrize(
    ("question", "answered_by"),
    [
        # Only normalising says "damaged"; the embedding of the words as written missed it
        # (0.470, just under the 0.488 rule: within the second reading's window).
        ("the bag arrived ripped", {"faq:damaged-or-wrong-item"}),
        ("take me off the mailing list pls", {"faq:newsletter"}),
        # The FAQ and the policy section it sums up are one answer, not rivals for the margin.
        (
            "is there a phone numbr for customer care",
            {"faq:contact-us", "policy:returns#getting-help-from-a-person"},
        ),
    ],
)
def test_a_question_in_the_customers_words_is_answered_by_its_faq(
    ingested: Settings, question: str, answered_by: set[str]
) -> None:
    async def go() -> tuple[str, bool]:
        async with open_assistant(ingested) as assistant:
            asked = assistant.library.retrieve(SYSTEM_ACTOR, question)
            return asked.hits[0].id, asked.answered

    top, answered = run(go())
    assert answered and top in answered_by


def test_an_faq_and_a_policy_section_pair_only_when_each_is_the_others_closest() -> None:
    def unit(*values: float) -> list[float]:
        vector = np.asarray(values, dtype=np.float32)
        return list(vector / np.linalg.norm(vector))

    vectors = np.asarray(
        [
            unit(1, 0, 0),  # FAQ 0
            unit(1, 0.5, 0),  # section 1: FAQ 0's closest, 0.89 alike
            unit(0, 1, 0),  # FAQ 2
            unit(0, 1, 1.2),  # section 3: FAQ 2's closest and the reverse, but 0.64 alike
            unit(1, 0.2, 0.8),  # FAQ 4: section 1 is its closest (0.76), FAQ 0 is closer
        ],
        dtype=np.float32,
    )

    assert paired_answers(vectors, [True, False, True, False, True]) == [(0, 1)]


def test_only_a_reworded_question_is_read_again() -> None:
    assert not reworded("Do you sell shoes?", normalise("Do you sell shoes?"))
    # A greeting or a filler dropped is not a new reading; for the coverage check the
    # words differ, so the text as written cannot stand for the normalised one.
    assert not reworded("Hi!! do you guys sell shoes?", normalise("Hi!! do you guys sell shoes?"))
    assert not same_words("Hi!! do you sell shoes?", normalise("Hi!! do you sell shoes?"))
    assert same_words("Do you sell shoes?", normalise("Do you sell shoes?"))
    assert reworded("my mug came smashed", normalise("my mug came smashed"))
    assert reworded("do u ship to canada", normalise("do u ship to canada"))


def test_an_entry_is_as_close_as_the_mean_of_its_questions() -> None:
    """Two phrasings of one intent, each half-way to a new wording: their mean is closer
    than either. Calibration leaves a held-out phrasing out of its entry's mean too."""

    def unit(*values: float) -> list[float]:
        vector = np.asarray(values, dtype=np.float32)
        return list(vector / np.linalg.norm(vector))

    def catalogue(phrasings: list[list[float]], owners: list[int]) -> Catalogue:
        return Catalogue(
            answer_vectors=np.asarray([unit(-1, 0, 0), unit(0, -1, 0)], dtype=np.float32),
            lexical_docs=["first entry", "second entry"],
            phrasing_vectors=np.asarray(phrasings, dtype=np.float32).reshape(-1, 3),
            phrasing_owner=owners,
        )

    both = catalogue([unit(1, 0, 1), unit(0, 1, 1), unit(1, 1, 2)], [0, 0, 1])
    asked = np.asarray(unit(1, 1, 2), dtype=np.float32)
    with_mean = both.scores(asked, "")[0] * (1 + LEXICAL_WEIGHT)
    assert with_mean == pytest.approx(1.0, abs=1e-5)

    # The third phrasing (entry 1, the same words) asked with the second left out, then
    # with both of entry 0's left out: only the first, then only the answer, is left.
    no_words = np.zeros((1, 2), dtype=np.float32)
    phrasing = np.asarray([2])
    one_left = catalogue([unit(1, 0, 1), unit(1, 1, 2)], [0, 1])
    assert both.held_out_scores(phrasing, no_words, [[2]]) == []  # entry 0 comes first
    ((score, _),) = catalogue([unit(1, 1, 2)], [0]).held_out_scores(
        np.asarray([0]), no_words, [[0]]
    )
    answer_only = float(np.dot(unit(-1, 0, 0), asked)) * ANSWER_VECTOR_WEIGHT
    assert score * (1 + LEXICAL_WEIGHT) == pytest.approx(max(answer_only, 0.0), abs=1e-5)
    assert one_left.scores(asked, "")[0] * (1 + LEXICAL_WEIGHT) == pytest.approx(
        float(np.dot(unit(1, 0, 1), asked)), abs=1e-5
    )


@pytest.mark.parametrize("hand_off", [None, [False, False, False, True, False]])
def test_calibration_scores_each_phrasing_as_a_search_without_what_it_leaves_out(
    hand_off: list[bool] | None,
) -> None:
    """Calibration asks every held-out phrasing at once, as matrices: each (score, margin)
    must be what a search of the same catalogue, built without the phrasings that one
    leaves out, gives it (the one-by-one definition), hand-off match included: a phrasing
    that search would hand to a person does not count as answered by its own entry."""
    rng = np.random.default_rng(7)

    def units(vectors: Any) -> Any:
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)

    owners = np.asarray([n % 4 for n in range(39)] + [4])  # entry 4: one phrasing only
    answers = units(rng.normal(size=(5, 8)))
    phrasings = units(answers[owners] + rng.normal(scale=0.4, size=(40, 8)))
    docs = [f"entry {n}" for n in range(5)]
    lexical = rng.uniform(0, 0.5, size=(40, 5)).astype(np.float32)
    whole = Catalogue(answers, docs, phrasings, list(owners), hand_off=hand_off)
    held = np.arange(40)
    siblings = [[int(m) for m in np.flatnonzero(owners == owners[n])] for n in held]
    for leave_out in (siblings, [[int(n)] for n in held]):
        expected = []
        for n in held:
            kept = [m for m in range(40) if m not in leave_out[n]]
            alone = Catalogue(answers, docs, phrasings[kept], list(owners[kept]), hand_off=hand_off)
            ranked = alone.rank(alone.fuse(phrasings[n], lexical[n]), np.ones(5, dtype=bool))
            if ranked[0].index == owners[n]:
                expected.append((ranked[0].score, alone.margin(ranked)))
        got = whole.held_out_scores(held, lexical, leave_out)
        assert len(expected) >= 10
        assert np.allclose(got, expected, atol=1e-6)
