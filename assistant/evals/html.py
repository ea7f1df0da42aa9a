"""The HTML report: one self-contained file (no scripts, no external assets) with the
run's tables, a trend plot of past runs drawn as inline SVG, and the worst regressions
with the golden reply and the drafts side by side."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from assistant.evals.history import RunSummary

COLOURS = ["#1b7837", "#2166ac", "#b2182b", "#e08214", "#762a83", "#4d4d4d", "#35978f"]
COLOURS += ["#c51b7d", "#8c510a", "#5aae61"]
STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1b7837}.bad{color:#b2182b}.side td{vertical-align:top;width:33%;white-space:pre-wrap}
.reg li{margin:.3em 0}svg text{font:11px system-ui,sans-serif}"""


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def trend_svg(history: list[RunSummary], width: int = 720, height: int = 240) -> str:
    """Each grader's mean (and the share of cases passed) per run, oldest on the left."""
    runs = list(reversed(history))
    if not runs:
        return "<p>No recorded runs yet.</p>"
    names = sorted({n for r in runs for n, v in r.means.items() if v is not None})
    series: dict[str, list[float | None]] = {n: [r.means.get(n) for r in runs] for n in names}
    series["passed share"] = [r.passed / r.cases if r.cases else None for r in runs]
    left, right, top, bottom = 40, 150, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(runs) - 1, 1)
    # The axis starts just under the lowest value, so a drop of a few points is visible.
    known = [v for vs in series.values() for v in vs if v is not None] or [0.0]
    low = min(0.9, max(0.0, math.floor((min(known) - 0.02) * 10) / 10))

    def x(i: int) -> float:
        return left + (i * step if len(runs) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + (1 - (v - low) / (1 - low)) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="Mean score per grader over the last {len(runs)} runs">'
    ]
    for tick in (low + (1 - low) * n / 4 for n in range(5)):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:.2f}</text>'
        )
    for i, run in enumerate(runs):
        colour = "#1b7837" if run.ok else "#b2182b"
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{top + plot_h + 12}" r="4" fill="{colour}">'
            f"<title>{escape(run.run_id)}: {'passed' if run.ok else 'failed'}</title></circle>"
        )
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        dash = ' stroke-dasharray="4 3"' if name == "passed share" else ""
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
        ly = top + 12 + n * 16
        parts.append(
            f'<line x1="{width - right + 10}" x2="{width - right + 28}" y1="{ly - 4}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{width - right + 32}" y="{ly}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _numeric(cell: str) -> bool:
    return cell[:1] in set("0123456789+-–")


def _table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if _numeric(c) else f"<td>{c}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"


def render_html(data: dict[str, Any], history: list[RunSummary]) -> str:
    run, base = data["run"], data["baseline"]
    verdict = '<span class="ok">PASSED</span>' if run["ok"] else '<span class="bad">FAILED</span>'
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>Eval {escape(run['run_id'])}"
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>Eval run {escape(run['run_id'])}: {verdict}</h1>",
        f"<p>{run['cases']} cases in {run['seconds']} s, drafts by <b>{escape(run['mode'])}</b>"
        + (f", judge <b>{escape(run['judge_model'])}</b>" if run["judge_model"] else "")
        + f": {run['passed']} passed, {run['failed']} failed, {run['errors']} errors. "
        + (
            f"Baseline: run {escape(base['run_id'])} ({escape(base['created_at'])}, "
            f"{escape(base['mode'])}).</p>"
            if base
            else "No baseline yet.</p>"
        ),
        "<h2>Trend</h2>",
        trend_svg(history),
        "<h2>Regressions</h2>",
    ]
    if data["regressions"]:
        items = "".join(
            f"<li><b>{escape(r['kind'])}</b> <code>{escape(r['grader'])}</code>"
            + (f" — case <code>{escape(r['case_id'])}</code>" if r["case_id"] else "")
            + f": {escape(r['detail'])}</li>"
            for r in data["regressions"]
        )
        out.append(f'<ul class="reg">{items}</ul>')
    else:
        out.append("<p>None.</p>")
    out += [
        "<h2>Graders</h2>",
        _table(
            ["grader", "cases", "mean", "pass rate", "baseline", "now (same cases)", "Δ", "hard"],
            [
                [
                    escape(g["name"]),
                    str(g["cases"]),
                    _num(g["mean"]),
                    _num(g["pass_rate"]),
                    _num(g["baseline_mean"]),
                    _num(g["compared_mean"]),
                    _num(g["delta"], True),
                    "yes" if g["hard"] else "",
                ]
                for g in data["graders"]
            ],
        ),
    ]
    names = [g["name"] for g in data["graders"]]
    out += [
        "<h2>Topics</h2>",
        _table(
            ["topic", "cases", "passed", *names],
            [
                [escape(topic), str(t["cases"]), str(t["passed"])]
                + [_num(t["means"].get(n)) for n in names]
                for topic, t in data["topics"].items()
            ],
        ),
    ]
    if data["worst"]:
        out.append("<h2>Worst regressions: golden reply vs draft</h2>")
    for w in data["worst"]:
        notes = "".join(f"<li>{escape(g)}: {escape(e)}</li>" for g, e in w["explanations"].items())
        out.append(
            f"<h3><code>{escape(w['case_id'])}</code> fell on {escape(', '.join(w['graders']))}"
            f" (by {w['drop']:.3f})</h3><ul>{notes}</ul>"
            f"<p><b>Customer:</b> {escape(w['message'] or '')}</p>"
            '<table class="side"><tr><th>Golden reply</th><th>Draft now</th>'
            "<th>Draft in the baseline</th></tr><tr>"
            + "".join(
                f"<td>{escape(w[k] or '(none)')}</td>"
                for k in ("golden_reply", "draft", "baseline_draft")
            )
            + "</tr></table>"
        )
    failing = [c for c in data["cases"] if not c["passed"]]
    out.append(f"<h2>Failing cases ({len(failing)})</h2>")
    out.append(
        _table(
            ["case", "topic", "what failed"],
            [
                [
                    f"<code>{escape(c['id'])}</code>",
                    escape(c["topic"]),
                    escape(
                        "; ".join(
                            [
                                f"{n}: {s['explanation']}"
                                for n, s in c["scores"].items()
                                if not s["passed"]
                            ]
                            + c["errors"]
                        )
                    ),
                ]
                for c in failing
            ],
        )
        if failing
        else "<p>None.</p>"
    )
    out.append("</body></html>")
    return "\n".join(out)
