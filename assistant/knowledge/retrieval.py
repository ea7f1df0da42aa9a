"""Hybrid ranking of knowledge entries, and whether the best one answers the question.

Each entry is scored by meaning (the closest of its embedded texts: its answer, its
question, each ``also_asked`` phrasing, and the mean of those questions) plus a lexical
BM25 share, on the normalised question. The best entry answers only when its score clears
the brand's threshold AND beats the best entry with a *different* answer by a margin: a
near tie between two different answers is a guess, and a wrong FAQ that passes the
grounding check is the worst draft."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assistant.knowledge.intents import IntentModel
from assistant.knowledge.lexical import Bm25, Vocabulary
from assistant.knowledge.normalise import normalise
from assistant.knowledge.spelling import Speller

Floats = npt.NDArray[np.float32]

LEXICAL_WEIGHT = 0.3  # share of the saturated BM25 score added to the cosine
LEXICAL_HALF = 6.0  # BM25 score that counts as half a full lexical match
SAME_ANSWER = 0.8  # answers this similar say the same thing (an FAQ and its policy section)
# An FAQ and the policy section it sums up, each the other's closest of the other kind, say
# the same thing at a lower similarity (the section adds its fine print).
PAIRED_ANSWER = 0.7
ANSWER_VECTOR_WEIGHT = 0.95  # an answer-text match counts a little less than a question match
MIN_MARGIN = 0.04
QUANTILE = 0.15  # the threshold lets this share of the brand's own phrasings through unanswered
# A phrasing-rich FAQ (customers' questions accepted from approvals) is also asked with only
# near-copies of the phrasing left out: its bar then answers all but this share of those
# that find their own entry.
AMONG_SIBLINGS_QUANTILE = 0.10
NEAR_COPY = 0.9  # phrasings this alike are one phrasing written twice ("… pls")
# Held-out phrasings calibration scores at once: a batch holds this many rows of scores
# against every phrasing (4 MB per 1,000 phrasings).
ASKED_AT_ONCE = 1024
# How sure the brand's intent model must be of the best entry to answer a question whose
# score is under the calibrated threshold or margin (but over the policy's floor), whatever
# the margin and whether or not the question uses words the knowledge never does (those
# still lower the score it is read at). Trained on a brand's customers' wordings, the model
# tells entries apart better than a margin of cosines: measured on the sixteen question sets,
# each left out of the FAQ, 0.85 with the knowledge-words veto answered 0.838 right, 0.70
# without it 0.871, with 0.006 → 0.007 wrong and one more unanswerable one answered (of
# 406). A brand whose FAQ holds only its own questions has a model that is seldom this sure:
# on that FAQ the rule answers what 0.85 did, but one more wrong (of 445).
SURE = 0.70
# The intent model disagrees when it gives a different answer at least this probability:
# below it, it has not learned the topic (one phrasing a lead just added for wholesale
# among twenty about phone and email) and the fused score decides alone.
DISAGREES = 0.25
# The intent model puts an entry first when it is at least this sure of it and the fused
# score has it at most ``CLOSE_BEHIND`` behind the best one: two entries that near by score
# are a toss-up the model was trained to settle ("can i buy my bff a giftcard" scores gift
# wrapping a hair above gift cards). Measured on the nine question sets, each left out of
# the FAQ: right answers +0.7 point, nothing more wrong or unanswerable answered. As sure as
# ``SURE`` (was 0.85): on the seventeen sets, each left out of the FAQ, right 0.896 → 0.901
# on the fourteen older ones (mean of sets) and 0.787 → 0.813 on the three newest, nothing
# more wrong or unanswerable answered ("need the beanie in forest green but it says out of
# stock": 96% restocks, 0.008 behind exchanges).
LEADS = 0.70
CLOSE_BEHIND = 0.06
# At ``CERTAIN_LEADS`` the model puts its entry first from up to ``FAR_BEHIND`` behind ("I
# live in the UK and the trousers just aren't working for me. What are the steps to get them
# back…": 99% how-to-return, 0.052 behind return-window). Measured on the twenty-two sets,
# each left out of the FAQ (session 18): right 0.8883 → 0.8895 (mean of sets), nothing more
# wrong or unanswerable answered; at 0.90 sure one more unanswerable one was answered.
CERTAIN_LEADS = 0.95
FAR_BEHIND = 0.15
# Between the two: at ``SURE_LEADS`` from up to ``FURTHER_BEHIND`` behind. A product's name
# pulls the fused score to the price and range entries ("installments?? want the merino
# crew + fleece but cant drop it all at once": 86% pay-in-4, product prices first by score).
# Measured on the thirty-two sets, each left out of the FAQ (session 23): right 0.9145 →
# 0.9174 (mean of sets), nothing more wrong, one more unanswerable question answered (of
# 797: "What's the fabric weight of the organic cotton tee?", by the materials entry); at
# 0.85 sure or 0.10 behind, fewer right and the same one answered.
SURE_LEADS = 0.80
FURTHER_BEHIND = 0.12
# How far behind the best entry the intent model's entry may be, by how sure it is.
LEAD_GAPS = ((CERTAIN_LEADS, FAR_BEHIND), (SURE_LEADS, FURTHER_BEHIND), (LEADS, CLOSE_BEHIND))
# A question with words the knowledge never uses (``trust`` false) may not have an entry
# behind the best one lead, unless the model is this sure of it ("is signing up *mandatory*
# or can i *skip* it", 0.99 create-account): +0.3 point, the same otherwise. 0.99 → 0.90 on
# the twenty-two sets (session 18): right 0.8869 → 0.8883, nothing more wrong or
# unanswerable answered; at 0.80 one more unanswerable one was answered.
CERTAIN = 0.90
# A question told as a story ("My coworker is leaving and we all chipped in for a present…")
# has its question's words diluted by the story's: every similarity is lower, and the intent
# model's probability spread wider. From ``STORY_WORDS`` words on, ``STORY_SURE`` is enough.
# Measured on the ten question sets, each left out of the FAQ: 13 more answered right (all of
# 12–27 words), nothing more wrong or unanswerable answered; from 8 words some unanswerable
# ones were answered too. 0.70 → 0.60 with ``SURE`` at 0.70: +0.006 right on the sixteen sets.
STORY_WORDS = 12
STORY_SURE = 0.6
# The hand-off entry holds every question a lead sent to a person, hundreds of them and
# most told as stories, so the model gives an answerable story told at length a share of
# it ("I'm about to place my very first purchase with you and a friend mentioned you knock
# something off…": 67% hand-off, the newsletter entry best by score). Below this, the
# hand-off entry neither vetoes nor answers: the other entries decide, and an unanswerable
# question still needs the fused score's threshold and margin, or a sure model. Measured on
# the twenty-five sets, each left out of the FAQ (session 19): at 0.5 right 0.9047 → 0.9058
# (mean of sets), nothing more wrong or unanswerable answered; at 0.6 0.9069 and at 0.7
# 0.9096, each with one more unanswerable question answered.
HAND_OFF_SURE = 0.5


def fused_score(dense: Floats, lexical: Floats) -> Floats:
    """Meaning plus the lexical share, scaled back to at most 1 so leads read it like a
    similarity (per entry; or per question and entry)."""
    fused = (dense + LEXICAL_WEIGHT * lexical) / (1 + LEXICAL_WEIGHT)
    return fused.astype(np.float32)


@dataclass(frozen=True)
class Calibration:
    """The answer rule for one brand, derived from its own FAQ phrasings (reproducible:
    the same knowledge gives the same numbers)."""

    threshold: float
    margin: float
    phrasings: int  # held-out phrasings it was computed on
    recall: float  # share of them answered with their own FAQ by threshold and margin
    floor: float  # the policy's min_score: nothing under it is ever answered
    intents: int = 0  # entries the brand's intent model tells apart (0: it has none)
    sure: float = SURE  # the intent model's probability that answers under the threshold

    def describe(self) -> str:
        """The rule in words, as the CLI and the knowledge page show it."""
        rule = (
            f"best score ≥ {self.threshold:.2f} and ≥ {self.margin:.2f} ahead of the best "
            f"different answer (calibrated on {self.phrasings} also_asked phrasings)"
        )
        if not self.intents:
            return rule
        return (
            f"{rule}, unless the intent model trained on the questions of {self.intents} "
            f"entries reads another answer; where it is ≥ {self.sure:.0%} sure of the same "
            f"one (≥ {STORY_SURE:.0%} of a question of {STORY_WORDS} words or more), "
            f"≥ {self.floor:.2f} is enough; where it is ≥ {LEADS:.0%} sure of an entry "
            f"at most {CLOSE_BEHIND:.2f} behind the best FAQ entry ({SURE_LEADS:.0%} sure: "
            f"{FURTHER_BEHIND:.2f}; {CERTAIN_LEADS:.0%}: {FAR_BEHIND:.2f}; never a policy's "
            f"section, which it does not know), that entry answers; a hand-off "
            f"entry counts in its reading only where it is ≥ {HAND_OFF_SURE:.0%} sure of it"
        )


@dataclass(frozen=True)
class Verdict:
    """Whether the best entry answers, and why, in words a lead or an agent can act on."""

    answers: bool
    reason: str


@dataclass(frozen=True)
class Ranked:
    index: int  # entry position in the catalogue
    score: float


def paired_answers(vectors: Floats, is_faq: list[bool]) -> list[tuple[int, int]]:
    """(FAQ, policy section) pairs that are each other's closest answer of the other kind
    and at least ``PAIRED_ANSWER`` alike: the same facts, so neither is a rival of the other
    for the margin (a question about an address change that finds both is not a guess)."""
    faqs = [n for n, f in enumerate(is_faq) if f]
    sections = [n for n, f in enumerate(is_faq) if not f]
    if not faqs or not sections:
        return []
    similarity = vectors[faqs] @ vectors[sections].T
    closest_section = similarity.argmax(axis=1)
    closest_faq = similarity.argmax(axis=0)
    return [
        (faqs[i], sections[j])
        for i, j in enumerate(int(j) for j in closest_section)
        if closest_faq[j] == i and similarity[i, j] >= PAIRED_ANSWER
    ]


class Catalogue:
    """Everything retrieval needs in memory: a few hundred rows, so exact search beats an
    approximate index and the lexical side needs no engine."""

    def __init__(
        self,
        answer_vectors: Floats,
        lexical_docs: list[str],
        phrasing_vectors: Floats,
        phrasing_owner: list[int],
        groups: list[str] | None = None,
        is_faq: list[bool] | None = None,
        ids: list[str] | None = None,
        hand_off: list[bool] | None = None,
    ) -> None:
        self.ids = ids or [f"entry {n}" for n in range(len(answer_vectors))]
        # Entries that rank and train the intent model like any other but never answer.
        self.hand_off = np.asarray(hand_off or [False] * len(answer_vectors), dtype=bool)
        self.answer_vectors = answer_vectors
        self.phrasing_vectors = phrasing_vectors
        self.phrasing_owner = np.asarray(phrasing_owner, dtype=np.int64)
        # Phrasings in their owners' order, so each entry's best is one slice's max
        # (``np.maximum.at`` is unbuffered and costs the most of a search's arithmetic).
        self._by_owner = np.argsort(self.phrasing_owner, kind="stable")
        owners = self.phrasing_owner[self._by_owner]
        self._owner_starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]][: len(owners)])
        self._owners = owners[self._owner_starts]
        self.bm25 = Bm25(lexical_docs)
        # The words the knowledge covers, and the spellings it knows, come from its
        # questions and answers only: phrasings learned from customers carry their typos
        # ("chekout") and words no answer covers ("kid-sized"), which would pass the
        # coverage check and stop the speller from fixing the same typo next time.
        self.vocabulary = Vocabulary(lexical_docs)
        self.speller = Speller(normalise(t) for t in lexical_docs)
        # Entries that give the same answer: near-identical text (an FAQ and the policy
        # section it sums up), or one group (the sections of one policy).
        self.same = answer_vectors @ answer_vectors.T >= SAME_ANSWER if len(lexical_docs) else None
        if groups is not None and self.same is not None:
            keys = np.asarray(groups)
            self.same |= keys[:, None] == keys[None, :]
        if is_faq is not None and self.same is not None:
            for faq, section in paired_answers(answer_vectors, is_faq):
                self.same[faq, section] = self.same[section, faq] = True
        if self.same is not None and self.hand_off.any():
            # A hand-off entry gives no answer, so it says the same as nothing else, however
            # alike its text ("a person replies within one business day").
            self.same[self.hand_off, :] = self.same[:, self.hand_off] = False
            self.same[self.hand_off, self.hand_off] = True
        self._sums = np.zeros_like(answer_vectors)
        np.add.at(self._sums, self.phrasing_owner, phrasing_vectors)
        self._counts = np.bincount(self.phrasing_owner, minlength=len(answer_vectors))
        self.centroids = self._centroids()
        self.intents = IntentModel(phrasing_vectors, self.phrasing_owner, len(answer_vectors))

    def __len__(self) -> int:
        return len(self.answer_vectors)

    def _dense(self, vector: Floats) -> Floats:
        """Per entry, the closest of its embedded texts."""
        dense = (self.answer_vectors @ vector) * ANSWER_VECTOR_WEIGHT
        if len(self.phrasing_vectors):
            by_phrasing = self.phrasing_vectors @ vector
            best = np.full(len(dense), -1.0, dtype=np.float32)
            in_order = by_phrasing[self._by_owner]
            best[self._owners] = np.maximum.reduceat(in_order, self._owner_starts)
            dense = np.maximum(dense, np.maximum(best, self.centroids @ vector))
        return dense

    def _centroids(self) -> Floats:
        """Per entry, the mean direction of its questions: the intent they share, which a
        new wording can be closer to than to any one of them (measured on the pooled tuning
        sets: right 0.807 → 0.817, wrong and unanswerable answered lower). An entry
        without questions gets a vector that matches nothing."""
        norms = np.linalg.norm(self._sums, axis=1, keepdims=True)
        rows: Floats = (self._sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return rows

    def scores(self, vector: Floats, query: str) -> Floats:
        """One fused score per entry."""
        return self.fuse(vector, self.lexical(query))

    def lexical(self, query: str) -> Floats:
        """The lexical side alone, per entry in [0, 1): it needs no embedding, so a search
        reads it while the message's embedding is still being computed."""
        lexical = np.asarray(self.bm25.scores(query), dtype=np.float32)
        share: Floats = lexical / (lexical + LEXICAL_HALF)
        return share

    def fuse(self, vector: Floats, lexical: Floats) -> Floats:
        dense = self._dense(vector)
        return fused_score(dense, self._hand_off_lexical(dense, lexical))

    def _hand_off_lexical(self, dense: Floats, lexical: Floats) -> Floats:
        """The lexical side, with the hand-off entry matched as well as the best entry where
        its questions are the closest of all by meaning. Its lexical document is its title and
        text, never the hundreds of questions a lead sent to a person (they would drown
        BM25's length norm), so by words alone it always lost to the neighbouring FAQ that
        shares the question's words: "can I use the welcome code together with another
        discount code?" was answered by the newsletter entry (0.705 against 0.550) though a
        lead's "can i stack my welcome code w another promo code?" was closer by meaning.
        Per entry along the last axis: one question, or one row per question (calibration)."""
        hand_off = self.hand_off
        if not hand_off.any() or hand_off.all():
            return lexical
        closest = dense[..., hand_off].max(-1) >= dense[..., ~hand_off].max(-1)
        if not closest.any():
            return lexical
        matched = lexical.copy()
        best = lexical.max(-1, keepdims=True)
        matched[..., hand_off] = np.where(closest[..., None], best, lexical[..., hand_off])
        return matched

    def uncovered(self, question: Floats, known_words_only: Floats) -> Floats:
        """Per entry, how much closer it gets once the question's words that the knowledge
        never uses are dropped: an entry that fits "do you sell furniture" better as "do you
        sell" answers the rest of the question, not what was asked. A synonym the
        knowledge lacks ("vouchers" for gift cards) carries the meaning, so dropping it
        moves the entry away and costs nothing. Subtracted from the fused score."""
        rise: Floats = self._dense(known_words_only) - self._dense(question)
        rise[rise < 0] = 0.0
        return rise

    def rank(self, fused: Floats, allowed: npt.NDArray[np.bool_]) -> list[Ranked]:
        order = [int(i) for i in np.argsort(-fused) if allowed[i]]
        return [Ranked(i, float(fused[i])) for i in order]

    def margin(self, ranked: list[Ranked]) -> float:
        """How far the best entry leads the best entry that gives a different answer."""
        if not ranked:
            return 0.0
        rival = self._rival(ranked)
        return ranked[0].score - rival.score if rival else ranked[0].score

    def _rival(self, ranked: list[Ranked]) -> Ranked | None:
        assert self.same is not None
        top = ranked[0]
        return next((r for r in ranked[1:] if not self.same[top.index, r.index]), None)

    def settle(
        self,
        ranked: list[Ranked],
        intents: Floats,
        rule: Calibration,
        trust: bool = True,
        words: int = 0,
    ) -> tuple[list[Ranked], Verdict]:
        """The hits in the order a draft reads them, and whether the first answers: the
        fused ranking, unless the intent model leads with an entry just behind the best one
        (see ``LEADS``); otherwise ``verdict``."""
        intents = self._hand_off_heard(intents)
        trust = trust or bool(intents.max() >= CERTAIN)
        led = self._led(ranked, intents, rule) if trust else None
        if led is not None:
            return led
        return ranked, self.verdict(ranked, intents, rule, words)

    def _hand_off_heard(self, intents: Floats) -> Floats:
        """The intent model's reading, without the hand-off entry where that entry is its
        first choice at less than ``HAND_OFF_SURE``: the other entries then decide."""
        if not self.intents.trained or not self.hand_off.any():
            return intents
        named = int(intents.argmax())
        if not self.hand_off[named] or intents[named] >= HAND_OFF_SURE:
            return intents
        return np.where(self.hand_off, 0.0, intents)

    def _led(
        self, ranked: list[Ranked], intents: Floats, rule: Calibration
    ) -> tuple[list[Ranked], Verdict] | None:
        if not ranked or not self.intents.trained:
            return None
        assert self.same is not None
        top, named = ranked[0], int(intents.argmax())
        chosen = next((r for r in ranked if r.index == named), None)
        gap = next((gap for sure, gap in LEAD_GAPS if intents[named] >= sure), None)
        if chosen is None or self.same[top.index, named] or gap is None:
            return None
        if self.hand_off[top.index] or self.hand_off[named]:
            return None
        if not self.ids[top.index].startswith("faq:"):
            return None  # the model knows only FAQ entries: it cannot outvote a policy's section
        behind = top.score - chosen.score
        if behind > gap or chosen.score < rule.floor:
            return None
        reason = (
            f"the intent model is {intents[named]:.0%} sure, {behind:.3f} behind "
            f"{self.ids[top.index]} by score"
        )
        return [chosen, *(r for r in ranked if r is not chosen)], Verdict(True, reason)

    def verdict(
        self,
        ranked: list[Ranked],
        intents: Floats,
        rule: Calibration,
        words: int = 0,
    ) -> Verdict:
        """Whether the best entry answers: the fused score clears the brand's threshold and
        margin, and the intent model (``intents``: its probability per entry) does not
        read the question as a different answer. Where the model is sure of the same one
        (``rule.sure``; of a question told as a story, ``words`` long, ``STORY_SURE``),
        over the policy's floor is enough. Two readers that disagree are a guess: a person
        replies. A brand with questions on fewer than two entries has no intent model."""
        if not ranked:
            return Verdict(False, "no entry may answer here")
        if self.hand_off[ranked[0].index]:
            return Verdict(
                False,
                f"the brand lists questions like this for a person ({self.ids[ranked[0].index]})",
            )
        top, margin = ranked[0], self.margin(ranked)
        ahead = f"{margin:.3f} ahead of the next different answer"
        assert self.same is not None
        named = int(intents.argmax())
        # An untrained model gives every entry 0: it neither agrees nor disagrees.
        agrees = self.intents.trained and bool(self.same[top.index, named])
        if not agrees and intents[named] >= DISAGREES:
            return Verdict(
                False, f"the intent model reads it as {self.ids[named]} ({intents[named]:.2f})"
            )
        if top.score >= rule.threshold and margin >= rule.margin:
            return Verdict(True, f"score {top.score:.3f}, {ahead}")
        # ``words``: the question's length; a story's words lower every similarity.
        bar = min(rule.sure, STORY_SURE) if words >= STORY_WORDS else rule.sure
        if agrees and intents[named] >= bar and top.score >= rule.floor:
            told = f"a question of {words} words: " if intents[named] < rule.sure else ""
            return Verdict(True, f"{told}the intent model is {intents[named]:.0%} sure, {ahead}")
        if top.score < rule.threshold:
            return Verdict(False, f"best score {top.score:.3f} is under {rule.threshold:.3f}")
        rival = self._rival(ranked)
        against = f" ({self.ids[rival.index]})" if rival else ""
        return Verdict(False, f"only {ahead}{against}, under {rule.margin:.3f}")

    def calibrate(self, held_out: dict[int, str], floor: float) -> Calibration:
        """The brand's answer rule from its own ``also_asked`` phrasings (position → text),
        never below ``floor`` (the policy's min_score). Each phrasing is asked twice:

        * with every ``also_asked`` phrasing of its entry left out, so against the entry's
          question and answer and the rest of the knowledge: the threshold lets most of
          them be answered by their entry. Leaving out only the phrasing asked let its
          siblings (often near-paraphrases) answer it, so every phrasing a lead added made
          the bar higher for customers' new wordings;
        * with only its near-copies left out: a new question to an FAQ that already holds
          many customers' wordings usually has a sibling close by, and so does a question
          to a neighbouring entry. Measured on questions left out of an FAQ holding ~600
          of them, the first rule alone fell to the floor and answered a fifth of the
          questions no FAQ answers; the bar is the higher of the two.

        The lexical side never holds ``also_asked`` text, so leaving the vectors out leaves
        the phrasings out."""
        held = np.fromiter(held_out, dtype=np.int64, count=len(held_out))
        lexical = np.asarray([self.lexical(text) for text in held_out.values()], np.float32)
        siblings = self._siblings(held_out)
        apart = self.held_out_scores(held, lexical, [siblings[int(n)] for n in held])
        if not apart:
            return Calibration(
                threshold=floor,
                margin=MIN_MARGIN,
                phrasings=0,
                recall=0.0,
                floor=floor,
                intents=self.intents.learned,
            )
        tops, margins = [t for t, _ in apart], [m for _, m in apart]
        threshold = max(floor, float(np.quantile(tops, QUANTILE)))
        margin = max(MIN_MARGIN, min(0.1, float(np.quantile(margins, QUANTILE))))
        near = self._near_copies(siblings)
        among = self.held_out_scores(held, lexical, [near[int(n)] for n in held])
        if among:
            top = float(np.quantile([t for t, _ in among], AMONG_SIBLINGS_QUANTILE))
            lead = float(np.quantile([m for _, m in among], AMONG_SIBLINGS_QUANTILE))
            threshold, margin = max(threshold, top), max(margin, min(0.1, lead))
        answered = sum(
            1 for t, m in zip(tops, margins, strict=True) if t >= threshold and m >= margin
        )
        return Calibration(
            threshold=round(threshold, 4),
            margin=round(margin, 4),
            phrasings=len(held_out),
            recall=round(answered / len(held_out), 3),
            floor=floor,
            intents=self.intents.learned,
        )

    def _siblings(self, held_out: dict[int, str]) -> dict[int, list[int]]:
        """Each phrasing → every held-out phrasing of its entry (itself included)."""
        by_owner: dict[int, list[int]] = {}
        for n in held_out:
            by_owner.setdefault(int(self.phrasing_owner[n]), []).append(n)
        return {n: by_owner[int(self.phrasing_owner[n])] for n in held_out}

    def _near_copies(self, siblings: dict[int, list[int]]) -> dict[int, list[int]]:
        """Each phrasing → itself and those of its ``siblings`` at least ``NEAR_COPY``
        alike."""
        out = {}
        for n, siblings_of_n in siblings.items():
            alike = self.phrasing_vectors[siblings_of_n] @ self.phrasing_vectors[n]
            out[n] = [
                s for s, a in zip(siblings_of_n, alike, strict=True) if s == n or a >= NEAR_COPY
            ]
        return out

    def held_out_scores(
        self, held: npt.NDArray[np.int64], lexical: Floats, leave_out: list[list[int]]
    ) -> list[tuple[float, float]]:
        """(best score, margin) for each held-out phrasing (``held``, with ``lexical`` its
        lexical scores per entry) asked with ``leave_out[i]`` left out, when its own entry
        comes first. The phrasings are asked ``ASKED_AT_ONCE`` at a time, as matrices
        (asked one by one, a FAQ of a thousand phrasings took a second of every build)."""
        left_sums: dict[tuple[int, ...], Floats] = {}  # siblings share one leave-out list
        for out in leave_out:
            if (key := tuple(out)) not in left_sums:
                left_sums[key] = self.phrasing_vectors[out].sum(axis=0)
        found = []
        for start in range(0, len(held), ASKED_AT_ONCE):
            part = slice(start, start + ASKED_AT_ONCE)
            asked_out = leave_out[part]
            removed = np.asarray([left_sums[tuple(out)] for out in asked_out], np.float32)
            found += self._asked_at_once(held[part], lexical[part], asked_out, removed)
        return found

    def _asked_at_once(
        self,
        held: npt.NDArray[np.int64],
        lexical: Floats,
        leave_out: list[list[int]],
        removed: Floats,
    ) -> list[tuple[float, float]]:
        """``held_out_scores`` for one batch; ``removed``: per phrasing, the sum of the
        vectors it leaves out. Every phrasing left out belongs to the asked one's entry,
        so only that entry's column differs from a search of the whole catalogue."""
        asked, owners = self.phrasing_vectors[held], self.phrasing_owner[held]
        rows, sizes = np.arange(len(held)), np.asarray([len(out) for out in leave_out])
        by_phrasing = asked @ self.phrasing_vectors.T
        by_phrasing[np.repeat(rows, sizes), np.concatenate(leave_out)] = -1.0
        best = np.full((len(held), len(self)), -1.0, dtype=np.float32)
        best[:, self._owners] = np.maximum.reduceat(
            by_phrasing[:, self._by_owner], self._owner_starts, axis=1
        )
        # The own entry's mean over the questions left to it (none left: no mean at all).
        remaining = self._sums[owners] - removed
        remaining[sizes == self._counts[owners]] = 0.0
        norms = np.linalg.norm(remaining, axis=1)
        to_mean = asked @ self.centroids.T
        to_mean[rows, owners] = (remaining * asked).sum(axis=1) / np.where(norms > 0, norms, 1.0)
        dense = np.maximum(
            (asked @ self.answer_vectors.T) * ANSWER_VECTOR_WEIGHT, np.maximum(best, to_mean)
        )
        # Search's hand-off match too: a phrasing that search would hand to a person does
        # not count as answered by its own entry.
        fused = fused_score(dense, self._hand_off_lexical(dense, lexical))
        assert self.same is not None
        tops = fused.argmax(axis=1)
        top_scores = fused[rows, tops]
        rivals = np.where(self.same[tops], -np.inf, fused).max(axis=1)
        margins = np.where(np.isfinite(rivals), top_scores - rivals, top_scores)
        found = self.same[tops, owners]
        return [
            (float(t), float(m)) for t, m in zip(top_scores[found], margins[found], strict=True)
        ]
