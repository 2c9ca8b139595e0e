"""Workspace snapshots: the state of every eligible path of a folder, cheaply.

A persistent index per folder (path → size, mtime, ctime, inode, mode, hash, link target) lets
a scan re-read only the files whose stat changed (jj's method). A file whose ctime falls within
`RACY_NS` of the scan that recorded it may change again within the same timestamp tick without
its stat changing: it is marked racy and read again when next looked at. Every content hashed is
put in the store, so later scans store only what changed; a state a snapshot names can always
be restored.

In a git work tree, git's own index is the stat cache of the tracked files, as for `git
status`: a file whose `lstat` matches its (not racy) index entry is known by its blob
(`git:<oid>`, see `gitindex.py`), with no read and no row of its own. The files a folder's
first snapshot knows that way are kept as one compressed *baseline* (path, blob, mode, size);
rows of the index override it (a file since modified, a blob since changed, `gone`). Only
untracked, modified, racy and otherwise unusual files are read, stored and given rows (records
copy the blobs they need when they are made).

Once a folder has been walked in this process, an inotify watch on its directories (see
`inotify.py`) says which paths to look at: a scan then costs what changed, not what exists.
Without a watcher (turned off, a network filesystem, the watch limit) every scan stats every
file.

A scan reports what changed since the previous one (`changes`; nothing on a folder's first
snapshot ever, which has nothing to compare with); the tree itself is the live index (`tree`)."""

from __future__ import annotations

import json
import os
import stat
import time
import zlib
from array import array
from collections.abc import Iterator, Mapping
from pathlib import Path

import apsw
import attrs

from intentls.undo.bounds import DEFAULT_BOUNDS, Bounds, Budget, NotSnapshotted, read_regular
from intentls.undo.eligible import Eligibility, info_exclude
from intentls.undo.gitindex import GIT_REF, NOTHING, Entries, GitIndex, Repository, blob_id
from intentls.undo.index import Entry, FolderIndex, Known, known_state, st_mode
from intentls.undo.inotify import Dirty, Watch
from intentls.undo.store import UNSTORED, BlobStore, State

REFUSED_FOR_S = 300.0
"""How long a folder found past the bounds is refused without another try."""

SAVE_BATCH = 500
"""Index rows written per call: one call over a first scan's 100k rows would keep the GIL
(and so the event loop) for a large part of a second."""

RACY_NS = 10_000_000
"""10 ms: more than the coarsest kernel timestamp tick (jiffies at HZ=100)."""

REBASE_ROWS = 5000
"""A folder's baseline is made again once its index has more rows than this and twice as
many as when it was last made."""

GONE = "gone"
"""The kind of an `entries` row saying a baseline path is no longer in the tree."""

KNOWN = "known"
"""`_Scan.saved`: the path is now in the baseline about to be written (its row goes)."""

Tree = Mapping[str, State]
"""Path relative to the folder ("/"-separated) → its state; absent paths are not in it."""

Delta = tuple[State | None, State | None]
"""A path's state at the previous scan and now (None: absent)."""


@attrs.frozen
class ScanReport:
    tree: FolderIndex
    """The folder as of this scan: live, the next scan of the folder changes it."""
    changes: dict[str, Delta]
    """Paths whose state changed since the previous scan of the folder in this process."""
    read: int
    """Files whose content was read (stat changed, racy, or new, and not git's blob)."""
    too_big: list[str]
    """Changed files larger than `max_file_bytes`: their content is not stored."""
    walked: bool
    """Every eligible path was looked at (no watcher, or it could not say what changed)."""


@attrs.frozen
class Rules:
    """The settings a folder was last scanned with (what the CLI uses for the same folder)."""

    exclude: tuple[str, ...]
    max_file_bytes: int


class _Folder:
    """What this process keeps of one folder between scans."""

    def __init__(self, root: Path, index: FolderIndex, rules: Rules) -> None:
        self.root = root
        self.index = index
        self.rules = rules
        self.eligibility = Eligibility(root, list(rules.exclude))
        self.watch: Watch | None = None
        self.walked = False
        """Walked whole in this process (so its watches cover every eligible directory)."""
        self.info_exclude = _stat_key(info_exclude(root))
        self.persisted: Rules | None = None
        """The rules last written to `scans` by this process."""
        self.generation = 0
        """How many scans in this process found a change (suggestions compare it)."""
        repo = Repository.find(root)
        self.git = GitIndex(repo) if repo is not None else None
        self.fresh = False
        """Never snapshotted before (by any process): the first scan has nothing to compare
        with, so it reports no changes."""
        self.based: set[str] | None = None
        """The paths of the persisted baseline (None: there is none yet, and a git work tree's
        next scan makes one)."""
        self.rows_at_base = 0
        """Rows of the index when the baseline was last made (or loaded)."""


