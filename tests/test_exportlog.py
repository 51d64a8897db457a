"""The export log (one JSON line per export, CLI and API) and ``tlc stats``."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from tlc.exportlog import record
from tlc.exportlog.stats import parse_since, read_lines, summarize

# re-encoded (another size), so each export has an encode to time
ENCODED = 'output "out/{name}.mp4" {{ size 160x90 fps 25 preset draft }}\n' \
    'video {{\n  clip "media/a.mp4"\n}}\naudio {{\n  clip "media/a.mp4"\n}}\n'
MISSING = 'output "out/bad.mp4"\nvideo {\n  clip "media/nope.mp4"\n}\n'


def lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def test_five_exports_one_failed_give_80_percent_and_times_by_encoder(
    run_tlc, cli_project: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log" / "exports.jsonl"
    env = {"TLC_LOG": str(log)}
    for i in range(4):
        (cli_project / f"e{i}.tl").write_text(ENCODED.format(name=f"e{i}"))
        proc = run_tlc("export", f"e{i}.tl", cwd=cli_project, env=env)
        assert proc.returncode == 0, proc.stderr
    (cli_project / "bad.tl").write_text(MISSING)
    assert run_tlc("export", "bad.tl", cwd=cli_project, env=env).returncode == 2

    logged = lines(log)
    assert len(logged) == 5
    assert [e["status"] for e in logged] == [0, 0, 0, 0, 2]
    assert logged[-1]["error"] == "media"
    first = logged[0]
    assert first["tlc"] and first["ffmpeg"] and str(first["timeline"]).startswith("sha256:")
    run = first["runs"][0]  # type: ignore[index]
    assert run["encoder"] == "libx264" and run["preset"] == "draft"
    assert run["frames"] == 50 and run["seconds"] > 0 and run["speed"] > 0
    assert run["status"] == 0 and run["fallback"] is False
    # no text and no paths: the project's directory is nowhere in the log
    assert str(cli_project) not in log.read_text() and "media/a.mp4" not in log.read_text()

    text = run_tlc("stats", env=env)
    assert text.returncode == 0, text.stderr
    assert "5 export(s), 4 succeeded (80%)" in text.stdout
    assert "libx264" in text.stdout and "draft" in text.stdout
    assert "media: media file not found" in text.stdout
    summary = json.loads(run_tlc("stats", "--format", "json", env=env).stdout)
    assert (summary["exports"], summary["succeeded"], summary["success_rate"]) == (5, 4, 0.8)
    (x264,) = [e for e in summary["encoders"] if e["encoder"] == "libx264"]
    assert x264["runs"] == 4 and x264["seconds_median"] > 0
    assert x264["seconds_p90"] >= x264["seconds_median"]
    assert summary["errors"] == [
        {"error": "media", "reason": "media file not found", "count": 1}
    ]
    future = json.loads(run_tlc("stats", "--format", "json", "--since", "2999-01-01",
                                env=env).stdout)
    assert future["exports"] == 0


def test_no_log_writes_nothing(run_tlc, cli_project: Path, tmp_path: Path) -> None:
    log = tmp_path / "log" / "exports.jsonl"
    (cli_project / "e.tl").write_text(ENCODED.format(name="e"))
    proc = run_tlc("export", "e.tl", "--no-log", cwd=cli_project, env={"TLC_LOG": str(log)})
    assert proc.returncode == 0, proc.stderr
    assert (cli_project / "out" / "e.mp4").exists()
    assert not log.exists() and not log.parent.exists()
    # nor a dry run
    run_tlc("export", "e.tl", "-y", "--dry-run", cwd=cli_project, env={"TLC_LOG": str(log)})
    assert not log.exists()


def test_config_log_false_and_log_paths(run_tlc, cli_project: Path, tmp_path: Path) -> None:
    log = tmp_path / "exports.jsonl"
    config = tmp_path / "config.toml"
    (cli_project / "e.tl").write_text(ENCODED.format(name="e"))
    env = {"TLC_LOG": str(log), "TLC_CONFIG": str(config)}
    config.write_text("log = false\n")
    assert run_tlc("export", "e.tl", cwd=cli_project, env=env).returncode == 0
    assert not log.exists()
    config.write_text("log_paths = true\n")
    assert run_tlc("export", "e.tl", "-y", cwd=cli_project, env=env).returncode == 0
    (entry,) = lines(log)
    assert entry["file"] == "e.tl"
    assert entry["paths"] == [str((cli_project / "out" / "e.mp4").resolve())]
    config.write_text('log = "no"\n')
    proc = run_tlc("export", "e.tl", "-y", cwd=cli_project, env=env)
    assert proc.returncode == 2 and "log must be true or false" in proc.stderr


def test_a_log_that_cannot_be_written_does_not_fail_the_export(
    run_tlc, cli_project: Path, tmp_path: Path
) -> None:
    """Its directory cannot be made (a file is in the way; tests may run as root, whom a
    read-only mode does not stop): one warning, and the export goes on."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    (cli_project / "e.tl").write_text(ENCODED.format(name="e"))
    proc = run_tlc("export", "e.tl", "--progress", "json", cwd=cli_project,
                   env={"TLC_LOG": str(blocker / "exports.jsonl")})
    assert proc.returncode == 0, proc.stderr
    assert (cli_project / "out" / "e.mp4").exists()
    assert proc.stderr.count("cannot write the export log") == 1
    events = [json.loads(x) for x in proc.stdout.splitlines()]
    assert events[-1]["event"] == "done"
    assert any(e["event"] == "warning" and "export log" in e["message"] for e in events)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_log_directory_does_not_fail_the_export(
    run_tlc, cli_project: Path, tmp_path: Path
) -> None:
    where = tmp_path / "ro"
    where.mkdir()
    where.chmod(0o555)
    (cli_project / "e.tl").write_text(ENCODED.format(name="e"))
    try:
        proc = run_tlc("export", "e.tl", cwd=cli_project,
                       env={"TLC_LOG": str(where / "exports.jsonl")})
    finally:
        where.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("cannot write the export log") == 1


