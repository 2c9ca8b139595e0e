"""`intentls run INTENT` in the person's own terminal (trusted: the person typed it), on the
same engine and history as the editors. When a server an editor started serves the folder, it
does the run (it already knows what changed there: link/client.py); otherwise, or with
`--local` / `INTENTLS_LOCAL=1`, this process does (cli_running.py). Both show it the same way.

Nothing heavy is imported before that is decided: asking a server costs an interpreter start
and a socket."""

from __future__ import annotations

import argparse
import os


def main(args: argparse.Namespace) -> int:
    if not (getattr(args, "local", False) or os.environ.get("INTENTLS_LOCAL") == "1"):
        from intentls.link.client import run_in_server

        status = run_in_server(args)
        if status is not None:
            return status
    from intentls.cli_running import run_here

    return run_here(args)
