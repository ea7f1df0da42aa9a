"""Where each knowledge file stands: synced into the index, changed since, broken, or gone.

Works while files are broken (that is when a lead needs it most): it reads what it can and
lists every problem with its file and line."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.loader import read_knowledge

EMBEDDED = ("faq", "policies")  # folders whose entries are embedded into the index
READ_LIVE = ("policy.yaml", "tone.md", "templates/", "routing/")  # used as they are
SUFFIXES = (".md", ".yaml", ".yml", ".csv", ".json")


@dataclass(frozen=True)
class FileState:
    path: str  # relative to the knowledge folder
    state: str  # synced | changed | new | errors | deleted | read live | loaded at sync | not used
    detail: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class LastSync:
    at: datetime
    by: str
    summary: str


@dataclass(frozen=True)
class KnowledgeStatus:
    files: list[FileState]
    problems: list[str]
    indexed: int  # chunks in the index now
    to_embed: int  # chunks the next sync would embed
    to_remove: int  # chunks the next sync would delete
    last_sync: LastSync | None

    @property
    def in_sync(self) -> bool:
        return not (self.problems or self.to_embed or self.to_remove)


def _problem_file(problem: str) -> str:
    return problem.split(":", 1)[0].strip()


def knowledge_status(
    root: Path, index: KnowledgeIndex, last_sync: LastSync | None = None
) -> KnowledgeStatus:
    reading = read_knowledge(root)
    stored = index.stored_entries()
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    present: set[str] = set()
    for chunk in reading.chunks:
        present.add(chunk.id)
        previous = stored.get(chunk.id)
        if previous is None:
            by_file[chunk.source]["new"] += 1
        elif previous[0] != index.fingerprint(chunk):
            by_file[chunk.source]["changed"] += 1
        else:
            by_file[chunk.source]["synced"] += 1
    problems_by_file: dict[str, list[str]] = defaultdict(list)
    for problem in reading.problems:
        problems_by_file[_problem_file(problem)].append(problem)

    files: list[FileState] = []
    # Links, special files and folders named like knowledge files are listed too: the
    # loader reports them as errors, and the page must show the file they belong to.
    paths = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.suffix in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and (p.is_symlink() or not p.is_dir() or p.suffix == ".md")
    )
    for path in paths:
        problems = tuple(problems_by_file.get(path, []))
        counts = by_file.get(path, Counter())
        entries = sum(counts.values())
        if problems:
            state = "errors"
            detail = f"{len(problems)} problem(s); fix them, then sync"
        elif path.startswith("orders/"):
            state, detail = "loaded at sync", "loaded into the order store by each sync"
        elif path.startswith(READ_LIVE):
            state, detail = "read live", "read when the assistant starts; no sync needed"
        elif not path.startswith(EMBEDDED):
            state, detail = "not used", "the assistant does not read this file"
        elif counts["changed"] or counts["new"]:
            waiting = counts["changed"] + counts["new"]
            state = "changed" if counts["synced"] or counts["changed"] else "new"
            detail = f"{waiting} of {entries} entries not yet in the index; sync to embed them"
        else:
            state, detail = "synced", f"{entries} entries in the index"
        files.append(FileState(path=path, state=state, detail=detail, problems=problems))

    gone: Counter[str] = Counter(
        source for id_, (_, source) in stored.items() if id_ not in present
    )
    index_of = {f.path: n for n, f in enumerate(files)}
    broken = {f.path for f in files if f.state == "errors"}
    for source, count in sorted(gone.items()):
        if source in broken:
            continue  # a broken file's entries stay indexed until it is fixed
        if source in index_of:  # entries deleted from a file that is still there
            n = index_of[source]
            files[n] = FileState(
                path=source,
                state="changed",
                detail=f"{files[n].detail}; {count} removed entries still indexed until a sync",
            )
        else:
            files.append(
                FileState(
                    path=source,
                    state="deleted",
                    detail=f"{count} entries still in the index; the next sync removes them",
                )
            )
    return KnowledgeStatus(
        files=files,
        problems=reading.problems,
        indexed=len(stored),
        to_embed=sum(c["new"] + c["changed"] for c in by_file.values()),
        to_remove=sum(n for s, n in gone.items() if s not in broken),
        last_sync=last_sync,
    )
