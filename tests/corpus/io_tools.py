"""Files and paths: write a file under a path given as argument and read it back, a tool taking a
directory, os.path helpers, line iteration, appending, and a missing file's error."""

import os
import os.path

NOTE_HEADER = "# notes\n"


def save_and_read(path: str, text: str, encoding: str = "utf-8") -> dict:
    """Write a text file (replacing it), then read it back.

    Args:
        path: The file to write.
        text: Its content.
        encoding: The file's encoding.
    """
    with open(path, "w", encoding=encoding) as f:
        written = f.write(text)
    with open(path, encoding=encoding) as f:
        content = f.read()
    return {
        "written": written,
        "same": content == text,
        "bytes": os.path.getsize(path),
        "lines": content.splitlines(),
        "name": os.path.basename(path),
    }


def append_lines(path: str, lines: list[str]) -> dict:
    """Create a notes file with a header, append lines to it, and count its lines and words.

    Args:
        path: The notes file (replaced).
        lines: Lines to append.
    """
    with open(path, "w") as f:
        f.write(NOTE_HEADER)
    with open(path, "a") as f:
        for line in lines:
            f.write(line + "\n")
    count = 0
    words = 0
    with open(path) as f:
        for line in f:
            count += 1
            words += len(line.split())
    return {"lines": count, "words": words, "last": line.rstrip("\n") if count else None}


def read_file(path: str) -> str:
    """Read a text file; a missing file is CPython's FileNotFoundError message.

    Args:
        path: The file.
    """
    with open(path) as f:
        return f.read()


def write_directory(directory: str, files: dict[str, str]) -> list[dict]:
    """Create a directory with the given files, then list it (name, size, extension), sorted by name.

    Args:
        directory: The directory (created if missing).
        files: File name -> content.
    """
    os.makedirs(directory, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write(content)
    listing = []
    for name in sorted(os.listdir(directory)):
        full = os.path.join(directory, name)
        if os.path.isfile(full):
            root, ext = os.path.splitext(name)
            listing.append({"name": name, "size": os.path.getsize(full), "stem": root, "ext": ext or None})
    return listing


def path_parts(path: str) -> dict:
    """What os.path says about a path string (no file access).

    Args:
        path: e.g. "/var/log/app/server.log.gz".
    """
    head, tail = os.path.split(path)
    root, ext = os.path.splitext(path)
    return {
        "dirname": os.path.dirname(path),
        "basename": os.path.basename(path),
        "split": [head, tail],
        "splitext": [root, ext],
        "isabs": os.path.isabs(path),
        "normpath": os.path.normpath(path) if path else "",
        "joined": os.path.join(path, "child", "file.txt"),
        "parts": [p for p in path.split(os.sep) if p],
    }


def copy_upper(source: str, target: str, text: str) -> dict:
    """Write `text` to source, copy it to target upper-cased line by line, and compare sizes.

    Args:
        source: First file.
        target: Second file.
        text: The content.
    """
    with open(source, "w") as f:
        f.write(text)
    with open(source) as src, open(target, "w") as dst:
        for line in src:
            dst.write(line.upper())
    with open(target) as f:
        copied = f.readlines()
    return {
        "lines": len(copied),
        "first": copied[0] if copied else "",
        "exists": os.path.exists(target),
        "same_size": os.path.getsize(source) == os.path.getsize(target),
    }


def csv_totals(path: str, rows: list[list[str]]) -> dict:
    """Write rows as CSV with the csv module (which Codon lacks), read them back and total column 2.

    Args:
        path: The CSV file.
        rows: Rows of cells; the first is the header.
    """
    import csv

    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    with open(path, newline="") as f:
        records = list(csv.DictReader(f))
    total = 0.0
    bad = 0
    for record in records:
        values = list(record.values())
        try:
            total += float(values[1])
        except (IndexError, ValueError, TypeError):
            bad += 1
    return {"records": records, "total": total, "bad": bad}
