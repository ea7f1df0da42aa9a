"""Fuzzing the edges: inbound lines and knowledge files. Whatever they hold, reading them
never raises, never hangs, loses no line, and every problem names its file and line.
A few examples per run by default; CI runs many more (HYPOTHESIS_PROFILE=ci)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from assistant.intake.jsonl import read_jsonl
from assistant.knowledge.loader import Reading, read_knowledge
from assistant.knowledge.regex_safety import problem
from tests.support import ROOT

SEPARATORS = ["\u2028", "\u2029", "\u0085", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]
WHERE = re.compile(r"^[\w./-]+(?::\d+)?(?:, [\w./-]+:\d+)*: \S")

# -- inbound lines -----------------------------------------------------------------------

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(SEPARATORS), max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z", ""]),
)


@st.composite
def inbound_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["message", "nested", "digits", "bytes", "text"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    if kind == "text":
        return draw(st.text(max_size=40)).replace("\n", " ").encode("utf-8", "surrogatepass")
    data = {
        "id": draw(st.text(min_size=1, max_size=8)),
        "channel": draw(st.sampled_from(["web_chat", "instagram", "fax", ""])),
        "author": {"id": draw(st.text(max_size=5)), "name": draw(st.text(max_size=5))},
        "text": draw(st.text(alphabet=st.characters() | st.sampled_from(SEPARATORS), max_size=30)),
        "received_at": draw(dates),
        "metadata": draw(json_value),
    }
    line = json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True)
    if kind == "nested":
        depth = draw(st.sampled_from([40, 600, 5_000]))
        line = line[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    if kind == "digits":
        line = line[:-1] + ', "n": ' + "7" * draw(st.sampled_from([20, 4_301, 5_000])) + "}"
    return line.encode("utf-8", "surrogatepass")


@given(st.lists(inbound_line(), min_size=1, max_size=6), st.booleans(), st.booleans())
def test_every_inbound_line_becomes_exactly_one_storable_message(
    lines: list[bytes], bom: bool, crlf: bool
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + (b"\r\n" if crlf else b"\n").join(lines)

    messages = list(read_jsonl(data, "fuzz.jsonl"))

    assert len(messages) == sum(1 for line in lines if line.decode("utf-8", "replace").strip())
    serde = JsonPlusSerializer()
    for m in messages:
        dumped = m.model_dump(mode="json")
        serde.dumps_typed(dumped)  # what the checkpoint stores: no int or depth overflow
        json.dumps(dumped)
        assert m.received_at + timedelta(days=30)  # a reply deadline can be computed
        assert m.intake_problem is None or m.intake_problem.startswith("fuzz.jsonl:")


# -- knowledge files ---------------------------------------------------------------------

TARGETS = [
    "policy.yaml",
    "tone.md",
    "faq/shipping.md",
    "templates/welcome.md",
    "orders/orders.csv",
    "orders/customers.csv",
    "routing/examples.csv",
    "faq/new.md",
]
yaml_scalar = st.one_of(
    st.sampled_from(["2026-02-30", "2026-13-01T25:61:00", "1e999", ".nan", "~", "yes", "0x1F"]),
    st.integers(min_value=0, max_value=3).map(lambda n: "9" * (10, 40, 4_301, 5_000)[n]),
    st.text(max_size=12).map(json.dumps),
    st.sampled_from(["'(a+)+$'", "'.*'", "''", "'{first_name:>9999}'", "'[unclosed'"]),
)


@st.composite
def yaml_edit(draw: st.DrawFn) -> str:
    """Front matter or policy lines: duplicate keys, odd scalars, deep nesting."""
    keys = draw(
        st.lists(
            st.sampled_from(
                [
                    "id",
                    "question",
                    "tags",
                    "valid_until",
                    "brand_name",
                    "disclosure",
                    "kill_switch",
                    "automation",
                ]
            ),
            min_size=1,
            max_size=4,
        )
    )
    lines = [f"{k}: {draw(yaml_scalar)}" for k in keys]
    if draw(st.booleans()):
        depth = draw(st.sampled_from([60, 950]))
        lines.append("deep: " + "[" * depth + "]" * depth)
    return "\n".join(lines)


@st.composite
def file_content(draw: st.DrawFn, original: bytes) -> bytes:
    kind = draw(st.sampled_from(["bom", "latin1", "bytes", "yaml", "cell", "separators", "nul"]))
    if kind == "bom":
        return b"\xef\xbb\xbf" + original
    if kind == "latin1":
        return original + "\ncafé\n".encode("latin-1")
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "yaml":
        text = original.decode()
        if text.startswith("---\n"):
            return ("---\n" + draw(yaml_edit()) + "\n" + text[4:]).encode()
        return (draw(yaml_edit()) + "\n" + text).encode()
    if kind == "cell":
        return original + b'\n"' + b"x" * 140_000 + b'",1\n'
    if kind == "separators":
        return original.replace(b"\n", draw(st.sampled_from(SEPARATORS)).encode() + b"\n", 3)
    return original + b"\x00"


SPECIAL = ["dangling", "loop", "folder", "fifo", "outside", "dev_zero"]


@contextmanager
def _brand() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "knowledge"
        shutil.copytree(ROOT / "knowledge", root)
        (Path(tmp) / ".env").write_text("ASSISTANT_API_KEY=sk-fuzz-secret\n")
        yield root


def _outside(path: Path) -> Path:
    """The folder that holds the brand's knowledge folder (and the fake .env)."""
    return next(p.parent for p in path.parents if p.name == "knowledge")


