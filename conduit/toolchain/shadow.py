"""The Codon that builds tool code: the user's Codon, its stdlib patched where it differs from Python.

Codon's stdlib answers differently from CPython in places a tool's answer shows: dicts do not keep
insertion order, `str(2.0)` is `2`, format specs need the en_US.UTF-8 locale, sorting is not
stable, `round(2.5)` is 3, there is no `str.format`, `%` formatting or `os.path.join`. The overlay
(conduit/toolchain/stdlib_overlay/) makes those Python's; tests/overlay/ holds the differential
tests against CPython that pin it.

Codon finds its stdlib relative to its executable (``<prefix>/lib/codon/stdlib``), so a copy of
the 432 KB ``bin/codon`` next to symlinks to the wheel's shared libraries and an edited copy of
the stdlib is a complete compiler that compiles against the edited stdlib.

The overlay (``overlay/`` beside this file) has two parts:

* ``overlay/patches/*.toml``: search-and-replace edits of Codon's own stdlib files. Each
  ``[[replace]]`` names the exact original text (``old``), asserted to occur exactly ``count``
  times (default 1), and its replacement (``new``). A different Codon version whose files do not
  contain the text fails loudly instead of being half-patched.
* ``overlay/files/**``: whole files written by us, copied into the stdlib at the same relative
  path (new modules such as ``internal/pyfmt.codon``).

The install directory is named after a hash of the overlay, the Codon version and this file, so a
change of any of them makes a new install; building is idempotent (an existing complete install
is reused) and atomic (built beside the target, then renamed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import tomllib
from pathlib import Path

from ..errors import CodonNotFoundError

OVERLAY_DIR = Path(__file__).resolve().parent / "stdlib_overlay"
_MARKER = ".conduit-shadow-complete"


class OverlayError(CodonNotFoundError):
    """The overlay does not apply to this Codon's stdlib (wrong version, or a broken patch)."""


def _overlay_inputs(overlay_dir: Path) -> list[Path]:
    return sorted(p for p in overlay_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def overlay_hash(wheel_codon_dir: Path, overlay_dir: Path = OVERLAY_DIR) -> str:
    h = hashlib.sha256()
    h.update(str(Path(wheel_codon_dir).resolve()).encode() + b"\0")
    version_file = Path(wheel_codon_dir) / ".codon-version"
    h.update(version_file.read_bytes() if version_file.exists() else b"unknown")
    h.update(Path(__file__).read_bytes())
    for p in _overlay_inputs(overlay_dir):
        h.update(str(p.relative_to(overlay_dir)).encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def apply_overlay(stdlib: Path, overlay_dir: Path = OVERLAY_DIR) -> list[str]:
    """Apply the overlay to the stdlib copy at ``stdlib`` in place; return what was done."""
    done = []
    files_dir = overlay_dir / "files"
    if files_dir.is_dir():
        for src in _overlay_inputs(files_dir):
            rel = src.relative_to(files_dir)
            dst = stdlib / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            done.append(f"file {rel}")
    for patch_file in sorted((overlay_dir / "patches").glob("*.toml")):
        spec = tomllib.loads(patch_file.read_text())
        target = stdlib / spec["file"]
        if not target.is_file():
            raise OverlayError(f"{patch_file.name}: {spec['file']} is not in this Codon's stdlib")
        text = target.read_text()
        for i, rep in enumerate(spec.get("replace", [])):
            old, new = rep["old"], rep["new"]
            want = rep.get("count", 1)
            found = text.count(old)
            if found != want:
                raise OverlayError(
                    f"{patch_file.name} edit {i + 1}: expected {want} occurrence(s) of the original "
                    f"text in {spec['file']}, found {found} (a different Codon version?):\n{old[:300]}"
                )
            text = text.replace(old, new)
        if "append" in spec:
            text = text.rstrip("\n") + "\n\n" + spec["append"]
        target.write_text(text)
        done.append(f"patch {patch_file.name} -> {spec['file']}")
    return done


def make_shadow_codon(wheel_codon_dir: Path, target: Path, overlay_dir: Path = OVERLAY_DIR) -> Path:
    """Build (or reuse) a shadow Codon install under ``target``; return its ``bin/codon``.

    ``wheel_codon_dir`` is the wheel's ``codon`` folder (holding ``bin/codon`` and
    ``lib/codon/``). The install is ``target/codon-<version>-<overlay hash>/``.
    """
    wheel_codon_dir = Path(wheel_codon_dir).resolve()
    target = Path(target)
    version = "unknown"
    vf = wheel_codon_dir / ".codon-version"
    if vf.exists():
        version = vf.read_text().split()[0]
    name = f"codon-{version}-{overlay_hash(wheel_codon_dir, overlay_dir)}"
    install = target / name
    exe = install / "bin" / "codon"
    if (install / _MARKER).exists() and exe.exists():
        return exe

    target.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target))
    try:
        (tmp / "bin").mkdir()
        shutil.copy2(wheel_codon_dir / "bin" / "codon", tmp / "bin" / "codon")
        src_lib = wheel_codon_dir / "lib" / "codon"
        dst_lib = tmp / "lib" / "codon"
        dst_lib.mkdir(parents=True)
        for entry in src_lib.iterdir():
            if entry.name == "stdlib":
                continue
            os.symlink(entry.resolve(), dst_lib / entry.name)
        shutil.copytree(src_lib / "stdlib", dst_lib / "stdlib")
        for extra in (".codon-version", "LICENSE", "LICENSE.LLVM"):
            if (wheel_codon_dir / extra).exists():
                shutil.copy2(wheel_codon_dir / extra, tmp / extra)
        done = apply_overlay(dst_lib / "stdlib", overlay_dir)
        (tmp / _MARKER).write_text("\n".join(done) + "\n")
        try:
            os.rename(tmp, install)
        except OSError:
            # Another process finished the same install first: use theirs.
            if not (install / _MARKER).exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return exe


def shadow_of(codon: Path, cache: Path) -> Path:
    """The overlaid twin of the Codon executable `codon`, built once under `cache`/codon."""
    install = Path(codon).resolve().parent.parent
    if not (install / "lib" / "codon" / "stdlib").is_dir():
        raise CodonNotFoundError(f"{codon}: no lib/codon/stdlib beside it; point CONDUIT_CODON at a Codon install")
    return make_shadow_codon(install, Path(cache) / "codon")