class _Scan:
    """One scan's bookkeeping: what changed, what to persist."""

    def __init__(self, folder: _Folder, blobs: BlobStore, started: int, budget: Budget) -> None:
        self.folder = folder
        self.root = os.path.join(folder.root, "")  # noqa: PTH118
        """The folder's path with a trailing separator, to join relative paths to."""
        self.budget = budget
        self.index = folder.index
        self.blobs = blobs
        self.racy_from = started - RACY_NS
        self.changes: dict[str, Delta] = {}
        self.saved: dict[str, Entry | str | None] = {}
        """Rows to write: an entry, None (gone), or KNOWN (in the new baseline)."""
        self.read = 0
        self.too_big: list[str] = []
        self.watched: set[str] = set()
        """Directories watched during this scan's walks."""
        self._git: Entries | None = None
        self.git_named: list[str] = []
        """Paths this scan named by their git blob on the strength of their stat."""
        self.distrusted: set[str] = set()
        """Paths git may convert: read, never named by their blob on their stat alone."""
        rows = len(folder.index.entries)
        self.rebase = folder.git is not None and (
            folder.based is None or rows > max(REBASE_ROWS, 2 * folder.rows_at_base)
        )
        """This scan makes the folder's baseline: what git vouches for goes into it (the
        first time, or once rows naming blobs piled up: another branch checked out, …)."""

    def git(self) -> Entries:
        """The repository's index entries, read once per scan (when needed)."""
        if self._git is None:
            git = self.folder.git
            self._git = git.entries() if git is not None else NOTHING
        return self._git

    def _changed(self, rel: str, before: State | None, after: State | None) -> None:
        if self.folder.fresh:
            return
        if rel in self.changes:
            before = self.changes[rel][0]
        if before == after:
            self.changes.pop(rel, None)
        else:
            self.changes[rel] = (before, after)

    def visit(self, rel: str, st: os.stat_result, again: bool = False) -> None:
        """An eligible path as it is now (`again`: even when its stat did not change)."""
        self.budget.path()
        index = self.index
        old = index.entries.get(rel)
        known = None
        if old is not None:
            if not again and old.same_stat(st):
                return
        else:
            known = index.known.get(rel)
            if known is not None and not again:
                git = self._git if self._git is not None else self.git()
                if git.match(rel, st) == known[0] and st.st_mode & 0o7777 == known[1]:
                    return  # git's index still vouches for the same blob
        if (self.rebase or known is not None) and self._by_blob(rel, st, old, known):
            return
        before = old.state if old is not None else None
        if known is not None:
            before = known_state(known)
        if before is not None and before.kind == "dir" and not stat.S_ISDIR(st.st_mode):
            self.remove_below(rel)
        state = self._state(rel, st)
        if state is None:
            self.remove(rel)
            return
        if not state.restorable:
            self.too_big.append(rel)
        racy = max(st.st_mtime_ns, st.st_ctime_ns) >= self.racy_from
        entry = Entry(
            state, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode, racy
        )
        index.put(rel, entry)
        self.saved[rel] = entry
        self._changed(rel, before, state)

    def _by_blob(
        self, rel: str, st: os.stat_result, old: Entry | None, known: Known | None
    ) -> bool:
        """Know a file by its blob, without a row, when git's index vouches for it (a regular
        file: `match` compares the file type) and the baseline has it so or is being made."""
        if st.st_size > self.folder.rules.max_file_bytes or rel in self.distrusted:
            return False
        oid = self.git().match(rel, st)
        if oid is None:
            return False
        mode = st.st_mode & 0o7777
        if known is not None and not self.rebase and (known[0] != oid or known[1] != mode):
            return False  # not as the baseline has it: a row says so
        now: Known = (oid, mode, st.st_size)
        if old is not None and old.state.kind == "dir":
            self.remove_below(rel)
        self.index.put_known(rel, now)
        if old is not None:
            self.saved[rel] = KNOWN
        self.git_named.append(rel)
        if not self.folder.fresh:
            before = old.state if old is not None else None
            self._changed(
                rel, known_state(known) if known is not None else before, known_state(now)
            )
        return True

    def adopt_rows(self) -> None:
        """Before a new baseline is written: the rows naming a git blob (not racy) go into it
        (their state is exactly what a known file's is; git's index vouches for them when
        they are next looked at)."""
        for rel, entry in list(self.index.entries.items()):
            state, hash_ = entry.state, entry.state.hash
            if state.kind != "file" or entry.racy or hash_ is None or not hash_.startswith(GIT_REF):
                continue
            self.index.put_known(
                rel, (bytes.fromhex(hash_[len(GIT_REF) :]), state.mode, entry.size)
            )
            self.saved[rel] = KNOWN

    def remove(self, rel: str) -> None:
        """`rel` and everything below it are gone (or no longer eligible)."""
        self.remove_below(rel)
        self._drop(rel)

    def remove_below(self, rel: str) -> None:
        for below in reversed(list(self.index.below(rel))):
            self._drop(below)

    def _drop(self, rel: str) -> None:
        old = self.index.pop(rel)
        if old is not None:
            self.saved[rel] = None
            self._changed(rel, old, None)

    def _state(self, rel: str, st: os.stat_result) -> State | None:
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            return State("dir", mode)
        full = self.root + rel
        if stat.S_ISLNK(st.st_mode):
            try:
                return State("link", mode, None, os.readlink(full))  # noqa: PTH115
            except OSError:
                return None
        limit = self.folder.rules.max_file_bytes
        if st.st_size > limit:
            return State("file", mode, f"{UNSTORED}{st.st_size}:{st.st_mtime_ns}", None, st.st_size)
        git = self.git()
        oid = git.match(rel, st) if rel not in self.distrusted else None
        if oid is not None:
            self.git_named.append(rel)
            return State("file", mode, GIT_REF + oid.hex(), None, st.st_size)
        try:
            data = read_regular(full, st, limit)
        except OSError:
            return None
        self.budget.content(len(data))
        self.read += 1
        if len(data) > limit:
            return State("file", mode, f"{UNSTORED}{len(data)}:{st.st_mtime_ns}", None, len(data))
        known_oid = git.oid(rel)
        if known_oid is not None and blob_id(data, len(known_oid)) == known_oid:
            # the index's blob (e.g. rewritten with the same bytes): git keeps it
            return State("file", mode, GIT_REF + known_oid, None, len(data))
        return State("file", mode, self.blobs.put(data), None, len(data))

    def check_conversions(self) -> None:
        """Read again the files named by their blob that git may convert (filters, end of
        line, …): their bytes need not be the blob's. Asked once per scan, of the few paths it
        named (all of them on a first scan)."""
        git = self.folder.git
        if not self.git_named or git is None:
            return
        # an untracked .gitattributes has a row; a tracked one is in git's index (`converted`)
        tree_attributes = any(
            rel == ".gitattributes" or rel.endswith("/.gitattributes") for rel in self.index.entries
        )
        converted = git.converted(self.git_named, tree_attributes)
        again = self.git_named if converted is None else sorted(converted)
        self.distrusted.update(again)
        for rel in again:
            st = _lstat(os.path.join(self.folder.root, rel))  # noqa: PTH118
            if st is not None:
                self.visit(rel, st, again=True)

    # ---- whole folder, subtrees, single paths ----------------------------------------------

    def walk_all(self) -> None:
        folder = self.folder
        folder.eligibility.forget("")
        watch = folder.watch
        before = set(watch.watched("")) if watch is not None else set()
        walk = folder.eligibility.walk("", self._on_dir)
        if folder.fresh and self.rebase:
            self._first_walk(walk)
        else:
            seen = self._walk_known(walk)
            for rel in [p for p in self.index if p not in seen]:
                self._drop(rel)
        if watch is not None:
            watch.drop(sorted(before - self.watched))
        folder.walked = True

    def _first_walk(self, walk: Iterator[tuple[str, os.stat_result]]) -> None:
        """A folder's first snapshot ever in a git work tree: the index is empty, nothing is
        compared or reported; what git vouches for goes straight into the baseline (`visit`'s
        `_by_blob`, inlined: this loop runs once per file of the tree)."""
        self.index.reset_children()
        known = self.index.known
        match, named, count = self.git().match, self.git_named.append, self.budget.path
        limit = self.folder.rules.max_file_bytes
        for rel, st in walk:
            oid = match(rel, st) if st.st_size <= limit else None
            if oid is None:
                self.visit(rel, st)
                continue
            count()
            known[rel] = (oid, st.st_mode & 0o7777, st.st_size)
            named(rel)

    def _walk_known(self, walk: Iterator[tuple[str, os.stat_result]]) -> set[str]:
        """Visit every path walked; those the folder knows by their blob and git's index
        still vouches for (most of a work tree) are settled here (`visit`, inlined: this loop
        runs once per file of the tree). Returns the paths seen."""
        seen: set[str] = set()
        visit, see, count = self.visit, seen.add, self.budget.path
        known = self.index.known
        if not known:
            for rel, st in walk:
                visit(rel, st)
                see(rel)
            return seen
        match = self.git().match
        for rel, st in walk:
            see(rel)
            was = known.get(rel)
            if was is not None and match(rel, st) == was[0] and st.st_mode & 0o7777 == was[1]:
                count()
                continue
            visit(rel, st)
        return seen

    def walk_tree(self, rel: str, st: os.stat_result) -> None:
        """A directory made, moved in or with new ignore rules: walk it whole."""
        folder = self.folder
        old_below = set(self.index.below(rel))
        before = set(folder.watch.watched(rel)) if folder.watch is not None else set()
        self.visit(rel, st)
        folder.eligibility.forget(rel)
        seen: set[str] = set()
        for path, path_st in folder.eligibility.walk(rel, self._on_dir):
            self.visit(path, path_st)
            seen.add(path)
        for path in sorted(old_below - seen, key=lambda p: -p.count("/")):
            self._drop(path)
        if folder.watch is not None:
            folder.watch.drop(sorted(before - self.watched))

    def _on_dir(self, prefix: str) -> None:
        if self.folder.watch is not None:
            self.folder.watch.add(prefix)
            self.watched.add(prefix.rstrip("/"))

    def apply(self, dirty: Dirty) -> bool:
        """Look again at what the watcher reported; False if only a whole walk will do."""
        folder = self.folder
        present: list[tuple[str, os.stat_result]] = []
        not_dirs: set[str] = set()
        """Reported paths that are no directory now: nothing is below them (a path below a
        directory a run replaced by a link is not looked up through the link)."""
        for rel in sorted((dirty.paths | dirty.trees) - {""}):  # a directory before its paths
            full = os.path.join(folder.root, rel)  # noqa: PTH118
            st = None if _below_any(rel, not_dirs) else _lstat(full)
            if st is None or not stat.S_ISDIR(st.st_mode):
                not_dirs.add(rel)
            eligible = folder.eligibility.eligible(rel, st) if st is not None else False
            if eligible is None:
                return False
            if st is None or not eligible:
                old = self.index.entries.get(rel)
                self.remove(rel)
                if old is not None and old.state.kind == "dir":  # only directories hold rules
                    folder.eligibility.forget(rel)  # and watches
                    if folder.watch is not None:
                        folder.watch.drop(folder.watch.watched(rel))
            else:
                present.append((rel, st))
        if "" in dirty.trees:
            return False
        walked: list[str] = []
        for rel, st in sorted(present, key=lambda p: p[0].count("/")):
            if any(rel.startswith(w + "/") for w in walked):
                continue
            old = self.index.entries.get(rel)
            if stat.S_ISDIR(st.st_mode) and (
                rel in dirty.trees or old is None or old.state.kind != "dir" or old.ino != st.st_ino
            ):
                self.walk_tree(rel, st)
                walked.append(rel)
            else:
                self.visit(rel, st)
        return True


