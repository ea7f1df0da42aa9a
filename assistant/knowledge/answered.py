"""What an FAQ entry says, for the checks a draft must pass: an answer that opens with a
bare "Yes" or "No" says it of its question. "Do I need an account to place an order?" /
"No, you can check out as a guest." states "you do not need an account to place an order":
a draft that says an account is required contradicts the entry, though the answer's own
words never mention one. The drafting model reads the question beside the answer (its
CONTEXT has each hit's title), so the check reads the same."""

from __future__ import annotations

import re

# "Do I …?", "Can you …?", "Is it …?": an auxiliary, then a pronoun or a possessive and its
# noun as the subject. A question with any other subject ("Are any items final sale?") is
# left as it is: the answer is read on its own words, as before.
YES_NO = re.compile(
    r"^(?P<aux>do|does|did|can|could|will|would|should|is|are|was|were|have|has|may|must)\s+"
    r"(?P<subject>i|you|we|it|they|(?:my|your|our)\s+[a-z-]+)\s+(?P<rest>[^?]+)\?\s*$",
    re.IGNORECASE,
)
# A bare answer: "No," "Yes!" (not "No problem").
ANSWER = re.compile(r"^(?P<word>yes|no)(?P<mark>[!.,])\s*", re.IGNORECASE)
# The customer asks, the brand answers: "I" is "you", "you" is "we".
VOICE = {"i": "you", "my": "your", "me": "you", "you": "we", "your": "our"}
DO = frozenset({"do", "does", "did"})


def said(question: str, answer: str) -> str:
    """The answer with a bare leading Yes or No replaced by the question as a statement
    ("No, you can check out as a guest." → "You do not need an account to place an order:
    you can check out as a guest."); any other answer unchanged."""
    asked, answered = YES_NO.match(question.strip()), ANSWER.match(answer)
    if asked is None or answered is None:
        return answer
    subject = " ".join(VOICE.get(w.lower(), w) for w in asked["subject"].split())
    rest = " ".join(VOICE.get(w.lower(), w) for w in asked["rest"].split())
    aux = asked["aux"].lower()
    # "Yes" to "Do you ship …?" is "we ship …"; "No" keeps the auxiliary: "we do not ship".
    no = answered["word"].lower() == "no"
    verb = f"{aux} not" if no else ("" if aux in DO else aux)
    statement = " ".join(part for part in (subject, verb, rest) if part)
    mark = {"!": "!", ".": "."}.get(answered["mark"], ":")
    remainder = answer[answered.end() :]
    return f"{statement[0].upper()}{statement[1:]}{mark} {remainder}".rstrip()


# A question and the bare Yes or No after it, anywhere in a text: "Q: Do I need an account?
# A: No, you can check out as a guest." (labels optional, on one line or two).
ASKED_THEN_ANSWERED = re.compile(
    r"(?im)^(?:(?:q|question)\s*[:.-]\s*)?(?P<question>[^\n?]+\?)\s*\n?"
    r"(?:(?:a|answer)\s*[:.-]\s*)?(?P<answer>(?:yes|no)[!.,][^\n]*)"
)


def said_in_text(text: str) -> str:
    """A text (a context given whole, not as hits) with every bare Yes or No that follows
    its question said in full."""
    return ASKED_THEN_ANSWERED.sub(
        lambda m: (
            said(m["question"].strip(), m["answer"])
            if YES_NO.match(m["question"].strip())
            else m[0]
        ),
        text,
    )


def hit_text(chunk_id: str, title: str, text: str) -> str:
    """A retrieved chunk as a draft's checks read it: an FAQ answer with its question's
    Yes or No said in full; a policy section as written."""
    return said(title, text) if chunk_id.startswith("faq:") else text
