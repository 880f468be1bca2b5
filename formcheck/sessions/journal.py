"""The per-session append-only journal: the crash-safe record of everything a session produced.

Layout: the magic line ``FCJ1\\n``, then records ``<u32 length><u32 crc32><u8 kind><payload>``.
A record is written whole or, after a crash, cut short; a reader stops at the first short or
corrupt record, so a killed session is readable up to its last complete write.

Kinds: ``M`` session metadata (JSON), ``F`` a chunk of frames (binary arrays, see ``FrameChunk``),
``E`` a batch of events (JSON list), ``S`` the summary when the session closed (JSON), ``Z`` the end.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

MAGIC = b"FCJ1\n"
FORMAT_VERSION = 1  # the session header's "format": the newest this program reads and the one it writes
_HEAD = struct.Struct("<IIB")
MAX_RECORD_BYTES = 64 * 1024 * 1024
KINDS = {b"M"[0], b"F"[0], b"E"[0], b"S"[0], b"Z"[0]}
LANDMARKS = 33


class JournalError(Exception):
    """The journal cannot be read at all (not a journal, unreadable file)."""


@dataclass
class FrameChunk:
    """Frames in column arrays: timestamps, the driving signal, the named measurements and landmarks.

    ``xy`` (n, 33, 2) smoothed pixels, ``vis`` (n, 33), ``world`` (n, 33, 3) or None; float32 except time.
    ``video_index`` is the frame's number in the recorded video, -1 when no video frame was kept.
    """

    t_s: np.ndarray
    index: np.ndarray
    found: np.ndarray
    signal: np.ndarray
    measurements: np.ndarray  # (n, len(signal_names))
    xy: np.ndarray
    vis: np.ndarray
    world: np.ndarray | None
    video_index: np.ndarray
    signal_names: tuple[str, ...] = ()

    @classmethod
    def empty(cls, capacity: int, signal_names: tuple[str, ...]) -> FrameChunk:
        return cls(
            t_s=np.zeros(capacity, np.float64),
            index=np.zeros(capacity, np.int32),
            found=np.zeros(capacity, np.uint8),
            signal=np.full(capacity, np.nan, np.float32),
            measurements=np.full((capacity, len(signal_names)), np.nan, np.float32),
            xy=np.full((capacity, LANDMARKS, 2), np.nan, np.float32),
            vis=np.zeros((capacity, LANDMARKS), np.float32),
            world=None,
            video_index=np.full(capacity, -1, np.int32),
            signal_names=signal_names,
        )

    def __len__(self) -> int:
        return len(self.t_s)

    def head(self, n: int) -> FrameChunk:
        return FrameChunk(
            self.t_s[:n],
            self.index[:n],
            self.found[:n],
            self.signal[:n],
            self.measurements[:n],
            self.xy[:n],
            self.vis[:n],
            None if self.world is None else self.world[:n],
            self.video_index[:n],
            self.signal_names,
        )

    def encode(self) -> bytes:
        n = len(self.t_s)
        header = json.dumps(
            {"n": n, "signals": list(self.signal_names), "world": self.world is not None}
        ).encode()
        parts = [struct.pack("<I", len(header)), header]
        for arr in self._arrays():
            parts.append(np.ascontiguousarray(arr).tobytes())
        return b"".join(parts)

    def _arrays(self) -> list[np.ndarray]:
        arrays = [self.t_s, self.index, self.found, self.signal, self.measurements, self.xy, self.vis]
        if self.world is not None:
            arrays.append(self.world)
        arrays.append(self.video_index)
        return arrays

    @classmethod
    def decode(cls, payload: bytes) -> FrameChunk:
        (hlen,) = struct.unpack_from("<I", payload, 0)
        header = json.loads(payload[4 : 4 + hlen])
        n, names, has_world = int(header["n"]), tuple(header["signals"]), bool(header["world"])
        k = len(names)
        layout: list[tuple[str, Any, tuple[int, ...]]] = [
            ("t_s", np.float64, (n,)),
            ("index", np.int32, (n,)),
            ("found", np.uint8, (n,)),
            ("signal", np.float32, (n,)),
            ("measurements", np.float32, (n, k)),
            ("xy", np.float32, (n, LANDMARKS, 2)),
            ("vis", np.float32, (n, LANDMARKS)),
        ]
        if has_world:
            layout.append(("world", np.float32, (n, LANDMARKS, 3)))
        layout.append(("video_index", np.int32, (n,)))
        offset = 4 + hlen
        out: dict[str, Any] = {"world": None}
        for name, dtype, shape in layout:
            count = int(np.prod(shape))
            size = count * np.dtype(dtype).itemsize
            if offset + size > len(payload):
                raise ValueError("frame chunk is shorter than its header says")
            out[name] = np.frombuffer(payload, dtype, count, offset).reshape(shape).copy()
            offset += size
        return cls(signal_names=names, **out)

    @staticmethod
    def concat(chunks: list[FrameChunk], signal_names: tuple[str, ...]) -> FrameChunk:
        if not chunks:
            return FrameChunk.empty(0, signal_names)
        any_world = any(c.world is not None for c in chunks)
        worlds = None
        if any_world:
            worlds = np.concatenate(
                [
                    c.world if c.world is not None else np.full((len(c), LANDMARKS, 3), np.nan, np.float32)
                    for c in chunks
                ]
            )
        return FrameChunk(
            t_s=np.concatenate([c.t_s for c in chunks]),
            index=np.concatenate([c.index for c in chunks]),
            found=np.concatenate([c.found for c in chunks]),
            signal=np.concatenate([c.signal for c in chunks]),
            measurements=np.concatenate([c.measurements for c in chunks]),
            xy=np.concatenate([c.xy for c in chunks]),
            vis=np.concatenate([c.vis for c in chunks]),
            world=worlds,
            video_index=np.concatenate([c.video_index for c in chunks]),
            signal_names=signal_names,
        )


def encode_record(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return _HEAD.pack(len(payload), crc, kind[0]) + payload


def encode_json(kind: bytes, data: Any) -> bytes:
    return encode_record(kind, json.dumps(data, separators=(",", ":")).encode("utf-8"))


class JournalWriter:
    """Appends records to a journal file. Not thread-safe: one writer thread owns it.

    ``raw`` lets tests inject a file object (for example one that raises ENOSPC); by default the file
    is created with mode 0600.
    """

    def __init__(self, path: Path, raw: BinaryIO | None = None) -> None:
        self.path = path
        if raw is None:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            raw = os.fdopen(fd, "wb", buffering=0)
        self._f = raw
        self.bytes_written = 0
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = self._f.write(view)
            if n is None:  # a buffered file object wrote everything
                n = len(view)
            view = view[n:]
            self.bytes_written += n

    def append(self, record: bytes) -> None:
        self._write(record)

    def sync(self) -> None:
        self._f.flush()
        try:
            os.fsync(self._f.fileno())
        except (AttributeError, ValueError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno not in (None, 22):  # EINVAL: not syncable (pipe)
                raise

    def close(self) -> None:
        self._f.close()


@dataclass
class JournalContents:
    meta: dict[str, Any] = field(default_factory=dict)
    chunks: list[FrameChunk] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    ended: bool = False
    clean: bool = True  # False when the file ends in a cut-short or corrupt record
    good_bytes: int = 0


def iter_records(data: bytes) -> Iterator[tuple[int, bytes, int]]:
    """(kind, payload, end offset) for each intact record; stops silently at the first bad one."""
    if not data.startswith(MAGIC):
        raise JournalError("not a formcheck journal")
    pos = len(MAGIC)
    while pos + _HEAD.size <= len(data):
        length, crc, kind = _HEAD.unpack_from(data, pos)
        start = pos + _HEAD.size
        end = start + length
        if kind not in KINDS or length > MAX_RECORD_BYTES or end > len(data):
            return
        payload = data[start:end]
        if zlib.crc32(bytes([kind]) + payload) != crc:
            return
        yield kind, payload, end
        pos = end


def read_journal(path: Path) -> JournalContents:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JournalError(f"cannot read {path.name}: {exc.strerror}") from exc
    out = JournalContents(good_bytes=len(MAGIC))
    for kind, payload, end in iter_records(data):
        try:
            if kind == b"M"[0]:
                out.meta.update(json.loads(payload))
            elif kind == b"F"[0]:
                out.chunks.append(FrameChunk.decode(payload))
            elif kind == b"E"[0]:
                out.events.extend(json.loads(payload))
            elif kind == b"S"[0]:
                out.summary = json.loads(payload)
            elif kind == b"Z"[0]:
                out.ended = True
        except (ValueError, KeyError, TypeError, RecursionError):
            break
        out.good_bytes = end
    out.clean = out.good_bytes == len(data)
    return out
