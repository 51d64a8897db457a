"""Random and mutated `.tl` files: an error that points at a place, never a traceback.

The texts start from every example and fixture timeline, then have tokens inserted,
deleted, swapped, duplicated or replaced (by tokens of other files, hostile ones
such as a 400-digit time, or random Unicode); some are random text outright.

- The parser (2,000 examples): every text parses, or fails as a ``TlcError``
  printed ``FILE:LINE:COL: error: ...``; and the fast path (tlc.syntax.fast)
  gives exactly the AST Lark gives, wherever it answers.
- The whole compiler (parse, resolve against tiny real media, lower, passes,
  emit): the same, for a few hundred files.
- The real ``tlc check`` on a few of them: exit status 2 and the same report.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from media import make_audio, make_image, make_video

from tlc.api import compile_timeline, context
from tlc.core.errors import TlcError
from tlc.syntax.ast import Timeline
from tlc.syntax.fast import parse_fast
from tlc.syntax.parser import parse, parse_lark

ROOT = Path(__file__).parent.parent
SEED_FILES = sorted(
    [*ROOT.glob("examples/*.tl"), *ROOT.glob("tests/fixtures/passes/*.tl")]
)
# a few more, so that every construct of the language is in some seed
EXTRA_SEEDS = [
    'output "o.mp4" { size 64x36 fps 29.97 video h264 audio aac 128k preset draft }\n'
    'video { clip "a.mp4" trim 0.5s..1.5s volume -3dB\n gap 500ms\n'
    ' image "logo.png" for 12f\n clip "b.mp4" trim ..1s mute }\n'
    'overlay { text "Hi, it\'s \\"50%\\" {x}: [a];\\n\\\\o/" at 0s..1s pos center size 12'
    " color #ff8800 box\n"
    ' image "logo.png" at 1s+1s pos 4,-2 scale 16x8 opacity 0.5\n'
    ' video "b.mp4" at 0.5s trim 0s..0.5s pos 0,0 scale 32x18 }\n'
    'audio { clip "tone.m4a" at 0.25s volume +2dB fade in 0.1s out 0.2s }\n',
    'output "o.m4a" audio aac 96k\naudio {\n  clip "tone.m4a" trim 00:00.100..00:00:01.5\n'
    '  clip "tone.m4a" fade out 1f\n}\n',
    'output "a.mp4" { size source fps source fit cover keyframes at-cuts encoder auto }\n'
    'output "b.mkv" { size 32x18 fps 30000/1001 video copy audio copy }\n'
    'video { clip "a.mp4" }\n',
]
SEEDS = [p.read_text(encoding="utf-8") for p in SEED_FILES] + EXTRA_SEEDS

TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[ \t\r\n]+|\.\.|[A-Za-z_][A-Za-z0-9_-]*'
    r"|-?\d+(?:[.:/x]\d+)*[A-Za-z]*|.",
    re.S,
)
HOSTILE = [
    '"', "\\", '"\\q"', '"a\\nb"', '"\\"', '""', "{", "}", "{{", "..", "...", "+", "-", ",",
    "#", "#ff", "#xyz", "\x00", "\ufeff", "\u2028", "\u00a0", "\t", "\r", "\v", "é", "✓",
    "Video", "CLIP", "clpi", "muted", "db", "dB", "fade", "in", "out", "for", "at",
    "0s..0s", "2s..1s", "-2s", "01:75", "1:2:3:4", "1h1h", "1s1m", "48f", "1.5f", "2fs",
    "0f", "1e9s", "9" * 400 + "s", "9" * 400, "0." + "0" * 300 + "1s", "9" * 30 + "x9",
    "99999999999999999999999h", "1/0", "0/1", "99999999x99999999", "-0s", "+-6dB",
    '"%03d.png"', '"pipe:0"', '"http://127.0.0.1:9/x.mp4"', '"-i.mp4"', '"/dev/zero"',
    '"../../../etc/passwd"', '"a:b.mp4"', '"\\t\\n"', "size", "source", "copy", "none",
]  # fmt: skip


# values in the places numbers go: too big, too small, too precise, malformed
NUMBERS = [
    "0", "-1", "1e3", "9" * 400, "9" * 400 + "s", "9" * 400 + "dB", "0." + "0" * 400 + "1",
    "99999999999999999999999h", "9" * 30 + "f", "9" * 20 + "x" + "9" * 20, "0x0", "1x1",
    "9" * 40 + "/1", "1/" + "9" * 40, "0/0", "1.5f", "-6dB", "1:" + "9" * 30, "9" * 30 + "k",
    "65536x65536", "16384x16384", "2x2", "1000000", "-1000000", "4294967296", "0.5", "00:00",
]  # fmt: skip


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


SEED_TOKENS = [tokens(s) for s in SEEDS]
VOCABULARY = sorted({t for ts in SEED_TOKENS for t in ts if not t.isspace()} | set(HOSTILE))


ALL_OPS = ("insert", "delete", "swap", "replace", "dup", "unicode", "number")


@st.composite
def mutated(draw: st.DrawFn, most: int = 6, ops: tuple[str, ...] = ALL_OPS) -> str:
    toks = list(draw(st.sampled_from(SEED_TOKENS)))
    for _ in range(draw(st.integers(1, most))):
        i = draw(st.integers(0, max(0, len(toks) - 1)))
        op = draw(st.sampled_from(ops))
        numbers = [k for k, t in enumerate(toks) if t[:1].isdigit() or t[:2] == "-0"]
        if op == "number" and numbers:
            toks[draw(st.sampled_from(numbers))] = draw(st.sampled_from(NUMBERS))
        elif op == "insert":
            toks.insert(i, " " + draw(st.sampled_from(VOCABULARY)) + " ")
        elif op == "delete" and toks:
            del toks[i]
        elif op == "swap" and toks:
            j = draw(st.integers(0, len(toks) - 1))
            toks[i], toks[j] = toks[j], toks[i]
        elif op == "replace" and toks:
            toks[i] = draw(st.sampled_from(VOCABULARY))
        elif op == "dup" and toks:
            j = draw(st.integers(i, min(len(toks), i + 8)))
            toks[i:i] = toks[i:j]
        else:
            toks.insert(i, draw(st.text(min_size=1, max_size=6)))
    return "".join(toks)


TEXTS = st.one_of(
    mutated(),
    mutated(),
    mutated(),
    st.text(max_size=120),
    st.sampled_from(SEEDS),
)

# for the whole compiler: fewer changes, most of them to values, so that more files
# get past the parser (into resolving against media, lowering, the passes, emitting)
GENTLE = st.one_of(
    mutated(most=2, ops=("number", "number", "number", "dup", "delete", "swap", "replace")),
    st.sampled_from(SEEDS),
)

FILE = "fuzz.tl"
REPORT = re.compile(rf"^{re.escape(FILE)}:(\d+):(\d+): error: \S")


def check_report(err: TlcError, text: str) -> None:
    """The error is reported at a real place in ``text``: FILE:LINE:COL, line and caret."""
    report = str(err)
    first = report.splitlines()[0]
    m = REPORT.match(first)
    assert m, f"not a FILE:LINE:COL report: {report!r}\nfor {text!r}"
    line = int(m.group(1))
    assert 1 <= line <= text.count("\n") + 1, (report, text)
    assert "Traceback" not in report


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS)
def test_parser_fails_only_with_a_located_error_and_fast_path_agrees(text: str) -> None:
    try:
        reference: Timeline | TlcError = parse_lark(text.removeprefix("\ufeff"), FILE)
    except TlcError as err:
        reference = err
    fast = parse_fast(text.removeprefix("\ufeff"), FILE)
    if isinstance(reference, TlcError):
        assert fast is None, f"fast path accepted what Lark rejects: {text!r}"
        check_report(reference, text)
        with pytest.raises(TlcError) as got:
            parse(text, FILE)
        assert str(got.value) == str(reference)
    else:
        assert fast is None or fast == reference, f"fast path differs on {text!r}"
        assert parse(text, FILE) == reference


# ---- the whole compiler ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where every media file the seeds name exists (tiny, real)."""
    d = tmp_path_factory.mktemp("fuzz")
    (d / "media").mkdir()
    video = make_video(d / "a.mp4", 2, size=(64, 36), fps=10, gop=10)
    make_video(d / "b.mp4", 2, size=(64, 36), fps=10, gop=10)
    image = make_image(d / "logo.png", (16, 8))
    tone = make_audio(d / "tone.m4a", 2)
    for text in SEEDS:
        for name in re.findall(r'"([^"\\]+\.(?:mp4|mov|mkv|png|jpg|m4a|mp3|wav))"', text):
            target = d / name
            if name.startswith(("out/", "o.", "a.mkv", "b.mkv")) or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            ext = target.suffix
            src = image if ext in (".png", ".jpg") else tone if ext in (".m4a", ".mp3") else video
            shutil.copyfile(src, target)
    return d


