"""The ``advisor`` command line, one module per command group (:mod:`.questions`,
:mod:`.quality`, :mod:`.learned`, :mod:`.log`, :mod:`.tickets`, :mod:`.serve`, :mod:`.bench`,
:mod:`.model`, :mod:`.deploy`)."""

from __future__ import annotations

import os
import sys

from .app import app

# Each command module registers its commands on the app when imported, in the order of --help.
# isort: off
from . import questions, quality, learned, log, tickets, serve, bench, model, deploy  # noqa: E402, F401
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """The command's one boundary: anything unexpected is reported in a line, not a traceback.

    Files it creates are its user's alone (the log database and its WAL, the spool, the
    journal, dead letters, keys): they hold questions and secrets."""
    os.umask(0o077)
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the adapter's single catch-all
        print(f"advisor: internal error ({type(exc).__name__}): {exc}", file=sys.stderr)
        sys.exit(1)
