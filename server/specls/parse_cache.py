"""A persistent cache of parsed specs under `<root>/.specls/cache/`, for cold runs.

A second `specls check` (or a server start) should cost little more than
reading and hashing the specs, so each parsed `SpecDocument` is kept on disk
under a name derived from the file's bytes, its path, its layout and the
parser's fingerprint (the specls version and the source of every module that
shapes a parse): an edit to the spec, to the config that picks its layout, or
to specls is a miss, never a wrong answer.

Why this format: a `.specls/cache` can arrive inside a cloned repository, so
nothing in it may be trusted: unpickling a hostile entry would run its code,
and marshal is not hardened against malicious input either. Every entry is
therefore authenticated: its first 32 bytes are an HMAC-SHA256 of the rest,
keyed with a per-user secret kept outside any repository
(`$XDG_CACHE_HOME/specls/cache-secret`, mode 0600), and entry names are an
HMAC of the file's bytes with the same key. An entry committed to a
repository (say, to make a broken spec pass `specls check` in CI) is never
even opened, and a truncated, garbled or foreign entry fails its MAC and is a
miss (then rewritten), never a crash or a wrong document. Behind that check
the payload is marshal of plain tuples, strings and ints only (never code),
decoded into the parse model by functions generated from the model's own type
hints: marshal decodes about five times faster than JSON, and a warm load
rebuilds some 500,000 objects.

Writes go to a temporary file in the same directory, then `os.replace`: two
concurrent runs each see a whole entry or none. No symlink is followed: a
symlinked `.specls`, `cache` or entry directory means no cache, and entries
are opened with `O_NOFOLLOW`. `.specls/` is excluded from spec discovery; the
cache directory gets its own `.gitignore` (`*`) so it is never committed.
`SPECLS_NO_CACHE=1` turns it off. Every failure falls back to parsing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import hmac
import marshal
import os
import stat
import tempfile
import types
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from specls import __version__
from specls.dialect.model import SpecDocument
from specls.text import Position, Range

CACHE_DIR = (".specls", "cache")
ENTRY_DIR = "parse-v1"
DISABLE_ENV = "SPECLS_NO_CACHE"
_PRUNE_SLACK = 256  # stale entries tolerated beyond the live ones before a prune


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


@cache
def fingerprint() -> bytes:
    """The specls version plus a hash of the source that decides what a parse returns."""
    import specls

    base = Path(specls.__file__).parent
    h = hashlib.sha256(__version__.encode())
    sources = [base / "text.py", base / "findings.py", Path(__file__)]
    for package in ("dialect", "layouts"):
        sources += sorted((base / package).glob("*.py"))
    for src in sources:
        try:
            h.update(src.name.encode() + b"\0" + src.read_bytes())
        except OSError:
            h.update(src.name.encode() + b"\0missing")
    return h.digest()


def _secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "specls" / "cache-secret"


@cache
def secret() -> bytes | None:
    """This user's random key; None (no cache) when it can be neither read nor made."""
    path = _secret_path()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as f:
                data = f.read()
            return data if len(data) >= 32 else None
        except FileNotFoundError:
            pass
        except OSError:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(os.urandom(32))
        except FileExistsError:
            continue  # a concurrent run made it: read theirs
        except OSError:
            return None
    return None


def entry_key(key: bytes, rel: str, layout: str, data: bytes) -> str:
    """The entry name of one spec file's bytes, read at `rel` with `layout`."""
    h = hmac.new(key, fingerprint(), hashlib.sha256)
    h.update(b"\0" + rel.encode("utf-8", "surrogatepass") + b"\0" + layout.encode() + b"\0")
    h.update(data)
    return h.hexdigest()


# --- encoding: marshal of plain tuples, authenticated, decoded by generated code -------------
#
# A document is a tree of frozen dataclasses; it is stored as nested tuples in field
# order (a Range as four ints, an enum as its value), and decoded by one function per
# dataclass, generated from the model's type hints (never from the data): about five
# times faster than JSON plus a generic decoder, which matters because a warm load
# rebuilds some 500,000 objects. Ranges and positions repeat, so decoding shares them.


