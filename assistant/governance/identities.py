"""Which channel identities are one person: the brand links them (a CSV or the console),
and an export or erasure covers every linked identity."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.dbtypes import upsert
from assistant.errors import ConfigError
from assistant.governance import events
from assistant.governance.csv_input import read_csv
from assistant.governance.models import IdentityLink
from assistant.intake.messages import Channel
from assistant.review.models import AuditAction, utcnow

KEY = re.compile(r"^(?P<channel>[a-z_]+):(?P<author>.{1,200})$")


def parse_key(value: str, where: str = "customer key") -> str:
    """A ``channel:author-id`` key, checked: the channel must be one we know."""
    value = value.strip()
    match = KEY.match(value)
    channels = ", ".join(c.value for c in Channel)
    if match is None or match.group("channel") not in set(Channel):
        raise ConfigError(f"{where} {value!r}: write channel:author-id, channel one of {channels}")
    return value


def linked_keys(engine: Engine, key: str) -> list[str]:
    """``key`` and every identity the brand linked to it, sorted."""
    with Session(engine) as session:
        person = session.exec(
            select(IdentityLink.person).where(IdentityLink.customer_key == key)
        ).first()
        if person is None:
            return [key]
        keys = session.exec(
            select(IdentityLink.customer_key).where(IdentityLink.person == person)
        ).all()
    return sorted({key, *keys})


def link(engine: Engine, keys: list[str], person: str, actor: str) -> None:
    now = utcnow()
    with engine.begin() as conn:
        for key in keys:
            values = {"customer_key": key, "person": person, "linked_by": actor, "linked_at": now}
            upsert(conn, IdentityLink.__table__, values, ("customer_key",))  # type: ignore[attr-defined]
        events.record(
            conn,
            actor,
            AuditAction.identity_linked,
            summary={"identities": len(keys)},
            subject=person,
        )


def import_links(engine: Engine, path: Path, actor: str) -> int:
    """A CSV with ``person`` and ``customer_key`` columns (one identity a row); returns rows."""
    reader = read_csv(path, {"person", "customer_key"})
    groups: dict[str, list[str]] = {}
    try:
        for row in reader:
            where = f"{path}:{reader.line_num}:"
            person = (row["person"] or "").strip()
            if not person:
                raise ConfigError(f"{where} 'person' is empty")
            groups.setdefault(person, []).append(parse_key(row["customer_key"] or "", where))
    except csv.Error as exc:
        raise ConfigError(f"{path}:{reader.line_num}: {exc}") from None
    for person, keys in groups.items():
        link(engine, keys, person, actor)
    return sum(len(k) for k in groups.values())


def links_of(engine: Engine, keys: list[str]) -> list[IdentityLink]:
    with Session(engine) as session:
        return list(
            session.exec(select(IdentityLink).where(col(IdentityLink.customer_key).in_(keys))).all()
        )