class Snapshots:
    """The index of every folder this process has scanned, over one connection."""

    def __init__(
        self,
        conn: apsw.Connection,
        blobs: BlobStore,
        watch: bool = True,
        bounds: Bounds = DEFAULT_BOUNDS,
    ) -> None:
        self._conn = conn
        self.bounds = bounds
        self._refused: dict[str, tuple[float, str]] = {}
        """Folders past the bounds lately (monotonic time, why): refused again at once, so
        every run there does not pay for a scan that cannot succeed."""
        self._blobs = blobs
        self._folders: dict[str, _Folder] = {}
        self._watch = watch
        self.clock = time.time_ns
        """When a scan starts (tests move it forward instead of waiting out the racy window)."""

    def close(self) -> None:
        for folder in self._folders.values():
            if folder.watch is not None:
                folder.watch.close()
        self._folders.clear()

    def _load(self, root: Path, rules: Rules) -> _Folder:
        key = os.fspath(root)
        folder = self._folders.get(key)
        if folder is not None:
            if folder.rules != rules:
                folder.rules = rules
                folder.eligibility = Eligibility(root, list(rules.exclude))
                folder.walked = False
            return folder
        entries: dict[str, Entry] = {}
        rowed: set[str] = set()
        for row in self._conn.execute(
            "SELECT path, kind, mode, hash, target, size, mtime_ns, ctime_ns, ino, racy "
            "FROM entries WHERE folder = ?",
            (key,),
        ):
            path, kind, mode, hash_, target, size, mtime, ctime, ino, racy = row
            rowed.add(str(path))
            if kind == GONE:
                continue
            entries[str(path)] = Entry(
                State(str(kind), int(mode), hash_, target, int(size)),
                int(size),
                int(mtime),
                int(ctime),
                int(ino),
                st_mode(str(kind), int(mode)),
                bool(racy),
            )
        based = _load_baseline(self._conn, key)
        known = dict(based) if based is not None else {}
        for path in rowed:
            known.pop(path, None)
        folder = _Folder(root, FolderIndex(entries, known), rules)
        folder.based = set(based) if based is not None else None
        folder.rows_at_base = len(entries)
        folder.fresh = (
            not entries
            and based is None
            and self._conn.execute("SELECT 1 FROM scans WHERE folder = ?", (key,)).fetchone()
            is None
        )
        if folder.git is not None:
            self._blobs.repositories.add(folder.git.repo.top)
        folder.watch = Watch.open(root) if self._watch else None
        self._folders[key] = folder
        return folder

    def scan(self, root: Path, exclude: list[str], max_file_bytes: int) -> ScanReport:
        """The folder's tree now; updates the index and stores new content (one transaction).
        NotSnapshotted when the folder is a pseudo filesystem or past `bounds`: nothing of the
        scan is kept, and the folder is known again only by what was persisted before."""
        rules = Rules(tuple(exclude), max_file_bytes)
        folder = self._load(root, rules)
        key = os.fspath(root)
        refused = self._refused.get(key)
        if refused is not None and time.monotonic() - refused[0] < REFUSED_FOR_S:
            raise NotSnapshotted(refused[1])
        try:
            return self._scan(folder)
        except NotSnapshotted as exc:
            self.forget(root)
            self._refused[key] = (time.monotonic(), exc.reason)
            raise
        except BaseException:
            self.forget(root)  # the index in memory went past what was rolled back
            raise

    def _scan(self, folder: _Folder) -> ScanReport:
        root = folder.root
        root_st = _lstat(os.fspath(root))
        if root_st is not None and root_st.st_dev in folder.eligibility.pseudo:
            raise NotSnapshotted(f"{root} is a pseudo filesystem")
        scan = _Scan(folder, self._blobs, self.clock(), Budget(self.bounds))
        info = _stat_key(info_exclude(root))
        watch = folder.watch
        walked = False
        with self._conn:
            dirty = watch.drain() if watch is not None and not watch.broken else None
            if (
                dirty is None
                or dirty.full
                or not folder.walked
                or info != folder.info_exclude
                or not scan.apply(dirty)
            ):
                folder.info_exclude = info
                scan.walk_all()
                walked = True
            scan.check_conversions()
            if scan.rebase:
                scan.adopt_rows()
            self._save(folder, scan)
        folder.fresh = False
        if scan.changes:
            folder.generation += 1
        if watch is not None and watch.broken:
            watch.close()
            folder.watch = None
        return ScanReport(folder.index, scan.changes, scan.read, scan.too_big, walked)

    def generation(self, root: Path) -> int | None:
        """A number that grows whenever the folder's files change, as far as this process
        can tell without a scan: the scans that found changes, plus one while the watcher
        holds events no scan has read yet. None: unknown (never scanned here, or unwatched).
        Cheap and safe from any thread: it reads two attributes and polls a descriptor."""
        folder = self._folders.get(os.fspath(root))
        if folder is None or folder.watch is None or not folder.walked:
            return None
        return folder.generation + folder.watch.pending()

    def held(self) -> set[str]:
        """Every content hash this process's indexes name: the before-state of its next runs,
        whatever another process sharing the file has indexed since."""
        return {
            e.state.hash
            for folder in self._folders.values()
            for e in folder.index.entries.values()
            if e.state.hash is not None
        }

    def rules(self, root: Path) -> Rules | None:
        """The settings `root` was last scanned with, by any process."""
        row = self._conn.execute(
            "SELECT exclude, max_file_bytes FROM scans WHERE folder = ?", (os.fspath(root),)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return Rules(tuple(json.loads(str(row[0]))), int(row[1]))

    def forget(self, root: Path) -> None:
        """Drop the in-memory index (the next scan reloads the persisted one)."""
        folder = self._folders.pop(os.fspath(root), None)
        if folder is not None and folder.watch is not None:
            folder.watch.close()

    def _save(self, folder: _Folder, scan: _Scan) -> None:
        key = os.fspath(folder.root)
        based = folder.based if not scan.rebase else None
        gone = [(key, p) for p, e in scan.saved.items() if e is None and based and p in based]
        dropped = [(key, p) for p, e in scan.saved.items() if e == KNOWN or e is None]
        if dropped:
            self._conn.executemany("DELETE FROM entries WHERE folder = ? AND path = ?", dropped)
        changed = [
            (
                key,
                p,
                e.state.kind,
                e.state.mode,
                e.state.hash,
                e.state.target,
                e.size,
                e.mtime_ns,
                e.ctime_ns,
                e.ino,
                int(e.racy),
            )
            for p, e in scan.saved.items()
            if isinstance(e, Entry)
        ]
        changed += [(key, p, GONE, 0, None, None, 0, 0, 0, 0, 0) for _, p in gone]
        for at in range(0, len(changed), SAVE_BATCH):
            self._conn.executemany(
                "INSERT OR REPLACE INTO entries(folder, path, kind, mode, hash, target, size, "
                "mtime_ns, ctime_ns, ino, racy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                changed[at : at + SAVE_BATCH],
            )
        if scan.rebase:
            self._conn.execute("DELETE FROM entries WHERE folder = ? AND kind = ?", (key, GONE))
            _save_baseline(self._conn, key, folder.index.known)
            folder.based = set(folder.index.known)
            folder.rows_at_base = len(folder.index.entries)
        rules = folder.rules
        if folder.persisted != rules:
            folder.persisted = rules
            self._conn.execute(
                "INSERT OR REPLACE INTO scans(folder, started_ns, exclude, max_file_bytes) "
                "VALUES (?, ?, ?, ?)",
                (key, time.time_ns(), json.dumps(rules.exclude), rules.max_file_bytes),
            )


def _save_baseline(conn: apsw.Connection, folder: str, known: dict[str, Known]) -> None:
    """The files known by their blob, as one row: paths (NUL-separated), blob ids, modes and
    sizes, each compressed but the ids (random bytes)."""
    values = known.values()
    oids = b"".join(k[0] for k in values)
    conn.execute(
        "INSERT OR REPLACE INTO baselines(folder, oid_len, paths, oids, modes, sizes) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            folder,
            len(oids) // len(known) if known else 20,
            zlib.compress("\0".join(known).encode("utf-8", "surrogateescape"), 1),
            oids,
            zlib.compress(array("H", [k[1] for k in values]).tobytes(), 1),
            zlib.compress(array("Q", [k[2] for k in values]).tobytes(), 1),
        ),
    )


