"""Where ffmpeg.wasm is, and which of its builds runs: the wasm engine's toolchain.

The engine runs tlc's own runner (``tlc/runtime/wasm/ffmpeg.mjs``, package data) in
Node.js over one of the npm packages ``@ffmpeg/core-mt`` (multi-threaded: Web Workers
over ``node:worker_threads``, a SharedArrayBuffer heap fixed at 1 GiB) or
``@ffmpeg/core`` (one thread, a heap that grows to 2 GiB), installed by ``make
node-deps`` (``npm ci``). :func:`find_wasm` writes a small launcher script per core
into tlc's cache directory, so that the rest of tlc runs ffmpeg.wasm as it runs any
ffmpeg binary: its version, its encoders and filters are asked by running it.

The choice of core: ``$TLC_WASM_CORE`` (``mt``, ``st`` or ``auto``, the default):
``auto`` takes core-mt where the machine has more than one core and Node.js has
SharedArrayBuffer, else core. ``$TLC_NODE`` names the node binary (else ``node`` on
PATH); ``$TLC_NODE_MODULES`` the ``node_modules`` folder (else the one of tlc's
checkout, or of the working directory or a folder above it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from tlc.core import cache
from tlc.core.errors import UsageError

CORE_ENV = "TLC_WASM_CORE"
NODE_ENV = "TLC_NODE"
MODULES_ENV = "TLC_NODE_MODULES"
PACKAGES = {"mt": "@ffmpeg/core-mt", "st": "@ffmpeg/core"}
RUNNER = Path(__file__).resolve().parent.parent / "runtime" / "wasm" / "ffmpeg.mjs"
SETUP_HINT = "install Node.js 20+ and run `make node-deps` (npm ci) in tlc's checkout"


def node_binary() -> str:
    """The node binary: ``$TLC_NODE``, else ``node`` on PATH."""
    named = os.environ.get(NODE_ENV) or "node"
    found = shutil.which(named)
    if found is None:
        raise UsageError(f"--engine wasm needs Node.js: no {named!r} found", hint=SETUP_HINT)
    return found


def node_modules() -> Path:
    """The ``node_modules`` folder that holds the ffmpeg.wasm cores."""
    env = os.environ.get(MODULES_ENV)
    places = [Path(env)] if env else []
    places.append(RUNNER.parents[3] / "node_modules")  # tlc's checkout (an editable install)
    here = Path.cwd()
    places += [d / "node_modules" for d in (here, *here.parents)]
    for p in places:
        if (p / PACKAGES["st"] / "package.json").is_file():
            return p
    raise UsageError("--engine wasm: the npm package @ffmpeg/core is not installed",
                     hint=SETUP_HINT + f", or set {MODULES_ENV}")


def core_dir(modules: Path, core: str) -> Path:
    return modules / PACKAGES[core] / "dist" / "esm"


def package_version(modules: Path, core: str) -> str:
    try:
        data = json.loads((modules / PACKAGES[core] / "package.json").read_text())
        return str(data.get("version", "?"))
    except (OSError, ValueError):
        return "?"


def shared_memory(node: str) -> bool:
    """Whether this Node.js has SharedArrayBuffer (asked once per node binary)."""
    real = os.path.realpath(node)
    try:
        st = os.stat(real)
    except OSError:
        return False
    key = f"{real}|{st.st_size}|{st.st_mtime_ns}"
    table = cache.read_json("node-sab-v1.json")
    if isinstance(table, dict) and isinstance(table.get(key), bool):
        return bool(table[key])
    try:
        proc = subprocess.run([node, "-p", "typeof SharedArrayBuffer"], capture_output=True,
                              text=True, timeout=30, check=False)
        ok = proc.stdout.strip() == "function"
    except (OSError, subprocess.TimeoutExpired):
        return False
    cache.update_json("node-sab-v1.json",
                      lambda old: {**(old if isinstance(old, dict) else {}), key: ok})
    return ok


def choose_core(node: str, modules: Path) -> tuple[str, str]:
    """(``"mt"`` or ``"st"``, why), from ``$TLC_WASM_CORE`` and the machine."""
    wanted = (os.environ.get(CORE_ENV) or "auto").strip().lower()
    if wanted not in ("auto", "mt", "st"):
        raise UsageError(f"{CORE_ENV}={wanted}: give mt, st or auto")
    has_mt = (core_dir(modules, "mt") / "ffmpeg-core.worker.js").is_file()
    if wanted == "mt":
        if not has_mt:
            raise UsageError(f"{CORE_ENV}=mt: @ffmpeg/core-mt is not installed", hint=SETUP_HINT)
        return "mt", f"forced by {CORE_ENV}"
    if wanted == "st":
        return "st", f"forced by {CORE_ENV}"
    cores = os.cpu_count() or 1
    if cores < 2:
        return "st", "one CPU core"
    if not has_mt:
        return "st", "@ffmpeg/core-mt is not installed"
    if not shared_memory(node):
        return "st", "this Node.js has no SharedArrayBuffer"
    return "mt", f"{cores} CPU cores and SharedArrayBuffer"


def find_wasm() -> tuple[str, str]:
    """(the launcher of the chosen core, a note for ``tlc doctor``)."""
    node = node_binary()
    modules = node_modules()
    core, why = choose_core(node, modules)
    version = package_version(modules, core)
    probe = core_dir(modules, "st") if core == "mt" else None
    launcher = write_launcher(node, core_dir(modules, core), f"{PACKAGES[core]} {version}", probe)
    kind = "multi-threaded" if core == "mt" else "single-threaded"
    return launcher, f"{PACKAGES[core]} {version}, {kind}: {why}"


def write_launcher(node: str, core: Path, label: str, probe: Path | None = None) -> str:
    """An executable script that runs ffmpeg.wasm's ``core`` as an ffmpeg binary would
    be run; rewritten only when it changes (its mtime keys tlc's caches of answers).
    ``probe``: the single-threaded build, which answers the questions (``-version``,
    ``-filters``, the encoders' one-frame checks) of a multi-threaded ``core`` in a
    tenth of its start-up time; the renders run in ``core``."""
    where = cache.cache_dir()
    if where is None:
        raise UsageError("--engine wasm needs tlc's cache directory, which is outside "
                         "--output-root", hint="set TLC_CACHE_DIR under the output root")
    name = "ffmpeg-" + ("core-mt" if core.parent.parent.name == "core-mt" else "core")
    path = where / "wasm" / name
    text = (
        "#!/bin/sh\n"
        f"# tlc's launcher of ffmpeg.wasm ({label}) under Node.js: written by tlc\n"
        f"exec {shlex.quote(node)} {shlex.quote(str(RUNNER))} --core {shlex.quote(str(core))}"
        + (f" --probe-core {shlex.quote(str(probe))}" if probe else "")
        + ' "$@"\n'
    )
    try:
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{name}.{os.getpid()}")
            tmp.write_text(text)
            tmp.chmod(0o755)
            os.replace(tmp, path)
    except OSError as err:
        raise UsageError(f"cannot write the wasm launcher {path}: {err.strerror}") from None
    return str(path)
