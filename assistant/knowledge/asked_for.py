"""Questions asked for someone else ("how can my dad track his order, he lost the email"),
read again as if the customer asked for themselves ("how can i track my order, i lost the
email"): FAQ questions and their phrasings are written in the first person, and the third
person moves a casual question just under the answer threshold. Retrieval only."""

from __future__ import annotations

import re

RELATIVE = (
    r"(?:dad|daddy|father|mum|mom|mam|mommy|mother|grandad|granddad|grandpa|grandfather|"
    r"grandma|granny|gran|grandmother|nan|nana|nanna|wife|husband|partner|hubby|son|"
    r"daughter|kid|kids|teenager|boss|brother|sister|aunt|auntie|uncle|friend|girlfriend|"
    r"boyfriend|office manager|manager|colleague|coworker|niece|nephew|fiance|fiancee|"
    r"neighbour|neighbor|child|children|parents|mother-in-law|father-in-law)"
)
SOMEONE = re.compile(rf"\bmy {RELATIVE}\b")
# "my mum's order", "my dad's chest" read as "my order", "my chest"; without the
# apostrophe ("my mums order") only before a thing a customer owns here, not a plural.
THEIR_THING = re.compile(
    rf"\bmy {RELATIVE}(?:'s|s(?= (?:order|orders|parcel|package|account|cart|basket|email|"
    r"address|card|size|return|refund|delivery)\b))"
)
# The customer speaks for themselves somewhere ("I'm buying a fleece for my dad"): the
# relative is who it is for, not who asks, and the question is already in the first person.
SPEAKER = re.compile(r"\b(?:i|i'm|im|i'd|i've|ive|i'll|me|myself|we|we're|us|our)\b")
# "... for my dad", "send my mum ...": the relative is an object, not the one asking.
AS_OBJECT = re.compile(
    r"\b(?:for|to|get|send|buy|give|gift|surprise|with|from|about|of|and|or)\s*$"
)
PRONOUNS = (
    (re.compile(r"\b(?:he's|she's)\b"), "i am"),
    (re.compile(r"\b(?:he|she|they)\b"), "i"),
    (re.compile(r"\b(?:his|her|their)\b"), "my"),
    (re.compile(r"\b(?:him|them)\b"), "me"),
)


def as_if_asked_for_oneself(text: str) -> str | None:
    """The question in the first person, or None when it is not asked on someone's behalf."""
    lowered = text.lower().replace("’", "'")
    found = [m for m in (THEIR_THING.search(lowered), SOMEONE.search(lowered)) if m]
    if not found or SPEAKER.search(lowered):
        return None
    if AS_OBJECT.search(lowered[: min(m.start() for m in found)]):
        return None
    reading = SOMEONE.sub("i", THEIR_THING.sub("my", lowered))
    for pronoun, replacement in PRONOUNS:
        reading = pronoun.sub(replacement, reading)
    return reading
