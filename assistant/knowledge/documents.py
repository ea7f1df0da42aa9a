"""FAQ entries, policy sections, reply templates and the tone guide, parsed and validated."""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from assistant.intake.messages import Channel
from assistant.knowledge.front_matter import Block, FrontMatterError, parse_meta, split_blocks

KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of knowledge: an FAQ answer or a policy section."""

    id: str
    kind: Literal["faq", "policy"]
    source: str  # path relative to the knowledge folder
    line: int
    title: str
    text: str
    tags: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    valid_until: date | None = None
    also_asked: tuple[str, ...] = ()  # other ways customers ask an FAQ's question
    # Questions a lead wants a person to answer (no FAQ does): ranked like any entry, never
    # answers, so a near miss ("do you do student discounts") is not answered by its
    # neighbour (the welcome code).
    hand_off: bool = False

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The questions this chunk answers, each indexed on its own (a policy section's
        title stands for its question)."""
        return (self.title, *self.also_asked)

    @property
    def embed_text(self) -> str:
        return f"{self.title}\n{self.text}"

    @property
    def content_hash(self) -> str:
        parts = [
            self.kind,
            self.source,
            self.title,
            self.text,
            ",".join(self.tags),
            ",".join(self.channels),
            str(self.valid_until),
        ]
        if self.also_asked:  # only then: entries without it keep their hash (no re-embedding)
            parts.append("\x1e".join(self.also_asked))
        if self.hand_off:
            parts.append("hand_off")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class TemplatePurpose(StrEnum):
    welcome = "welcome"
    faq_answer = "faq_answer"
    order_status = "order_status"
    order_not_found = "order_not_found"
    order_support = "order_support"
    qualification = "qualification"
    re_engagement = "re_engagement"
    handoff = "handoff"


class OrderStatus(StrEnum):
    processing = "processing"
    shipped = "shipped"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    delayed = "delayed"
    cancelled = "cancelled"
    returned = "returned"


TOKENS = frozenset(
    {
        "first_name",
        "order_id",
        "product_name",
        "carrier",
        "tracking_number",
        "tracking_url",
        "estimated_delivery",
        "shipped_on",
        "delivered_on",
        "answer",
        "brand_name",
        "sign_off",
    }
)


@dataclass(frozen=True)
class Template:
    id: str
    purpose: TemplatePurpose
    body: str
    source: str
    order_status: OrderStatus | None = None
    language: str = "en"


@dataclass(frozen=True)
class Tone:
    text: str
    sign_off: str
    forbidden_phrases: tuple[str, ...] = field(default_factory=tuple)


class _Meta(BaseModel):
    model_config = ConfigDict(extra="forbid")


Phrasing = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class FaqMeta(_Meta):
    id: str = Field(pattern=KEBAB)
    question: str = Field(min_length=3)
    also_asked: list[Phrasing] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    valid_until: date | None = None
    hand_off: bool = False

    @field_validator("also_asked")
    @classmethod
    def _distinct(cls, phrasings: list[str]) -> list[str]:
        seen: set[str] = set()
        for phrasing in phrasings:
            key = " ".join(phrasing.lower().split())
            if key in seen:
                raise ValueError(f"{phrasing!r} is listed twice; keep one")
            seen.add(key)
        return phrasings


class PolicyMeta(_Meta):
    id: str = Field(pattern=KEBAB)
    title: str = Field(min_length=3)
    tags: list[str] = Field(default_factory=list)


class TemplateMeta(_Meta):
    id: str = Field(pattern=KEBAB)
    purpose: TemplatePurpose
    order_status: OrderStatus | None = None
    # ISO 639-1: a template in the customer's language is preferred (e.g. a Spanish hand-off).
    language: str = Field("en", pattern=r"^[a-z]{2}$")
    description: str | None = None


def _blocks(text: str, where: str, problems: list[str]) -> list[Block]:
    try:
        return split_blocks(text)
    except FrontMatterError as exc:
        problems.append(f"{where}:{exc.line}: {exc.message}")
    return []


def load_faq(text: str, where: str, problems: list[str]) -> list[Chunk]:
    chunks = []
    for block in _blocks(text, where, problems):
        meta, errs = parse_meta(block, FaqMeta, where)
        problems.extend(errs)
        if meta is None:
            continue
        if not block.body:
            problems.append(
                f"{where}:{block.meta_line}: FAQ {meta.id!r} has no answer below its front matter"
            )
            continue
        chunks.append(
            Chunk(
                id=f"faq:{meta.id}",
                kind="faq",
                source=where,
                line=block.meta_line,
                title=meta.question,
                text=block.body,
                tags=tuple(meta.tags),
                channels=tuple(c.value for c in meta.channels),
                valid_until=meta.valid_until,
                also_asked=tuple(meta.also_asked),
                hand_off=meta.hand_off,
            )
        )
    return chunks


