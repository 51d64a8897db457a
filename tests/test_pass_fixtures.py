"""One fixture per pass: what that pass alone does to each fixture timeline's plan.

``tests/fixtures/passes/by_pass/PASS.txt`` holds, for every timeline of
``tests/fixtures/passes/*.tl``, the lines of the plan (as ``tlc explain`` prints it)
that PASS removed (``-``) and added (``+``), given the plan the passes before it
made. A change to one pass changes its own file (and a later pass's only where that
pass rewrites what changed), as sqlglot keeps ``tests/fixtures/optimizer/<rule>.sql``.
``test_passes.py`` keeps the whole chain as one end-to-end golden per timeline.

Regenerate with ``TLC_UPDATE_FIXTURES=1 pytest tests/test_pass_fixtures.py`` and read
the diff: it is the review of what a pass change does.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from passfix import FIXTURES, make_media

from tlc.api import compile_timeline, context
from tlc.backend.text import plan_text
from tlc.passes import PASS_NAMES, PASSES

BY_PASS = FIXTURES / "by_pass"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.tl"))
UPDATE = os.environ.get("TLC_UPDATE_FIXTURES") == "1"
#: timelines made for one pass, shown in its fixture only (66 clips, for chunk_inputs)
ONLY_FOR = {"long": "chunk_inputs"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[object]]:
    """Each timeline's context, then its plans: the naive one, then after each pass."""
    root = make_media(tmp_path_factory.mktemp("by_pass"))
    plans: dict[str, list[object]] = {}
    for name in NAMES:
        path = root / f"{name}.tl"
        c = compile_timeline(path.read_text(), str(path), context(), keep_history=True)
        assert [n for n, _ in c.history] == list(PASS_NAMES)
        plans[name] = [c.ctx, c.naive, *(plan for _, plan in c.history)]
    return plans


def _changes(before: list[str], after: list[str]) -> list[str]:
    diff = difflib.unified_diff(before, after, lineterm="", n=0)
    return [d for d in list(diff)[2:] if not d.startswith("@@")]


def fixture_text(pass_index: int, inputs: dict[str, list[object]]) -> str:
    name = PASS_NAMES[pass_index]
    run = PASSES[pass_index]
    out = [f"# {name}: the plan lines it removes (-) and adds (+), per fixture timeline"]
    for tl in NAMES:
        if ONLY_FOR.get(tl, name) != name:
            continue
        ctx, *plans = inputs[tl]
        given = plans[pass_index]
        alone = run(given, ctx)  # type: ignore[arg-type]  # the pass alone, on its input
        assert plan_text(alone) == plan_text(plans[pass_index + 1])  # type: ignore[arg-type]
        changes = _changes(plan_text(given), plan_text(alone))  # type: ignore[arg-type]
        out.append(f"== {tl}: {'no change' if not changes else f'{len(changes)} lines'} ==")
        out.extend(changes)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("index", range(len(PASS_NAMES)), ids=list(PASS_NAMES))
def test_what_the_pass_alone_changes_matches_its_fixture(
    index: int, inputs: dict[str, list[object]]
) -> None:
    text = fixture_text(index, inputs)
    expected = BY_PASS / f"{PASS_NAMES[index]}.txt"
    if UPDATE or not expected.exists():
        BY_PASS.mkdir(exist_ok=True)
        expected.write_text(text)
        if not UPDATE:
            pytest.fail(f"wrote missing fixture {expected.name}; review and commit it")
    assert text == expected.read_text()


def test_every_pass_has_a_fixture_and_changes_some_timeline() -> None:
    files = {p.stem for p in BY_PASS.glob("*.txt")}
    assert files == set(PASS_NAMES)
    for name in PASS_NAMES:
        text = (BY_PASS / f"{name}.txt").read_text()
        assert any(line[:1] in "+-" for line in text.splitlines()[1:]), name


def test_fixture_paths_are_relative(inputs: dict[str, list[object]]) -> None:
    """The plans name media by file name only, so the fixtures hold no temp paths."""
    text = fixture_text(0, inputs)
    assert "/tmp" not in text and str(Path.home()) not in text
