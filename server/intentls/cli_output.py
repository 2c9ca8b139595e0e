"""`intentls output [RUN] [--step ID] [--path]` in the person's terminal: a run's full output as
the program printed it (the history keeps only a tail), or where its file is."""

from __future__ import annotations

import argparse
import asyncio
import sys

from intentls.cli_common import project_folder, terminal_history
from intentls.cli_pipe import ReaderGone
from intentls.execution.full_output import OutputNotKept, chunks, find_output

EXIT_NOTHING = 1


def main(args: argparse.Namespace) -> int:
    if args.path and args.step:
        print("intentls: --path names the whole run's file; leave out --step", file=sys.stderr)
        return EXIT_NOTHING
    folder, _ = project_folder()
    history = terminal_history()
    try:
        found = asyncio.run(find_output(history, folder.uri, args.run, args.step, max_bytes=0))
    except OutputNotKept as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    finally:
        history.close()
    if args.path:
        print(found.path)
        return 0
    out = sys.stdout
    for piece in chunks(found):
        if isinstance(out, ReaderGone):
            if not out.write_bytes(piece):
                break  # the reader is gone (`| head`): nothing more to print
        else:
            out.buffer.write(piece)
    return 0
