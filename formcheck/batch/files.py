"""What a clinic's folder holds: the recordings to analyse, whose each one is, and what is refused."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

VIDEO_EXTENSIONS = (".mp4", ".mov", ".mkv", ".webm", ".avi")
# Pictures are what people most often drop into a folder of recordings by mistake: said, not skipped.
PICTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".gif", ".bmp", ".tif", ".tiff", ".webp")
PICTURE_REASON = (
    "A picture, not a recording: formcheck analyses videos (" + ", ".join(VIDEO_EXTENSIONS) + ")."
)
NO_PATIENT_REASON = "Not in a patient's folder: put it in a folder named for the patient, or give --patient."
HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FolderEntry:
    """A file of the folder: a recording to analyse (``reason`` None) or one refused and why."""

    path: Path
    relative: str  # as shown in the summary: the path under the folder, with '/'
    patient: str | None
    size_bytes: int
    reason: str | None = None


def scan_folder(folder: Path, patient: str | None = None, skip: Path | None = None) -> list[FolderEntry]:
    """Every recording under ``folder`` (extensions in any case), in name order, and every picture
    (refused with a sentence). Other files, hidden files and folders, and ``skip`` (the output folder,
    when it lies inside) are left alone. A recording belongs to ``patient`` if given, else to the
    first sub-folder it lies in."""
    folder = Path(folder)
    skip_resolved = skip.resolve() if skip is not None else None
    out: list[FolderEntry] = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved)
        for name in sorted(names):
            if name.startswith("."):
                continue  # hidden files, macOS '._' shadows of videos among them
            path = here / name
            suffix = path.suffix.lower()
            if suffix not in VIDEO_EXTENSIONS and suffix not in PICTURE_EXTENSIONS:
                continue
            rel = path.relative_to(folder)
            owner = patient or (rel.parts[0] if len(rel.parts) > 1 else None)
            try:
                size = path.stat().st_size
            except OSError:
                continue  # vanished or a broken link: nothing to analyse
            reason = PICTURE_REASON if suffix in PICTURE_EXTENSIONS else None
            if reason is None and owner is None:
                reason = NO_PATIENT_REASON
            out.append(FolderEntry(path, rel.as_posix(), owner, size, reason))
    return out


def content_hash(path: Path) -> str:
    """sha256 of the file's bytes: the same recording under another name or folder is the same work."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
