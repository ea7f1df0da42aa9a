"""`assistant eval`: the current pipeline graded against the stored baseline, as CI and a
person use it. Real graph, Chroma and SQLite; respx fakes only the judge model's wire."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import respx
from pydantic import SecretStr
from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli import eval_commands
from assistant.cli.main import app as main_app
from assistant.evals.baseline import RegressionKind, compare
from assistant.evals.cases import EvalCase
from assistant.evals.dataset import load_cases
from assistant.evals.history import latest_regressions, load_history
from assistant.evals.runner import index_cache_dir, run_eval
from assistant.settings import Settings
from tests.support import FAKE_API, ROOT, completion, run

runner = CliRunner()
app = eval_commands.app  # ``assistant eval`` (registered in assistant.cli.main)


@pytest.fixture
def evals(
    settings: Settings, ingested_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings whose eval folder is a copy of the shipped one (starter cases + baseline).
    The eval's own index starts as a copy of the session's synced one (saves embedding)."""
    shutil.copytree(ingested_template / "chroma", index_cache_dir(settings))
    target = tmp_path / "evals"
    shutil.copytree(ROOT / "evals", target)
    for learned in (target / "datasets").glob("approved-*.jsonl"):
        learned.unlink()  # only the hand-written starter set has a shipped baseline
    monkeypatch.setenv("ASSISTANT_EVALS_DIR", str(target))
    monkeypatch.delenv("ASSISTANT_JUDGE_MODEL", raising=False)
    return settings.model_copy(update={"evals_dir": target})


# What a case's report entry says about why it went where it did.
WHY = ("route", "reasons", "errors", "draft")


def _case(out: Path, case_id: str) -> dict[str, object]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [case] = [c for c in report["cases"] if c["id"] == case_id]
    return dict(case)


def test_eval_is_a_command_of_the_assistant_cli() -> None:
    result = runner.invoke(main_app, ["eval", "--help"])

    assert result.exit_code == 0, result.output
    assert "--update-baseline" in result.output and "history" in result.output


def test_the_shipped_starter_set_passes_against_the_shipped_baseline(
    evals: Settings, tmp_path: Path
) -> None:
    """The CI gate: a knowledge or code change that regresses the sample brand's replies
    fails here (accept an intended change with `assistant eval --update-baseline`)."""
    result = runner.invoke(app, ["--json", "--out", str(tmp_path / "report")])

    summary = json.loads(result.stdout.splitlines()[-1])
    assert result.exit_code == 0, summary["regressions"]
    assert summary["run"]["ok"] and summary["run"]["cases"] >= 40
    assert summary["graders"]["route"] == 1.0
    # The run used a scratch folder: only its history reached the real database.
    with open_records(evals) as records:
        assert records.queue.items() == [] and records.queue.outbox() == []
    assert not (evals.data_dir / "chroma").exists()
    assert not (evals.data_dir / "chroma").exists()
    assert not list(evals.evals_dir.glob("datasets/approved-*"))


def test_a_changed_shipping_time_fails_the_run_naming_the_cases_and_the_fact(
    evals: Settings, tmp_path: Path
) -> None:
    faq = evals.knowledge_dir / "faq" / "shipping.md"
    text = faq.read_text(encoding="utf-8")
    assert "Standard shipping within the US takes 3–5 business days" in text
    faq.write_text(text.replace("takes 3–5 business days", "takes 7–10 business days", 1))
    out = tmp_path / "report"

    result = runner.invoke(app, ["--filter", "shipping", "--out", str(out)])

    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "case `shipping-time-web`: missing 1 of 2 facts" in report
    assert "'3–5 business days' (duration)" in report
    suite = ET.parse(out / "junit.xml").getroot()
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert {"shipping-time-web", "shipping-time-standard"} <= failed
    # International shipping did not change; if it fails, say why (route, reasons, error).
    unchanged = _case(out, "shipping-canada")
    assert "shipping-canada" not in failed, {k: unchanged[k] for k in WHY}
    # The console's evals page reads the same regressions, golden reply beside the draft.
    rows = [r for r in latest_regressions(evals) if r.case_id == "shipping-time-web"]
    assert rows and "3–5" in (rows[0].golden or "") and "7–10" in (rows[0].draft or "")
    assert "3–5" in (rows[0].baseline_draft or "")
    [latest] = load_history(evals)
    assert not latest.ok and latest.regressions >= 2


