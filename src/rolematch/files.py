"""File permissions for what rolematch writes through temporary files."""

from __future__ import annotations

import os


def new_file_mode() -> int:
    """The mode ``open()`` gives a new file: ``0o666`` less the process umask (``mkstemp`` would give 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
