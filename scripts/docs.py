#!/usr/bin/env python3
"""Keeps the command examples in README.md, docs/*.md and rules/README.md real.

usage: python3 scripts/docs.py [--check | --write] [FILE ...]

Every fenced block whose first line is `$ scout …` is an example: each `$ scout …` line
in it is run from the repository root, as a user would type it (through a pseudo-terminal,
so tables come out as on a screen; NO_COLOR=1; `scout` is target/debug/scout, built first),
and the lines after it, up to the next `$ ` line or the end of the block, are its output.
A block is left alone when the line before its opening fence is
`<!-- docs: skip REASON -->` (a session with edits in between, a live `watch`, output
that depends on the machine). A block whose outputs are elided on purpose says so in its
skip reason.

--check (the default) prints a diff for every example whose output differs and exits 1;
--write replaces the outputs in place.
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["README.md", "rules/README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
SKIP = re.compile(r"^<!--\s*docs:\s*skip\b.*-->\s*$")
FENCE = re.compile(r"^```")


def scratch():
    """A scratch copy of what examples read and write (the rule folder, examples, docs,
    fixtures), with `../shared` beside it, so no example changes the repository."""
    base = Path(tempfile.mkdtemp(prefix="scout-docs-"))
    repo = base / "main"
    repo.mkdir()
    for name in ["rules", "examples", "docs", "tests/fixtures", "scripts"]:
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, repo / name, symlinks=True)
    for name in ["README.md", "Cargo.toml"]:
        shutil.copy(ROOT / name, repo / name)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (base / "shared").symlink_to(shared)
    return base, repo


def run(command, cwd):
    """Runs one example command line under a pseudo-terminal; returns its output lines."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100", TERM="dumb", SOURCE_DATE_EPOCH="1767225600")
    env["PATH"] = f"{ROOT / 'target' / 'debug'}:{env['PATH']}"
    proc = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    text = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")
    return text.rstrip("\n").split("\n") if text.strip() else []


def examples(lines):
    """Yields (start, end) line ranges of example blocks: the lines inside the fences."""
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]) and i + 1 < len(lines) and lines[i + 1].startswith("$ scout "):
            skip = i > 0 and SKIP.match(lines[i - 1])
            j = i + 1
            while j < len(lines) and not FENCE.match(lines[j]):
                j += 1
            if not skip:
                yield i + 1, j
            i = j + 1
        else:
            i += 1


def refresh(block, cwd):
    """The block with every command's output replaced by what it prints now."""
    out = []
    for line in block:
        if line.startswith("$ "):
            out.append(line)
            out.extend(run(line[2:], cwd))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--locked"], cwd=ROOT, check=True)
    stale = 0
    for name in args.files or FILES:
        path = ROOT / name
        lines = path.read_text().split("\n")
        changed = False
        base, repo = scratch()
        found = list(examples(lines))
        fresh_blocks = {}
        for start, end in found:  # in file order: later examples may use earlier ones' files
            fresh_blocks[start] = refresh(lines[start:end], repo)
        shutil.rmtree(base)
        for start, end in reversed(found):
            block = lines[start:end]
            fresh = fresh_blocks[start]
            if fresh != block:
                stale += 1
                changed = True
                if not args.write:
                    sys.stdout.writelines(
                        difflib.unified_diff(
                            [l + "\n" for l in block],
                            [l + "\n" for l in fresh],
                            f"{name}:{start + 1} (as written)",
                            f"{name}:{start + 1} (as run)",
                        )
                    )
                lines[start:end] = fresh
        if changed and args.write:
            path.write_text("\n".join(lines))
            print(f"updated {name}", file=sys.stderr)
    if stale and not args.write:
        print(f"{stale} example(s) differ from what scout prints; run `python3 scripts/docs.py --write`", file=sys.stderr)
        sys.exit(1)
    print(f"{'refreshed' if args.write else 'checked'} the examples: {stale} stale", file=sys.stderr)


if __name__ == "__main__":
    main()
