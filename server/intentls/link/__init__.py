"""The terminal link: `intentls run` in a terminal asks the server an editor started for the
folder to do the run (it already knows what changed there), and runs it itself when there is
none (docs/terminal.md)."""