def load_policy_doc(text: str, where: str, problems: list[str]) -> list[Chunk]:
    blocks = _blocks(text, where, problems)
    if not blocks:
        return []
    if len(blocks) > 1:
        problems.append(
            f"{where}:{blocks[1].meta_line}: a policy file has one front matter block; "
            "use '## ' headings for sections"
        )
    block = blocks[0]
    meta, errs = parse_meta(block, PolicyMeta, where)
    problems.extend(errs)
    if meta is None:
        return []
    chunks = []
    for line, heading, body in _sections(block.body, block.body_line):
        if not body:
            problems.append(f"{where}:{line}: section {heading!r} is empty")
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-") or "intro"
        chunks.append(
            Chunk(
                id=f"policy:{meta.id}#{slug}",
                kind="policy",
                source=where,
                line=line,
                title=f"{meta.title}: {heading}" if heading else meta.title,
                text=body,
                tags=tuple(meta.tags),
            )
        )
    return chunks


def _sections(body: str, first_line: int) -> list[tuple[int, str, str]]:
    """Split on ``## `` headings; text before the first heading is its own section."""
    sections: list[tuple[int, str, list[str]]] = [(first_line, "", [])]
    for offset, line in enumerate(body.split("\n")):
        if line.startswith("## "):
            sections.append((first_line + offset, line[3:].strip(), []))
        else:
            sections[-1][2].append(line)
    result = [(ln, head, "\n".join(lines).strip()) for ln, head, lines in sections]
    return [s for s in result if s[1] or s[2]]


def load_template(text: str, where: str, problems: list[str]) -> Template | None:
    blocks = _blocks(text, where, problems)
    if len(blocks) != 1:
        if blocks:
            problems.append(f"{where}:{blocks[1].meta_line}: a template file holds one template")
        return None
    block = blocks[0]
    meta, errs = parse_meta(block, TemplateMeta, where)
    problems.extend(errs)
    if meta is None:
        return None
    before = len(problems)
    if meta.order_status and meta.purpose is not TemplatePurpose.order_status:
        problems.append(
            f"{where}:{block.meta_line}: order_status is only allowed with purpose order_status"
        )
    if not block.body:
        problems.append(f"{where}:{block.body_line}: template {meta.id!r} has no text")
    for offset, line in enumerate(block.body.split("\n")):
        problems.extend(
            f"{where}:{block.body_line + offset}: {why}" for why in _token_problems(line)
        )
    if len(problems) > before:
        return None
    try:  # every template is rendered once here, so drafting can never fail on one
        block.body.format_map(dict.fromkeys(TOKENS, "x"))
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        problems.append(f"{where}:{block.body_line}: template does not render: {exc}")
        return None
    return Template(
        id=meta.id,
        purpose=meta.purpose,
        body=block.body,
        source=where,
        order_status=meta.order_status,
        language=meta.language,
    )


def _token_problems(line: str) -> list[str]:
    """Tokens are bare names: a format spec ({first_name:>100000000}) or conversion
    ({first_name!r}) could hang or break every draft that uses the template."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(line)]
    except ValueError as exc:
        return [f"{exc}; write tokens as {{first_name}}"]
    found = []
    for name, spec, conv in fields:
        if name is None:
            continue
        if name not in TOKENS:
            found.append(
                f"unknown token {{{name[:40]}}}; known tokens: {', '.join(sorted(TOKENS))}"
            )
        elif spec or conv:
            found.append(f"token {{{name}}} has a format or conversion; write it as {{{name}}}")
    return found


def load_tone(text: str | None, where: str, problems: list[str]) -> Tone:
    if text is None:
        problems.append(f"{where}: missing; it holds the brand voice used in every reply")
        return Tone(text="", sign_off="")
    sections = {head.lower(): body for _, head, body in _sections(text, 1)}
    forbidden = tuple(
        line.lstrip("-* ").strip().strip("\"'").lower()
        for line in sections.get("forbidden phrases", "").splitlines()
        if line.strip().startswith(("-", "*"))
    )
    sign_off = next(
        (ln.strip() for ln in sections.get("sign-off", "").splitlines() if ln.strip()), ""
    )
    if not sign_off:
        problems.append(f"{where}: add a '## Sign-off' section with the line replies end with")
    return Tone(text=text, sign_off=sign_off, forbidden_phrases=forbidden)
