"""`incidentbook import`: tabular incident data into ordinary records.

Built-in formats: `wikipedia` (the Wikipedia-derived list of terrorist incidents) and `pbc`
(Pakistan Body Count suicide attacks); any other CSV through a column-mapping file (`mapping`,
documented in README.md ("Importing datasets")).
"""

from __future__ import annotations

from pathlib import Path

from .records import DatasetInfo, ImportReport, import_rows

FORMATS = ("wikipedia", "pbc")


def import_dataset(root: Path, dataset: Path, fmt: str | None = None, mapping: Path | None = None,
                   limit: int | None = None, dry_run: bool = False) -> ImportReport:
    """Import a dataset with a built-in format or a mapping file. Raises ValueError on a bad mapping."""
    if mapping is not None:
        from .mapping import load_mapping

        info, parse_row = load_mapping(mapping)
    elif fmt == "wikipedia":
        from .wikipedia import INFO as info
        from .wikipedia import parse_row
    elif fmt == "pbc":
        from .pbc import INFO as info
        from .pbc import parse_row
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)} or --mapping FILE")
    return import_rows(root, dataset, info, parse_row, limit=limit, dry_run=dry_run)


__all__ = ["FORMATS", "DatasetInfo", "ImportReport", "import_dataset"]
