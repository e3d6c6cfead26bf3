"""Removes superseded builds of the workspace's own crates from a shared Cargo target dir.

usage: prune_target.py TARGET_DIR STEM...

The target dir outlives the clone (CI and every session reuse it), and each change of a
dependency or a feature set gives the workspace's crates a new metadata hash, so the old
test binaries and rlibs (1-2 GB each) stay behind until the disk fills. For each STEM (a
target name of the workspace, `-` written `_`) this keeps every hash built within KEEP of
that stem's newest build (one run of scripts/test builds all the hashes it needs within a
few minutes) and deletes the older ones: their deps files, incremental and fingerprint
directories. Third-party crates are left alone: their hashes are stable and small. What is
deleted by mistake is only rebuilt, never wrong.
"""

import os
import re
import shutil
import sys
import time

KEEP = 2 * 3600  # seconds


def newest_mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def profile_dirs(target):
    """Every directory holding deps/ (debug, release, wasm32-unknown-unknown/release, …)."""
    for root, dirs, _files in os.walk(target):
        if "deps" in dirs:
            yield root
        # A profile dir's own subdirectories are not profiles.
        dirs[:] = [d for d in dirs if d not in ("deps", "incremental", ".fingerprint", "build", "examples")]


def prune_profile(profile, stems):
    pattern = re.compile(r"^(?:lib)?(%s)-([0-9a-f]{16})(?:\..*)?$" % "|".join(map(re.escape, stems)))
    # (stem, hash) -> list of paths, and its newest mtime
    found = {}
    for sub in ("deps", "incremental", ".fingerprint", "build"):
        base = os.path.join(profile, sub)
        if not os.path.isdir(base):
            continue
        for name in os.listdir(base):
            m = pattern.match(name)
            if not m:
                continue
            path = os.path.join(base, name)
            entry = found.setdefault((m.group(1), m.group(2)), [[], 0.0])
            entry[0].append(path)
            if sub in ("deps", "incremental"):
                entry[1] = max(entry[1], newest_mtime(path))
    newest = {}
    for (stem, _h), (_paths, mtime) in found.items():
        newest[stem] = max(newest.get(stem, 0.0), mtime)
    freed = 0
    for (stem, _h), (paths, mtime) in found.items():
        if newest[stem] - mtime <= KEEP:
            continue
        for path in paths:
            if os.path.isdir(path) and not os.path.islink(path):
                freed += sum(
                    os.path.getsize(os.path.join(r, f)) for r, _d, fs in os.walk(path) for f in fs
                )
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    freed += os.path.getsize(path)
                    os.remove(path)
                except OSError:
                    pass
    return freed


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    target, stems = sys.argv[1], sys.argv[2:]
    if not os.path.isdir(target):
        return 0
    started = time.time()
    freed = sum(prune_profile(p, stems) for p in profile_dirs(target))
    if freed:
        print(
            "==> target dir: removed %.1f GB of superseded workspace builds (%.1fs)"
            % (freed / 1e9, time.time() - started),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