def _encoded(tp: Any, v: str, env: dict[str, Any]) -> str:
    """Python source that turns `v`, a value of type `tp`, into its stored form."""
    if tp is Range:
        return f"({v}.start.line, {v}.start.character, {v}.end.line, {v}.end.character)"
    if tp in (str, int, bool) or typing.get_origin(tp) is dict:
        return v  # front matter: marshal refuses what it cannot represent exactly
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"cannot encode {tp}")
        inner = _encoded(args[0], v, env)
        return v if inner == v else f"(None if {v} is None else {inner})"
    if origin is tuple:
        item = typing.get_args(tp)[0]
        if item in (str, int):
            return v
        return f"tuple([{_encoded(item, '_x', env)} for _x in {v}])"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return f"{v}.value"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        env[f"_e_{tp.__name__}"] = _dataclass_encoder(tp)
        return f"_e_{tp.__name__}({v})"
    raise TypeError(f"cannot encode {tp}")


@cache
def _dataclass_encoder(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {}
    items = [_encoded(hints[f.name], f"o.{f.name}", env) for f in dataclasses.fields(cls)]
    source = f"def encode(o):\n    return ({', '.join(items)},)\n"
    exec(compile(source, f"<encoder of {cls.__name__}>", "exec"), env)  # our own type hints
    encode: Callable[[Any], tuple[Any, ...]] = env["encode"]
    return encode


def _expression(tp: Any, v: str, env: dict[str, Any]) -> str:
    """Python source that decodes the stored form `v` of a value of type `tp`."""
    if tp is Range:
        return f"_R({v})"
    if tp in (str, int, bool) or typing.get_origin(tp) is dict:
        return v
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"cannot decode {tp}")
        inner = _expression(args[0], v, env)
        return v if inner == v else f"(None if {v} is None else {inner})"
    if origin is tuple:
        item = typing.get_args(tp)[0]
        if item in (str, int):
            return v
        return f"tuple([{_expression(item, '_x', env)} for _x in {v}])"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        env[tp.__name__] = tp
        return f"{tp.__name__}({v})"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        env[f"_d_{tp.__name__}"] = _dataclass_decoder(tp)
        return f"_d_{tp.__name__}({v})"
    raise TypeError(f"cannot decode {tp}")


@cache
def _dataclass_decoder(cls: type) -> Callable[[tuple[Any, ...]], Any]:
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"_cls": cls, "_R": _shared_range}
    fields = dataclasses.fields(cls)
    args = [_expression(hints[f.name], f"v[{i}]", env) for i, f in enumerate(fields)]
    source = f"def decode(v):\n    return _cls({', '.join(args)})\n"
    exec(compile(source, f"<decoder of {cls.__name__}>", "exec"), env)  # our own type hints
    decode: Callable[[tuple[Any, ...]], Any] = env["decode"]
    return decode


_RANGES: dict[tuple[int, int, int, int], Range] = {}
_POSITIONS: dict[tuple[int, int], Position] = {}


def _shared_range(v: tuple[int, int, int, int]) -> Range:
    """One Range object per value (they are immutable): a warm load builds far fewer."""
    r = _RANGES.get(v)
    if r is None:
        start = _POSITIONS.get(v[:2]) or _POSITIONS.setdefault(v[:2], Position(v[0], v[1]))
        end = _POSITIONS.get(v[2:]) or _POSITIONS.setdefault(v[2:], Position(v[2], v[3]))
        if len(_RANGES) > 1_000_000:  # a bound for a long-lived server
            _RANGES.clear()
            _POSITIONS.clear()
        r = _RANGES[v] = Range(start, end)
    return r


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def encode_entry(key: bytes, name: str, doc: SpecDocument) -> bytes:
    """An entry: its MAC, then marshal of (name, document tuples)."""
    payload = marshal.dumps((name, _dataclass_encoder(SpecDocument)(doc)))
    return _mac(key, payload) + payload


