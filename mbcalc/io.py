"""Writing results to files: atomically, so that a failure leaves no partial or clobbered file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import MbcalcError


def write_text(output: str, text: str) -> None:
    """Write `text` to `output`: whole or not at all.

    A symlink is written through (its target is replaced); a device or pipe is written directly;
    a new file gets the usual permissions (0666 less the umask), an existing file keeps its own.
    """
    if not output.strip():
        raise MbcalcError("the output needs a file name (or - for stdout)")
    target = Path(output).resolve() if Path(output).is_symlink() else Path(output)
    try:
        if target.exists() and not target.is_file():  # /dev/null, a pipe: nothing to replace
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        _replace(target, text, mode)
    except OSError as exc:
        hint = "free some space" if exc.errno == errno.ENOSPC else "check that the folder exists and is writable"
        raise MbcalcError(f"cannot write {output}: {exc.strerror or exc} ({hint})") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _replace(target: Path, text: str, mode: int) -> None:
    import tempfile  # only when a file is written

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: through symbolic and hard links, or (for a file that does
    not exist yet) the same resolved path."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def same_as_stdin(path: str) -> bool:
    """Whether `path` is the file standard input reads (`mbcalc - -o net.yaml < net.yaml`)."""
    try:
        stdin, target = os.fstat(0), os.stat(path)
    except (OSError, ValueError):
        return False
    return (stdin.st_dev, stdin.st_ino) == (target.st_dev, target.st_ino)


def writable_problem(path: str) -> str | None:
    """Why `path` cannot be written (a folder, a folder that does not exist), found before any work."""
    if os.path.isdir(path):
        return "it is a folder (give a file name)"
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return f"there is no folder {folder} (create it first)"
    if os.path.exists(path) and not os.path.isfile(path):  # /dev/null, a pipe: written as it is
        return None
    try:  # what the atomic write will do: a file of its own in that folder
        import tempfile

        fd, probe = tempfile.mkstemp(dir=folder, prefix=".mbcalc-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"{exc.strerror or exc} (check that the folder is writable)"
    return None
