"""Internal notes on an item, for the team only: never part of a reply. ``@name`` of a
console user mentions them; the mention is listed for them until they read it. Each note
is audited on its item (so retention and erasure remove its text with the item's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from assistant.errors import ConfigError
from assistant.review.models import AuditAction, ReviewItem
from assistant.review.queue import Queue
from assistant.users.actor import Actor
from assistant.users.models import User
from assistant.users.roles import Permission
from assistant.workspace.models import ItemNote, NoteKind, NoteMention

MAX_NOTE_CHARS = 2_000
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9_.-]*)", re.IGNORECASE)
_NOTES = ItemNote.__table__  # type: ignore[attr-defined]
_MENTIONS = NoteMention.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Note:
    id: int
    item_id: int
    author: str
    kind: NoteKind
    text: str
    created_at: datetime
    mentions: tuple[str, ...]  # console users it names, as written in the text


@dataclass(frozen=True)
class Mention:
    note_id: int
    item_id: int
    author: str
    text: str
    created_at: datetime


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased name) of every ``@name`` in ``text`` (a trailing full stop
    ends the sentence, not the name)."""
    spans = []
    for found in _MENTION.finditer(text):
        name = found.group(1).rstrip(".-")
        spans.append((found.start(), found.start() + 1 + len(name), name.lower()))
    return spans


def mentioned_names(text: str) -> list[str]:
    """Every ``@name`` in ``text``, lower-cased, first mention first."""
    return list(dict.fromkeys(name for _, _, name in mention_spans(text)))


def existing_users(engine: Engine, names: list[str]) -> list[str]:
    """Of ``names``, the console accounts that exist and are active."""
    if not names:
        return []
    query = select(_USERS.c.name).where(_USERS.c.name.in_(names), _USERS.c.disabled_at.is_(None))
    with engine.connect() as conn:
        found = set(conn.execute(query).scalars())
    return [n for n in names if n in found]


def escalation_note(item: ReviewItem) -> Note | None:
    """The note an escalation carried, while the item waits for the role it went to."""
    decision = item.decision or {}
    if item.escalated_to is None or decision.get("kind") != "escalate":
        return None
    text = str(decision.get("note") or "").strip()
    if not text or item.id is None or item.decided_at is None:
        return None
    author = str(decision.get("actor") or "")
    return Note(0, item.id, author, NoteKind.escalation, text, item.decided_at, ())


class NoteService:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.engine = queue.engine

    def add(self, actor: Actor, item_id: int, text: str, now: datetime) -> Note:
        """Add a note (audited); mentions of console users are recorded for them."""
        actor.require(Permission.decide)
        body = text.strip()
        if not body:
            raise ConfigError(f"Item #{item_id}: the note is empty; nothing was added.")
        if len(body) > MAX_NOTE_CHARS:
            raise ConfigError(
                f"Item #{item_id}: the note is {len(body):,} characters; keep it under "
                f"{MAX_NOTE_CHARS:,}. Nothing was added."
            )
        self.queue.get(item_id)  # NotFoundError for an unknown item
        users = existing_users(self.engine, mentioned_names(body))
        row = {
            "item_id": item_id,
            "author": actor.name,
            "kind": NoteKind.note,
            "text": body,
            "created_at": now,
        }
        with self.engine.begin() as conn:
            inserted = conn.execute(_NOTES.insert().values(row)).inserted_primary_key
            assert inserted is not None
            note_id = int(inserted[0])
            for name in users:
                conn.execute(
                    _MENTIONS.insert().values(note_id=note_id, item_id=item_id, user_name=name)
                )
        mentioned = f"mentions {', '.join(users)}" if users else None
        self.queue.audit(item_id, actor.name, AuditAction.note, after=body, reason=mentioned)
        return Note(note_id, item_id, actor.name, NoteKind.note, body, now, tuple(users))

    def for_item(self, item_id: int) -> list[Note]:
        """The item's notes, the escalation note first, then newest first."""
        with self.engine.connect() as conn:
            notes = conn.execute(
                select(_NOTES)
                .where(_NOTES.c.item_id == item_id)
                .order_by(_NOTES.c.created_at.desc(), _NOTES.c.id.desc())
            ).all()
            named = conn.execute(
                select(_MENTIONS.c.note_id, _MENTIONS.c.user_name).where(
                    _MENTIONS.c.item_id == item_id
                )
            ).all()
        found = [
            Note(
                n.id,
                n.item_id,
                n.author,
                NoteKind(n.kind),
                n.text,
                n.created_at,
                tuple(u for i, u in named if i == n.id),
            )
            for n in notes
        ]
        pinned = escalation_note(self.queue.get(item_id))
        return [pinned, *found] if pinned else found

    def mentions(self, actor: Actor) -> list[Mention]:
        """Unread notes naming ``actor``, newest first."""
        query = (
            select(_MENTIONS.c.note_id, _NOTES.c.item_id, _NOTES.c.author, _NOTES.c.text)
            .add_columns(_NOTES.c.created_at)
            .join(_NOTES, _NOTES.c.id == _MENTIONS.c.note_id)
            .where(_MENTIONS.c.user_name == actor.name, _MENTIONS.c.read_at.is_(None))
            .order_by(_NOTES.c.created_at.desc(), _NOTES.c.id.desc())
        )
        with self.engine.connect() as conn:
            return [Mention(*row) for row in conn.execute(query).all()]

    def unread_count(self, actor: Actor) -> int:
        query = select(func.count()).where(
            _MENTIONS.c.user_name == actor.name, _MENTIONS.c.read_at.is_(None)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def mark_read(self, actor: Actor, item_id: int, now: datetime) -> int:
        """The actor has seen the notes naming them on this item. Writes only when there is
        something unread: the item page calls it on every draw."""
        unread = (
            _MENTIONS.c.user_name == actor.name,
            _MENTIONS.c.item_id == item_id,
            _MENTIONS.c.read_at.is_(None),
        )
        with self.engine.connect() as conn:
            if not conn.execute(select(func.count()).where(*unread)).scalar():
                return 0
        with self.engine.begin() as conn:
            result = conn.execute(update(_MENTIONS).where(*unread).values(read_at=now))
        return int(result.rowcount)