def test_an_unchanged_run_passes_against_its_own_baseline(evals: Settings, tmp_path: Path) -> None:
    starter = evals.evals_dir / "datasets" / "starter.yaml"
    cases = [c for c in load_cases(starter.parent) if c.topic in {"order_status", "refund"}]
    starter.write_text(
        "\n".join(json.dumps(c.model_dump(mode="json", exclude_none=True)) for c in cases),
        encoding="utf-8",
    )
    starter.rename(starter.with_suffix(".jsonl"))
    (evals.evals_dir / "baseline.json").unlink()

    first = runner.invoke(app, ["--update-baseline", "--out", str(tmp_path / "r1")])
    second = runner.invoke(app, ["--out", str(tmp_path / "r2")])

    assert first.exit_code == 0, first.output
    assert "Baseline updated" in first.output
    assert second.exit_code == 0, second.output
    assert "PASSED" in second.output
    history = runner.invoke(app, ["history", "--json"])
    runs = [json.loads(line) for line in history.stdout.splitlines()]
    assert [r["ok"] for r in runs] == [True, True]
    assert runs[0]["report_path"] == str(tmp_path / "r2")  # newest first
    html = (tmp_path / "r2" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<polyline" in html  # the trend over the two runs


def test_a_corrupted_dataset_stops_the_run_with_file_line_and_exit_code(evals: Settings) -> None:
    bad = evals.evals_dir / "datasets" / "approved-2026-11.jsonl"
    bad.write_text('{"id": "m-1", "topic": "refund", "message": \n', encoding="utf-8")

    result = runner.invoke(app, [])

    assert result.exit_code == 3
    assert "approved-2026-11.jsonl:1: not valid JSON" in result.stderr


def _judge_settings(evals: Settings) -> Settings:
    return evals.model_copy(
        update={
            "judge_model": "openai/judge-model",
            "api_base": FAKE_API,
            "model_retries": 0,
            "api_key": SecretStr("sk-test-secret"),
            "model_timeout_s": 2.0,
        }
    )


def _shipping_case(evals: Settings) -> list[EvalCase]:
    return [c for c in load_cases(evals.evals_dir / "datasets") if c.id == "shipping-time-web"]


def test_an_llm_judge_gets_the_rubric_and_its_score_is_used(
    evals: Settings, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        return_value=completion(json.dumps({"score": 4, "reason": "Warm and plain."}))
    )

    result = run(run_eval(_judge_settings(evals), _shipping_case(evals)))

    [graded] = result.results
    tone, facts = graded.scores["judge_tone"], graded.scores["judge_facts"]
    assert (tone.score, tone.explanation, tone.passed) == (0.75, "4/5: Warm and plain.", True)
    assert facts.score == 0.75 and facts.error is None
    requests = [json.loads(call.request.content) for call in route.calls]
    assert len(requests) == 2
    assert all(r["model"] == "judge-model" and r["temperature"] == 0 for r in requests)
    systems = " ".join(r["messages"][0]["content"] for r in requests)
    assert "## Voice" in systems and "dear valued customer" in systems  # tone.md rubric
    golden = graded.case.golden_reply or ""
    assert any(golden in r["messages"][1]["content"] for r in requests)  # factual rubric


def test_a_judge_that_returns_garbage_is_an_error_not_a_pass(
    evals: Settings, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        return_value=completion("Looks great to me!")
    )

    result = run(run_eval(_judge_settings(evals), _shipping_case(evals)))

    [graded] = result.results
    assert route.call_count == 4  # each judge asked again once
    for name in ("judge_tone", "judge_facts"):
        score = graded.scores[name]
        assert score.error and "gave no valid verdict" in score.error
        assert not score.passed
    assert not graded.passed
    assert result.means()["judge_tone"] is None  # not counted as any score
    comparison = compare(result, None)
    assert {r.kind for r in comparison.regressions} == {RegressionKind.error}
    assert not comparison.ok