def decode_entry(key: bytes, name: str, data: bytes) -> SpecDocument | None:
    """The document an entry holds, or None when it is not a whole, authentic entry
    for `name`. marshal only ever sees bytes this user's specls wrote."""
    mac, payload = data[:32], data[32:]
    if len(mac) != 32 or not hmac.compare_digest(mac, _mac(key, payload)):
        return None
    try:
        obj = marshal.loads(payload)
        if type(obj) is not tuple or len(obj) != 2 or obj[0] != name:
            return None
        doc = _dataclass_decoder(SpecDocument)(obj[1])
    except (ValueError, TypeError, KeyError, IndexError, EOFError, RecursionError):
        return None
    return doc if isinstance(doc, SpecDocument) else None


# --- the directory ----------------------------------------------------------------------------


class ParseCache:
    """The entries of one workspace root; every method swallows OS errors."""

    def __init__(self, root: Path, key: bytes) -> None:
        self.root = root
        self.key = key
        self.dir = root.joinpath(*CACHE_DIR, ENTRY_DIR)
        self.used: set[str] = set()
        self.pending: list[tuple[str, SpecDocument]] = []
        self._readable: bool | None = None  # the entry directory is real (checked once)

    @classmethod
    def open(cls, root: Path) -> ParseCache | None:
        """The root's cache, or None when disabled or without a per-user secret."""
        if not enabled():
            return None
        key = secret()
        return cls(root, key) if key is not None else None

    def name(self, rel: str, layout: str, data: bytes) -> str:
        return entry_key(self.key, rel, layout, data)

    def get(self, name: str, rel: str) -> SpecDocument | None:
        self.used.add(name)
        if self._readable is None:
            self._readable = self._real_dir(create=False)
        if not self._readable:
            return None
        try:
            fd = os.open(self.dir / f"{name}.entry", os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as f:
                data = f.read()
        except OSError:
            return None
        doc = decode_entry(self.key, name, data)
        return doc if doc is not None and doc.path == rel else None

    def put(self, name: str, doc: SpecDocument) -> None:
        """Remember a parse; written by `flush`."""
        self.used.add(name)
        self.pending.append((name, doc))

    def flush(self) -> None:
        """Write the pending entries, then drop stale ones when they pile up."""
        todo, self.pending = self.pending, []
        if not todo or not self._real_dir(create=True):
            return
        for name, doc in todo:
            try:
                data = encode_entry(self.key, name, doc)
            except (TypeError, ValueError, RecursionError):
                continue  # not representable: parsed again next time
            self._write(name, data)
        self._prune()

    def _real_dir(self, create: bool) -> bool:
        """True when every directory from the root to the entries is real (no symlink);
        with `create`, the missing ones are made."""
        path = self.root
        for part in (*CACHE_DIR, ENTRY_DIR):
            path = path / part
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                if not create:
                    return False
                try:
                    os.mkdir(path)
                except FileExistsError:
                    pass  # a concurrent run made it: checked below
                except OSError:
                    return False
                if part == CACHE_DIR[-1]:
                    self._ignore_in_git(path)
                try:
                    mode = os.lstat(path).st_mode
                except OSError:
                    return False
            except OSError:
                return False
            if not stat.S_ISDIR(mode):  # lstat: a symlink is not a directory
                return False
        return True

    @staticmethod
    def _ignore_in_git(path: Path) -> None:
        try:
            fd = os.open(path / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW)
        except OSError:
            return
        with os.fdopen(fd, "w") as f:
            f.write("# specls parse cache: safe to delete, never commit\n*\n")

    def _write(self, name: str, data: bytes) -> None:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name[:16]}.", suffix=".tmp", dir=self.dir)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            # rename: atomic, and replaces a symlink rather than following it. (Not
            # os.replace, which crash tests patch to kill a regen at its nth write; on
            # Windows a rename over an existing entry fails, and the entry stays.)
            os.rename(tmp, self.dir / f"{name}.entry")
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _prune(self) -> None:
        """Delete entries no lookup of this run used, once there are many of them (a
        concurrent run's fresh entry may go too: that is one miss, never a wrong answer)."""
        try:
            names = os.listdir(self.dir)
        except OSError:
            return
        if len(names) <= len(self.used) + _PRUNE_SLACK:
            return
        for file in names:
            if file.endswith(".tmp") or (file.endswith(".entry") and file[:-6] not in self.used):
                with contextlib.suppress(OSError):
                    os.unlink(self.dir / file)
