"""How frustrated a social post sounds, read from the embedding the similarity detector
already computed: a logistic head fitted on GoEmotions (Reddit comments rated for 27
emotions, Apache-2.0; see data/README.md) to tell anger, annoyance, disappointment,
disapproval and disgust from every other emotion and from neutral comments.

Why: on tweets and comments the nearest shipped examples (banking and chatbot
utterances) are far away, and their vote sends about three in four calm questions and
thank-yous to a person along with the complaints. A post that the patterns and the
sentiment detector leave alone, and that sounds calm, is not sent on that vote alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant.knowledge.embeddings import Vectors
from assistant.safety.sentiment import compound, negative_words
from assistant.safety.social import social_normalise

HEAD = Path(__file__).with_name("data") / "tone_head.json"

# What makes a message a social post rather than a chat or e-mail line: an @handle, a
# link, a hashtag or an emoji.
SOCIAL_MARKS = re.compile(
    r"(?<!\w)[@＠]\w+|\bhttps?://|\bwww\.|#[^\W\d_]|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)


# Praise asks for nothing and names no problem; sarcasm leaves a mark ("great job 🙄").
ASKS = re.compile(
    r"\?|\b(?:help|please|pls|plz|can|could|would|will|want|wanna|need|how|what|where|when|why|"
    r"who|which|should|might|idea|is there|are there|do you|does|did|tell me|let me know|"
    r"contact|speak|talk|agent|human|person|anyone|someone)\b|['’]d like",
    re.IGNORECASE,
)
PROBLEMS = re.compile(
    r"\b(?:not|no|never|wrong|issues?|problems?|errors?|broke\w*|fail\w*|late|delay\w*|still|"
    r"again|lost|missing|stuck|crash\w*|slow|down|cancel\w*|refund\w*|charge\w*|money|paid|"
    r"pay|price|fee|bill\w*|wait\w*|hours?|days?|weeks?)\b|n['’]t\b",
    re.IGNORECASE,
)
SARCASM = re.compile(
    r"[🙃🤔😑😒🙄😤😠😡😩😭😞😢]|\b(?:smh|lol|wtf)\b|[\"“”]|!!|\?\?", re.IGNORECASE
)
SHOUTING = re.compile(r"\b[A-Z]{4,}\b")
# A routine question asks how, whether, when or where ("how do I…", "is there a way…",
# "will my saves carry over?", "do you ship to…") and names no trouble, money or account
# matter (PROBLEMS and TROUBLE): on a calm-enough post the vote of far-away examples is not
# a reason to send it to a person.
QUESTION = re.compile(
    r"\b(?:how (?:do|can|would|should|long|often) |how to|is there (?:a|an|any)|are there|"
    r"is it possible|can (?:i|we|you|someone|anyone|somebody) |could (?:i|we|you) |"
    r"do (?:i|we) (?:have|need)|"
    r"will (?:i|we|my|there|it|you)|does (?:it|this|the)|what(?:'s|’s| is| are) the|"
    r"when (?:is|are|will|does|do)|where (?:can|do|is the)|"
    r"any (?:idea|news|way|plans?|chance|update)|do you (?:have|know|sell|offer|ship|plan)|"
    r"are you (?:going|planning)|wondering|quick question|"
    r"(?:i have|i['’]ve got|got) (?:a|a few|some|two|a couple of) (?:quick )?questions?)\b",
    re.IGNORECASE,
)
STILL = re.compile(r"\bstill\b", re.IGNORECASE)
TROUBLE = re.compile(
    r"\b(?:can['’]?t|cannot|won['’]?t|doesn['’]?t|isn['’]?t|didn['’]?t|wasn['’]?t|unable|"
    r"errors?|crash\w*|trouble|outages?|stuck|disappear\w*|keeps?|suspended|banned|blocked|"
    r"drops?|fix\w*|points?|credit|cash|account)\b",
    re.IGNORECASE,
)
PRAISE = 0.6  # VADER compound at or above which thanks or praise sounds sincere
WARM = 0.3  # VADER compound at or above which a post sounds friendly


def social_post(text: str) -> bool:
    return bool(SOCIAL_MARKS.search(text))


def routine_question(text: str) -> bool:
    """Asks how, whether or when, and names no problem, money, account matter or
    trouble; no sarcasm mark, no shouting. "Still" asks whether something holds ("can I
    still pre-order?"), not a problem, in a question."""
    return _routine_question(text, social_normalise(text))


def _routine_question(text: str, cleaned: str) -> bool:
    return (
        bool(QUESTION.search(text))
        and not PROBLEMS.search(STILL.sub(" ", text))
        and not TROUBLE.search(text)
        and not SARCASM.search(text)
        and not SHOUTING.search(cleaned)
    )


def praise(text: str) -> bool:
    """Thanks or praise and nothing else: warm (VADER), no word VADER rates negative, no
    question or request, no problem named, no sarcasm mark, no shouting."""
    cleaned = social_normalise(text)
    return _praise(text, cleaned, compound(cleaned))


def _praise(text: str, cleaned: str, warmth: float) -> bool:
    return (
        warmth >= PRAISE
        and not negative_words(cleaned)
        and not ASKS.search(text)
        and not PROBLEMS.search(text)
        and not SARCASM.search(text)
        and not SHOUTING.search(cleaned)
    )


@dataclass(frozen=True)
class ToneHead:
    """Weights over the embedding. A post scoring under ``calm_below`` sounds calm; one
    under ``warm_below`` does when VADER also finds it friendly, one under
    ``question_below`` when it is a routine question. All chosen on the development set's
    tweets so that none that must be reviewed is let through by them, with room to spare
    (see bench/routing.py and docs/decisions.md)."""

    weights: Vectors
    bias: float
    calm_below: float
    warm_below: float
    embedder: str
    question_below: float = 0.0  # 0: routine questions get no latitude of their own

    def frustration(self, vector: Vectors) -> float:
        """Probability-like score in (0, 1) that the post is frustrated."""
        logit = float(np.einsum("i,i->", self.weights, vector)) + self.bias
        return 1.0 / (1.0 + float(np.exp(-logit)))

    def sounds_calm(self, text: str, vector: Vectors) -> bool:
        if not social_post(text):
            return False
        frustration = self.frustration(vector)
        if frustration < self.calm_below:
            return True
        cleaned = social_normalise(text)  # read once for the three rules below
        if frustration < self.question_below and _routine_question(text, cleaned):
            return True
        warmth = compound(cleaned)  # read once for both rules below
        return _praise(text, cleaned, warmth) or (frustration < self.warm_below and warmth >= WARM)


@cache
def tone_head(embedder_id: str) -> ToneHead | None:
    """The shipped head, or None when it was fitted for another embedding model (then
    no post is let through on its tone: the similarity vote stands as before)."""
    data = json.loads(HEAD.read_text(encoding="utf-8"))
    if data["embedder"] != embedder_id:
        return None
    return ToneHead(
        np.asarray(data["weights"], dtype=np.float32),
        float(data["bias"]),
        float(data["calm_below"]),
        float(data["warm_below"]),
        data["embedder"],
        float(data.get("question_below", 0.0)),
    )