def test_the_api_logs_its_exports(cli_project: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import tlc

    log = tmp_path / "api.jsonl"
    monkeypatch.setenv("TLC_LOG", str(log))
    tl = cli_project / "e.tl"
    tl.write_text(ENCODED.format(name="e"))
    monkeypatch.chdir(cli_project)
    tlc.export("e.tl", overwrite=True)
    tlc.export("e.tl", overwrite=True, log=False)
    with pytest.raises(tlc.api.UsageError):
        tlc.export("e.tl")  # (the output exists: exit status 2)
    assert [(e["status"], e["error"]) for e in lines(log)] == [(0, None), (2, "usage")]
    assert lines(log)[0]["runs"][0]["encoder"] == "libx264"  # type: ignore[index]


def test_a_read_only_file_system_warns_once(cli_project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import tlc

    log = tmp_path / "ro.jsonl"
    monkeypatch.setenv("TLC_LOG", str(log))
    real_open = os.open

    def read_only(path: object, *args: object, **kw: object) -> int:
        if str(path) == str(log):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(record.os, "open", read_only)
    (cli_project / "e.tl").write_text(ENCODED.format(name="e"))
    monkeypatch.chdir(cli_project)
    assert tlc.export("e.tl", overwrite=True)
    err = capsys.readouterr().err
    assert err.count("cannot write the export log") == 1 and "Read-only file system" in err


def test_the_log_is_rotated_and_both_files_are_read(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "exports.jsonl"
    monkeypatch.setattr(record, "MAX_BYTES", 200)
    for i in range(12):
        record.append(log, json.dumps({"status": 0, "n": i, "pad": "x" * 40}))
    old = log.with_name("exports.jsonl.1")
    assert old.exists() and log.stat().st_size < 200 + 80 and old.stat().st_size < 200 + 80
    assert not log.with_name("exports.jsonl.2").exists()
    read = [e["n"] for e in read_lines(log)]
    assert read == sorted(read) and read[-1] == 11 and len(read) < 12  # the oldest dropped


def test_summary_quantiles_fallbacks_and_since() -> None:
    def entry(day: int, status: int, seconds: list[float], fallback: bool = False):
        return {
            "time": f"2026-12-{day:02d}T10:00:00Z", "status": status, "fallback": fallback,
            "error": None if status == 0 else "ffmpeg", "reason": "ffmpeg failed",
            "runs": [{"encoder": "libx264", "preset": "draft", "seconds": s, "speed": 10 / s,
                      "status": 0} for s in seconds],
        }

    entries = [entry(1, 0, [1.0, 2.0]), entry(2, 1, []), entry(3, 0, [3.0, 4.0, 10.0], True)]
    s = summarize(entries)
    assert (s["exports"], s["succeeded"], s["fallbacks"]) == (3, 2, 1)
    (g,) = s["encoders"]
    assert g["runs"] == 5 and g["seconds_median"] == 3.0
    assert g["seconds_p90"] == pytest.approx(7.6)
    assert s["errors"] == [{"error": "ffmpeg", "reason": "ffmpeg failed", "count": 1}]
    assert summarize(entries, parse_since("2026-12-02"))["exports"] == 2


def test_reasons_name_no_file() -> None:
    from tlc.core.errors import FfmpegError, ParseError

    err = FfmpegError("the disk is full (no space left on the device) while writing x.mp4")
    assert record.reason_of(err, False) == "the disk is full (no space left on the device)"
    assert record.reason_of(ParseError("unknown keyword 'clup'"), False) == "unknown keyword '…'"
    assert record.encoder_of(["ffmpeg", "-c:v", "copy", "-c:a", "aac"]) == "copy+aac"


def test_stats_of_no_log_and_a_bad_since(run_tlc, tmp_path: Path) -> None:
    env = {"TLC_LOG": str(tmp_path / "none.jsonl")}
    proc = run_tlc("stats", env=env)
    assert proc.returncode == 0 and proc.stdout.startswith("no exports logged in")
    proc = run_tlc("stats", "--since", "last week", env=env)
    assert proc.returncode == 2 and "bad --since 'last week'" in proc.stderr