@pytest.fixture(scope="module")
def base_context(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    mp = pytest.MonkeyPatch()
    mp.setenv("TLC_CACHE_DIR", str(tmp_path_factory.mktemp("fuzz-cache")))
    yield context()
    mp.undo()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(TEXTS, GENTLE, GENTLE))
def test_compiler_fails_only_with_a_located_error(
    text: str, project: Path, base_context: object
) -> None:
    ctx = dataclasses.replace(base_context, workdir=None, warnings=[])  # type: ignore[type-var]
    try:
        compiled = compile_timeline(text, str(project / FILE), ctx)
    except TlcError as err:
        report = str(err).replace(str(project) + "/", "")
        m = REPORT.match(report)
        assert m, f"not a FILE:LINE:COL report: {report!r}\nfor {text!r}"
        event(f"error: {type(err).__name__}")
        return
    event("compiled")
    assert compiled.steps
    for step in compiled.steps:
        assert all(isinstance(a, str) and "\0" not in a for a in step.argv)


# ---- the real command -------------------------------------------------------------------------


def test_tlc_check_reports_mutants_with_exit_2(project: Path, cli_env: dict[str, str]) -> None:
    """A few fixed mutants through the real `tlc check`: exit 2, FILE:LINE:COL, a caret."""
    tlc = Path(sys.executable).parent / "tlc"
    mutants = [
        SEEDS[-3].replace("trim 0.5s..1.5s", "trim 0.5..1.5s"),
        SEEDS[-3].replace("gap 500ms", "gap 500"),
        SEEDS[-3].replace("at 1s+1s", "at 1s+"),
        SEEDS[-3].replace("clip", "clpi", 1),
        SEEDS[-3].replace('"a.mp4"', '"a.mp4', 1),
        SEEDS[-3].replace("}", "", 1),
        SEEDS[-3] + "\x00",
        SEEDS[-3].replace("-3dB", "-3 dB"),
        SEEDS[-3].replace("12f", "9" * 400 + "s"),
        SEEDS[-3].replace('"b.mp4"', '"nothere.mp4"', 1),
    ]
    for i, text in enumerate(mutants):
        tl = project / f"mutant{i}.tl"
        tl.write_text(text, encoding="utf-8")
        proc = subprocess.run([str(tlc), "check", tl.name], cwd=project, env=cli_env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 2, (text, proc.stderr)
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.splitlines()
        assert re.match(rf"^mutant{i}\.tl:\d+:\d+: error: \S", lines[0]), proc.stderr
        assert any(ln.lstrip().startswith("^") for ln in lines[2:3]), proc.stderr


# ---- values no file may ask for -----------------------------------------------------------

HUGE = "9" * 400
HEAD = 'output "o.mp4" { size 64x36 fps 10 }\n'
MAIN = 'video { clip "a.mp4" }\n'


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (HEAD + f'video {{ clip "a.mp4"\n gap {HUGE}s }}', "1000h at most"),
        (HEAD + 'video { clip "a.mp4"\n gap 99999999999999999999999h }', "1000h at most"),
        (HEAD + f'video {{ clip "a.mp4"\n gap {HUGE}f }}', "too many frames"),
        (HEAD + 'video { clip "a.mp4"\n gap 9999999:00:00 }', "1000h at most"),
        (HEAD + f'video {{ clip "a.mp4" volume {HUGE}dB }}', "out of range"),
        (HEAD + 'video { clip "a.mp4" volume 1000000dB }', "out of range"),
        (HEAD + MAIN + f'overlay {{ text "x" at 0s..1s pos {HUGE},1 }}', "at most"),
        (HEAD + MAIN + f'overlay {{ text "x" at 0s..1s size {HUGE} }}', "at most"),
        (HEAD + MAIN + 'overlay { image "logo.png" at 0s..1s scale 99999999x9 }', "at most"),
        (HEAD + MAIN + f'overlay {{ image "logo.png" at 0s..1s opacity {HUGE} }}', "opacity"),
        (f'output "o.m4a" audio aac {HUGE}k\naudio {{ clip "tone.m4a" }}', "10M at most"),
    ],
)
def test_values_past_what_ffmpeg_takes_are_located_errors(
    text: str, says: str, project: Path, base_context: object
) -> None:
    ctx = dataclasses.replace(base_context, workdir=None, warnings=[])  # type: ignore[type-var]
    with pytest.raises(TlcError) as err:
        compile_timeline(text, str(project / FILE), ctx)
    report = str(err.value).replace(str(project) + "/", "")
    assert REPORT.match(report), report
    assert says in report, report