def _load_baseline(conn: apsw.Connection, folder: str) -> dict[str, Known] | None:
    row = conn.execute(
        "SELECT oid_len, paths, oids, modes, sizes FROM baselines WHERE folder = ?", (folder,)
    ).fetchone()
    if row is None:
        return None
    oid_len, paths, oids, modes_z, sizes_z = row
    text = zlib.decompress(bytes(paths)).decode("utf-8", "surrogateescape")
    names = text.split("\0") if text else []
    modes, sizes = array("H"), array("Q")
    modes.frombytes(zlib.decompress(bytes(modes_z)))
    sizes.frombytes(zlib.decompress(bytes(sizes_z)))
    ids = bytes(oids)
    step = int(oid_len)
    blobs = [ids[at : at + step] for at in range(0, len(ids), step)]
    return dict(zip(names, zip(blobs, modes, sizes, strict=True), strict=True))


def _below_any(rel: str, dirs: set[str]) -> bool:
    """Whether a directory above `rel` is one of `dirs`."""
    parent = rel.rpartition("/")[0]
    while parent:
        if parent in dirs:
            return True
        parent = parent.rpartition("/")[0]
    return False


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _stat_key(path: str) -> tuple[int, int, int] | None:
    st = _lstat(path)
    return None if st is None else (st.st_ino, st.st_size, st.st_mtime_ns)


def diff(before: Tree, after: Tree) -> list[str]:
    """Paths whose state differs, sorted."""
    changed = [p for p, s in after.items() if before.get(p) != s]
    changed += [p for p in before if p not in after]
    return sorted(changed)
