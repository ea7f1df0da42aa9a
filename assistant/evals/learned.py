"""Learned eval cases live in the database (any process may approve a reply; none writes
into the source tree). ``assistant eval export`` writes them as reviewable JSONL under
``<evals_dir>/datasets/approved-YYYY-MM.jsonl``; ``assistant eval`` reads files and
database together."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, update
from sqlmodel import Field, Session, SQLModel, col, select

from assistant.dbtypes import UtcDateTime, insert_ignoring_conflicts
from assistant.evals.cases import EvalCase
from assistant.evals.dataset import Stratum, append_case, case_tags, known_strata, load_cases
from assistant.review.models import utcnow
from assistant.settings import Settings


class LearnedCase(SQLModel, table=True):
    __tablename__ = "learned_cases"

    case_id: str = Field(primary_key=True)
    topic: str
    channel: str
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    exported_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def _engine(settings: Settings) -> Any:
    from assistant.db import records_engine

    return records_engine(settings)


def stored_strata(settings: Settings) -> dict[str, Stratum]:
    """Case id -> stratum of every learned case, on disk or in the database."""
    with Session(_engine(settings)) as session:
        rows = session.exec(select(LearnedCase.case_id, LearnedCase.topic, LearnedCase.channel))
        found = {case_id: Stratum(topic, channel) for case_id, topic, channel in rows}
    return found | known_strata(settings.evals_dir / "datasets")


def save(settings: Settings, case: EvalCase) -> bool:
    """Store a learned case once (a second process learning it too adds nothing)."""
    values = {
        "case_id": case.id,
        "topic": case.topic,
        "channel": case.message.channel.value,
        "data": case.model_dump(mode="json", exclude_none=True),
        "created_at": case.created_at or utcnow(),
        "exported_at": None,
    }
    with _engine(settings).begin() as conn:
        return insert_ignoring_conflicts(conn, LearnedCase.__table__, values)  # type: ignore[attr-defined]


def unexported(settings: Settings) -> list[EvalCase]:
    """Learned cases not written to a dataset file yet (``assistant eval`` runs them too)."""
    on_disk = known_strata(settings.evals_dir / "datasets")
    query = select(LearnedCase).order_by(col(LearnedCase.created_at), col(LearnedCase.case_id))
    with Session(_engine(settings)) as session:
        rows = session.exec(query).all()
    return [EvalCase.model_validate(r.data) for r in rows if r.case_id not in on_disk]


def export(settings: Settings) -> dict[str, int]:
    """Append every case not yet on disk to its month's file; returns file name -> cases."""
    folder = settings.evals_dir / "datasets"
    written: dict[str, int] = defaultdict(int)
    cases = unexported(settings)
    for case in cases:
        when = case.created_at or utcnow()
        path: Path = folder / f"approved-{when:%Y-%m}.jsonl"
        append_case(path, case)
        written[path.name] += 1
    if cases:
        with _engine(settings).begin() as conn:
            conn.execute(
                update(LearnedCase)
                .where(col(LearnedCase.case_id).in_([c.id for c in cases]))
                .values(exported_at=utcnow())
            )
    return dict(written)


def all_cases(settings: Settings, tags: list[str] | tuple[str, ...] = ()) -> list[EvalCase]:
    """What ``assistant eval`` and the knowledge eval gate run: the dataset files and the
    learned cases not exported yet, filtered by ``tags``."""
    wanted = set(tags)
    learned = [c for c in unexported(settings) if wanted <= case_tags(c)]
    return load_cases(settings.evals_dir / "datasets", tags) + learned
