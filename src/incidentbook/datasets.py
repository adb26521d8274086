"""Datasets as sources: a CSV file read where it lies, cited row by row.

A dataset source's evidence names a row (`locator: row N`, N counting data rows from 1, the
header not counted) and quotes it as 'column: value' pairs; the build checks that the quote
occurs in that row of the file, and that the file is the one imported (its SHA-256).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from .problems import Problem, ProblemsFound

ROW_LOCATOR = re.compile(r"^row (\d+)$")


def row_text(header: list[str], values: list[str]) -> str:
    """The text a dataset row is quoted from: 'column: value; column: value; ...'."""
    return "; ".join(f"{name}: {value}" for name, value in zip(header, values))


def cell_quote(column: str, value: str) -> str:
    return f"{column}: {value}"


def locator(row: int) -> str:
    return f"row {row}"


def row_number(locator_text: str | None) -> int | None:
    match = ROW_LOCATOR.match(locator_text or "")
    return int(match.group(1)) if match else None


def read_rows(path: Path, encoding: str) -> tuple[bytes, list[str], list[list[str]]]:
    """(raw bytes, header, data rows) of a CSV file."""
    raw = path.read_bytes()
    text = raw.decode(encoding)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    return raw, header, list(reader)


def dataset_path(root: Path, seed: str) -> Path:
    path = Path(seed)
    return path if path.is_absolute() else (root / path).resolve()


def read_dataset(root: Path, seed: str, encoding: str, sha256: str | None, display: str) -> tuple[str, list[str]]:
    """(SHA-256, row texts) of a dataset source. Raises ProblemsFound naming the source file and field."""
    path = dataset_path(root, seed)
    if not path.is_file():
        raise ProblemsFound([Problem(display, None, "seed", f"dataset file {path} not found; the path is relative to the publication's folder")])
    try:
        raw, header, rows = read_rows(path, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ProblemsFound([Problem(display, None, "encoding", f"cannot read {path} as {encoding}: {exc}")]) from None
    digest = hashlib.sha256(raw).hexdigest()
    if sha256 and digest != sha256:
        raise ProblemsFound([Problem(display, None, "sha256", f"{path} has changed since it was imported (SHA-256 {digest}, expected {sha256}); re-import it or check the file")])
    return digest, [row_text(header, values) for values in rows]
