"""The benchmark's table, and its targets: reached or not, in figures."""

from __future__ import annotations

from typing import Any


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b:
        return None
    return round(a / b, 2)


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with the figure that decides it."""
    found: list[dict[str, Any]] = []
    t = r.get("throughput", {})
    if "real" in t and "baseline" in t:
        ratio = _ratio(t["real"]["per_second"], t["baseline"]["per_second"])
        found.append(
            {"target": "throughput >= 0.8 x baseline", "value": ratio, "met": (ratio or 0) >= 0.8}
        )
    for load, named in (("light", "light load"), ("load", "64 deciding at once")):
        figures = r.get("latency", {}).get(load, {})
        if "real" in figures and "baseline" in figures:
            ratio = _ratio(figures["real"]["p95_ms"], figures["baseline"]["p95_ms"])
            found.append(
                {
                    "target": f"decision p95 <= 1.5 x baseline, {named}",
                    "value": ratio,
                    "met": ratio is not None and ratio <= 1.5,
                }
            )
    under_load = r.get("latency", {}).get("load", {}).get("real")
    if under_load:
        p99 = under_load["p99_ms"] / 1000
        found.append(
            {
                "target": "decision p99 < 2 s, 64 deciding at once",
                "value": round(p99, 2),
                "met": p99 < 2,
            }
        )
    w = r.get("waiting")
    if w:
        extra = round(w["waiting"]["worker_cpu_pct"] - w["empty"]["worker_cpu_pct"], 3)
        found.append(
            {
                "target": "waiting costs no CPU beyond noise (< 0.5 % of a core more than empty)",
                "value": extra,
                "met": extra < 0.5,
            }
        )
    steps = [
        (int(k), v["real"])
        for k, v in r.get("growth", {}).items()
        if isinstance(v, dict) and "real" in v
    ]
    if len(steps) >= 2:
        steps.sort()
        first, last = steps[0][1], steps[-1][1]
        ratio = _ratio(last["worker_cpu_ms_per_nomination"], first["worker_cpu_ms_per_nomination"])
        found.append(
            {
                "target": f"cost per nomination flat from {steps[0][0]} to {steps[-1][0]} "
                "(worker CPU per nomination within 1.25 x)",
                "value": ratio,
                "met": ratio is not None and ratio <= 1.25,
            }
        )
    return found


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(title: str, head: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [head, *[[_fmt(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    lines = ["", title]
    for i, row in enumerate(cells):
        lines.append(
            "  "
            + "  ".join(
                c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row)
            )
        )
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return lines


def render(r: dict[str, Any]) -> str:
    s = r["settings"]
    tuning = s["tuning"]
    lines = [
        "OVOP nomination engine: benchmark against bare Temporal (same server, same worker)",
        f"  {r['started_at']}, {r['machine']['cpus']} CPUs, load at start "
        f"{r['machine']['load_average_at_start']}, temporalio {r['machine']['temporalio']}, "
        f"run took {r['duration_s']:.0f} s",
        f"  worker: cache {tuning['max_cached_workflows']} workflows, "
        f"{tuning['max_concurrent_workflow_tasks']} workflow tasks and "
        f"{tuning['max_concurrent_activities']} activities at once"
        f"{'; workflows and activities in two processes' if tuning.get('split') else ''}; staff of "
        f"{s['concurrency']} deciding at once; dev server SQLite "
        f"{', '.join(s['server_pragma'])}",
    ]
    t = r.get("throughput", {})
    if t:
        rows = []
        for kind in ("real", "baseline"):
            if kind in t:
                x = t[kind]
                rows.append(
                    [
                        kind,
                        x["nominations"],
                        x["seconds"],
                        x["per_second"],
                        x["worker_cpu_ms_per_nomination"],
                        x["server_cpu_ms_per_nomination"],
                        x.get("codec_cpu_ms_per_nomination"),
                        x.get("codec_share_of_worker_pct"),
                        x["worker_rss_mb"],
                    ]
                )
        ratio = _ratio(t.get("real", {}).get("per_second"), t.get("baseline", {}).get("per_second"))
        rows.append(["real / baseline", None, None, ratio, None, None, None, None, None])
        lines += _table(
            "Throughput: nominations through every stage to an award (codec on, as deployed: "
            "its CPU in the worker on its own columns)",
            [
                "",
                "nominations",
                "seconds",
                "per s",
                "worker ms/nom",
                "server ms/nom",
                "codec ms/nom",
                "codec % of worker",
                "RSS MB",
            ],
            rows,
        )
    lat = r.get("latency", {})
    for key, title in (
        (
            "light",
            f"Decision latency, light load ({s['latency_concurrency']} deciding at once, "
            f"each {s.get('latency_think', 0):g} s after the last answer)",
        ),
        ("load", f"Decision latency under the throughput run ({s['concurrency']} at once)"),
    ):
        part = lat.get(key, {})
        if not part:
            continue
        rows = [
            [
                kind,
                part[kind]["count"],
                part[kind]["p50_ms"],
                part[kind]["p95_ms"],
                part[kind]["p99_ms"],
            ]
            for kind in ("real", "baseline")
            if kind in part
        ]
        if "real" in part and "baseline" in part:
            rows.append(
                ["real / baseline", None]
                + [
                    _ratio(part["real"][p], part["baseline"][p])
                    for p in ("p50_ms", "p95_ms", "p99_ms")
                ]
            )
        lines += _table(title, ["", "decisions", "p50 ms", "p95 ms", "p99 ms"], rows)
    w = r.get("waiting")
    if w:
        rows = [
            [
                "empty worker",
                0,
                w["empty"]["seconds"],
                w["empty"]["worker_cpu_pct"],
                w["empty"]["server_cpu_pct"],
                w["empty"]["worker_rss_mb"],
            ],
            [
                "waiting",
                w["nominations"],
                w["waiting"]["seconds"],
                w["waiting"]["worker_cpu_pct"],
                w["waiting"]["server_cpu_pct"],
                w["waiting"]["worker_rss_mb"],
            ],
        ]
        lines += _table(
            "Cost of waiting: nominations waiting on their deadlines",
            ["", "nominations", "seconds", "worker CPU %", "server CPU %", "worker RSS MB"],
            rows,
        )
        lines.append(
            f"  per thousand waiting: worker CPU {w['worker_cpu_pct_per_thousand']:+.3f} % of a "
            f"core, RSS {w['worker_rss_mb_per_thousand']:+.1f} MB (at most "
            f"{w['cached_workflows_at_most']:,} stay cached)"
        )
        cut = (
            f"; {w['asked']:,} asked, cut by the {w['cut_by_budget_s']:.0f} s budget"
            if w.get("cut_by_budget_s")
            else ""
        )
        lines.append(
            f"  proposed at {w['proposals_per_second']:.1f}/s with {w['start_activities']} first "
            f"activities{cut}"
        )
    g = r.get("growth", {})
    if g:
        rows = []
        for step in sorted(g, key=int):
            entry = g[step]
            if "skipped" in entry:
                rows.append([step, "skipped", None, None, None, None, entry["skipped"]])
                continue
            real, base = entry.get("real", {}), entry.get("baseline", {})
            rows.append(
                [
                    int(step),
                    real.get("per_second"),
                    base.get("per_second"),
                    _ratio(real.get("per_second"), base.get("per_second")),
                    real.get("worker_cpu_ms_per_nomination"),
                    real.get("server_cpu_ms_per_nomination"),
                    (
                        f"{real['seconds']:.0f} s window over {real.get('open', 0):,} waiting, "
                        f"{real['decisions']:,} decisions"
                        if real.get("windowed")
                        else "full run"
                    ),
                ]
            )
        lines += _table(
            "Growth: nominations open at once",
            [
                "N",
                "real per s",
                "baseline per s",
                "ratio",
                "worker ms/nom",
                "server ms/nom",
                "measured",
            ],
            rows,
        )
    h = r.get("history", {})
    if h:
        cols = [c for c in ("happy_real", "happy_baseline", "worst_real") if c in h]
        driven = h.get("as_driven", {})
        kinds = sorted({k for c in cols for k in h[c]} | {k for d in driven.values() for k in d})
        head = ["event type", *cols, *[f"driven_{k}" for k in ("real", "baseline") if k in driven]]
        rows = []
        for kind in kinds:
            row: list[Any] = [kind, *[h[c].get(kind, 0) for c in cols]]
            row += [driven[k].get(kind, 0) for k in ("real", "baseline") if k in driven]
            rows.append(row)
        total: list[Any] = ["total", *[sum(h[c].values()) for c in cols]]
        total += [round(sum(driven[k].values()), 1) for k in ("real", "baseline") if k in driven]
        rows.append(total)
        lines += _table("History events per nomination", head, rows)
    cuts = r.get("cuts", [])
    if cuts:
        limit = s.get("time_limit")
        lines += ["", f"Cut to stay within --time-limit {limit:g} s" if limit else "Cut"]
        lines += [f"  - {c}" for c in cuts]
    found = r.get("targets", [])
    if found:
        lines += _table(
            "Targets",
            ["target", "value", "met"],
            [[x["target"], x["value"], "yes" if x["met"] else "NO"] for x in found],
        )
    return "\n".join(lines)
