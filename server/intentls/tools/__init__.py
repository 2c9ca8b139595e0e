"""Built-in workspace tools (file, text, git): planned with a risk, the paths they read and
write and a dry-run title; run in-process, confined to the workspace folders, each recording its
inverse operation in the history before it touches anything."""