def _make_special(path: Path, kind: str) -> None:
    if path.exists():
        path.unlink()
    match kind:
        case "dangling":
            path.symlink_to(path.parent / "missing")
        case "loop":
            path.symlink_to(path)
        case "folder":
            path.mkdir()
        case "fifo":
            os.mkfifo(path)
        case "outside":
            path.symlink_to(_outside(path) / ".env")
        case _:
            path.symlink_to("/dev/zero")


def _read_within(root: Path, seconds: float = 60) -> Reading:
    """read_knowledge in a thread: a hang fails the test instead of freezing the run."""
    box: list[Reading] = []
    worker = threading.Thread(target=lambda: box.append(read_knowledge(root)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, "reading the knowledge folder did not finish"
    return box[0]


@given(st.sampled_from(TARGETS), st.data())
def test_any_content_in_any_knowledge_file_is_read_or_reported(
    target: str, data: st.DataObject
) -> None:
    with _brand() as root:
        path = root / target
        original = path.read_bytes() if path.exists() else b"---\nid: x\n---\nbody\n"
        path.write_bytes(data.draw(file_content(original)))

        reading = _read_within(root)

    assert all(WHERE.match(p) for p in reading.problems), reading.problems
    assert not any("sk-fuzz-secret" in p for p in reading.problems)


@given(st.sampled_from(TARGETS), st.sampled_from(SPECIAL))
def test_links_and_special_files_are_reported_never_followed(target: str, kind: str) -> None:
    with _brand() as root:
        path = root / target
        _make_special(path, kind)

        reading = _read_within(root)

    problems = reading.problems
    assert any(p.startswith(f"{target}:1: ") for p in problems), problems
    assert not any("sk-fuzz-secret" in p for p in problems)


# -- regex shapes --------------------------------------------------------------------------

atoms = st.sampled_from(["a", "x", r"\w", r"\s", ".", "[ab]", r"\d", "(?:a|aa)", "b"])


@st.composite
def regex_shape(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        part = (
            draw(atoms)
            if depth >= 2 or draw(st.booleans())
            else "(" + draw(regex_shape(depth + 1)) + ")"
        )
        parts.append(part + draw(st.sampled_from(["", "+", "*", "?", "{0,2}", "{2,}"])))
    return "".join(parts) + draw(st.sampled_from(["", "$", "y"]))


@given(regex_shape())
def test_an_accepted_policy_regex_never_hangs_on_a_hostile_message(pattern: str) -> None:
    why = problem(pattern)
    if why is not None:
        assert why  # refused, with a reason
        return
    compiled = re.compile(pattern, re.IGNORECASE)
    done: list[bool] = []
    texts = ["a" * 28 + "!", "x" * 28 + "!", "ab " * 10 + "!", "1" * 28 + "!"]
    worker = threading.Thread(
        target=lambda: done.append(all(compiled.search(t) or True for t in texts)), daemon=True
    )
    worker.start()
    worker.join(20)
    assert done, f"{pattern!r} was accepted but hangs"
