"""``tlc stats``: the export log read back: exports, success rate, encode times and
speeds per encoder and preset, fallbacks, the most common errors."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from tlc.core.errors import UsageError
from tlc.exportlog.record import log_path


def read_lines(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """Every logged export, oldest first (the rotated file, then the log); a line that
    is not JSON (a torn write) is skipped."""
    path = path or log_path()
    for p in (path.with_name(path.name + ".1"), path):
        try:
            with open(p, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(entry, dict):
                        yield entry
        except FileNotFoundError:
            continue
        except OSError as err:
            raise UsageError(f"cannot read the export log {p}: {err.strerror or err}") from None


def parse_since(text: str) -> dt.datetime:
    """``2026-12-01`` or ``2026-12-01T10:00`` (UTC unless it says otherwise)."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"bad --since {text!r}: give a date, such as 2026-12-01") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _time(entry: dict[str, Any]) -> dt.datetime | None:
    try:
        return parse_since(str(entry.get("time", "")))
    except UsageError:
        return None


def _quantiles(values: Sequence[float]) -> tuple[float | None, float | None]:
    """(median, 90th percentile) of ``values``; (None, None) for none."""
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=10, method="inclusive")[-1]


def summarize(
    entries: Iterable[dict[str, Any]], since: dt.datetime | None = None
) -> dict[str, Any]:
    """The numbers ``tlc stats`` shows (its ``--format json``)."""
    exports = ok = fallbacks = 0
    errors: Counter[tuple[str, str]] = Counter()
    groups: dict[tuple[str, str], dict[str, list[float]]] = {}
    for entry in entries:
        if since is not None:
            when = _time(entry)
            if when is None or when < since:
                continue
        exports += 1
        if entry.get("status") == 0:
            ok += 1
        else:
            errors[(str(entry.get("error")), str(entry.get("reason") or ""))] += 1
        if entry.get("fallback"):
            fallbacks += 1
        for run in entry.get("runs") or []:
            if run.get("status") != 0:
                continue
            key = (str(run.get("encoder")), str(run.get("preset")))
            group = groups.setdefault(key, {"seconds": [], "speed": []})
            if isinstance(run.get("seconds"), (int, float)):
                group["seconds"].append(float(run["seconds"]))
            if isinstance(run.get("speed"), (int, float)):
                group["speed"].append(float(run["speed"]))
    encoders = []
    for (encoder, preset), group in sorted(groups.items()):
        sec_median, sec_p90 = _quantiles(group["seconds"])
        speed_median, speed_p90 = _quantiles(group["speed"])
        encoders.append({
            "encoder": encoder, "preset": preset, "runs": len(group["seconds"]),
            "seconds_median": _round(sec_median), "seconds_p90": _round(sec_p90),
            "speed_median": _round(speed_median), "speed_p90": _round(speed_p90),
        })
    return {
        "exports": exports,
        "succeeded": ok,
        "success_rate": round(ok / exports, 4) if exports else None,
        "fallbacks": fallbacks,
        "encoders": encoders,
        "errors": [
            {"error": kind, "reason": reason or None, "count": n}
            for (kind, reason), n in errors.most_common(5)
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def text_report(summary: dict[str, Any], path: Path) -> str:
    """``tlc stats``'s table."""
    if not summary["exports"]:
        return f"no exports logged in {path}"
    lines = [
        f"{summary['exports']} export(s), {summary['succeeded']} succeeded "
        f"({summary['success_rate']:.0%}); {summary['fallbacks']} fell back to a software "
        f"encoder   (log: {path})",
    ]
    if summary["encoders"]:
        lines += ["", f"{'encoder':<14} {'preset':<11} {'runs':>5} {'median s':>9} "
                  f"{'p90 s':>8} {'median x':>9} {'p90 x':>7}"]
        for e in summary["encoders"]:
            lines.append(
                f"{e['encoder']:<14} {e['preset']:<11} {e['runs']:>5} "
                f"{_num(e['seconds_median']):>9} {_num(e['seconds_p90']):>8} "
                f"{_num(e['speed_median']):>9} {_num(e['speed_p90']):>7}"
            )
    if summary["errors"]:
        lines += ["", "most common errors:"]
        for err in summary["errors"]:
            reason = f": {err['reason']}" if err["reason"] else ""
            lines.append(f"  {err['count']:>4} x {err['error']}{reason}")
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
