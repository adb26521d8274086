"""Swap a freshly built folder (build/site.new) in place of the published one (build/site), atomically.

A reader of build/site/ — a web server, `incidentbook linkcheck`, a CI upload — must find a complete
site at every instant, whatever happens to the build, including SIGKILL or a power cut between two
system calls. Two renames (site → site.old, site.new → site) leave a moment with no site at all, so
on Linux the two folders are exchanged in one step with renameat2(RENAME_EXCHANGE) (ext4, XFS,
btrfs, tmpfs; glibc 2.28+). Where that call is missing, the two renames are used and `recover()`,
run before every build and by every command that reads build/, puts back the last complete folder
if a build died between them. build/site stays a real folder (not a symlink), so CI caches and
artifact uploads that do not follow symlinks keep working.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False when this system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EPERM):
        return False  # the file system (or a sandbox) does not support the exchange
    raise OSError(code, os.strerror(code), str(b))


def _sibling(final: Path, suffix: str) -> Path:
    return final.with_name(final.name + suffix)


def recover(final: Path) -> None:
    """Put back the last complete folder if a build died between the two renames of the fallback swap."""
    old = _sibling(final, ".old")
    if old.is_dir() and not final.exists():
        old.rename(final)


def staging(final: Path) -> Path:
    """An empty folder beside `final` to build into; removes what an interrupted build left."""
    recover(final)
    fresh = _sibling(final, ".new")
    for leftover in (fresh, _sibling(final, ".old")):
        shutil.rmtree(leftover, ignore_errors=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    return fresh


def discard(fresh: Path) -> None:
    """Remove a staging folder after a failed build; the published folder is untouched."""
    shutil.rmtree(fresh, ignore_errors=True)


def swap_in(fresh: Path, final: Path) -> Path:
    """Publish the complete folder `fresh` as `final`; the previous `final` is deleted afterwards."""
    if not final.exists():
        fresh.rename(final)  # nothing published yet: one atomic rename
        return final
    if _exchange(fresh, final):
        shutil.rmtree(fresh, ignore_errors=True)  # now holds the previous version
        return final
    old = _sibling(final, ".old")
    final.rename(old)
    fresh.rename(final)  # a crash before this line is undone by recover()
    shutil.rmtree(old, ignore_errors=True)
    return final


def carry_over(previous: Path, target: Path) -> None:
    """Reuse an unchanged file of the published folder in the staging one (a hard link when possible)."""
    try:
        os.link(previous, target)
    except OSError:
        shutil.copy2(previous, target)


def write_if_changed(target: Path, data: bytes) -> bool:
    """Write a generated file only when its bytes change (so its modification time says when its
    content last changed), through a temporary file renamed over it. Returns whether it wrote."""
    if target.exists() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return True
