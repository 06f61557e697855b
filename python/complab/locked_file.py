"""A file one writer holds at a time: the checkpoints of sweeps and optimisations.

The lock is a POSIX record lock (``fcntl.lockf``) against other processes. Unlike
``flock``, it is not inherited by processes forked while it is held, so a process pool's
workers started during a sweep do not keep the file locked after the sweep ends. POSIX
locks do not tell writers in one process apart, so a registry of held paths refuses a
second writer here; and closing any descriptor of the file would drop the lock, so every
read and write goes through the one descriptor the lock is on.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading

_held: set[str] = set()
_guard = threading.Lock()


class Busy(ValueError):
    """Another writer, in this process or another, holds the file."""


class LockedFile:
    """`path` opened for reading and appending, and locked; :class:`Busy` if it is held.

    Other errors opening it are ``OSError``. :meth:`close` releases it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.key = os.path.realpath(path)
        with _guard:
            if self.key in _held:
                raise Busy(self.key)
            _held.add(self.key)
        self._registered = True
        self._fd = -1
        try:
            self._fd = os.open(self.key, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno in (errno.EACCES, errno.EAGAIN):
                    raise Busy(self.key) from None
                raise
        except BaseException:
            self.close()
            raise

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def read(self) -> bytes:
        """The whole file."""
        size, parts, offset = self.size(), [], 0
        while offset < size:
            part = os.pread(self._fd, size - offset, offset)
            if not part:
                break
            parts.append(part)
            offset += len(part)
        return b"".join(parts)

    def append(self, data: bytes, sync: bool = True) -> None:
        """`data` at the end, on disk before returning when `sync`."""
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        if sync:
            os.fsync(self._fd)

    def truncate(self, size: int) -> None:
        os.ftruncate(self._fd, size)

    def close(self) -> None:
        """Release the lock (closing the descriptor) and the path."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._registered:
            self._registered = False
            with _guard:
                _held.discard(self.key)
