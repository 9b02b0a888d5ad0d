"""Minimal perfect hashing, built in Python at build time and looked up in generated Codon.

Conduit dispatches tool names, JSON-RPC methods and route paths through a table fixed at build
time. For ``n`` distinct keys, `build` finds a table that sends every key to its own slot in
``0..n-1`` (a *minimal perfect* hash), and `lookup` rejects every other key by comparing it with
the one key stored in its slot. The scheme is hash-and-displace with pilots (CHD, PTHash):

1. ``h = hash64(key)``: one pass over the key's bytes, 64-bit words mixed by a 64x64->128-bit
   multiply whose halves are folded (``mum``); all arithmetic is mod 2**64, so Python and
   Codon compute the same number.
2. ``bucket = (h * n_buckets) >> 64``: the top bits of ``h`` pick one of about ``n / 4`` buckets.
3. ``slot = (mum(h ^ pilot[bucket]) * n) >> 64``: the bucket's *pilot* (a small integer) re-mixes
   the hash into a slot. `build` places the biggest buckets first and, for each, tries pilots
   0, 1, 2, ... until all of its keys fall into free, distinct slots.
4. ``index = slot_index[slot]``; the answer is ``index`` if ``keys[index] == key``, else -1.

So a lookup hashes the key once, then does three multiplies, two table loads and one key
compare, whatever the number of keys (6-16 ns natively, for 10 to 1,000 keys). The tables: one
pilot per bucket (16 or 32 bits, so 4-8 bits per key), one slot entry per key (8 bytes: where
its key is stored, and its index) and the keys themselves. `PerfectHash.placements` returns the
bucket, pilot and slot of every key, which is what a picture of the scheme needs. The same keys
in the same order always give the same tables.

Example:
    >>> table = build([b"tools/list", b"tools/call", b"initialize"])
    >>> lookup(table, b"tools/call"), lookup(table, b"tools/cal")
    (1, -1)
    >>> print(emit_codon(table, "method_index"))  # doctest: +SKIP
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import NamedTuple, Sequence

__all__ = [
    "PerfectHash",
    "Placement",
    "build",
    "emit_codon",
    "emit_codon_helpers",
    "hash64",
    "lookup",
]

MASK64 = (1 << 64) - 1

# Odd 64-bit constants (wyhash's primes): the length mix, the word mix and the slot mix.
_P_LEN = 0xA0761D6478BD642F
_P_WORD = 0xE7037ED1A0B428DB
_P_SLOT = 0x8EBC6AF09C88C6E3

_KEYS_PER_BUCKET = 4  # larger: smaller tables, slower build; 4 builds 10,000 keys in ~0.2 s
_MAX_PILOT = 1 << 22  # a bucket that finds no pilot below this makes `build` try the next seed
_MAX_SEEDS = 64


def _mum(x: int) -> int:
    """Multiply by a fixed odd constant into 128 bits and fold the halves: a cheap 64-bit mixer."""
    p = x * _P_WORD
    return (p ^ (p >> 64)) & MASK64


def hash64(key: bytes, seed: int = 0) -> int:
    """The 64-bit hash of ``key`` that the table (and the generated Codon) is built on.

    The key is read as little-endian 64-bit words covering every byte (the last word overlaps
    the one before it; keys under 8 bytes are read as two overlapping 32-bit halves or as three
    single bytes), so the words and the length together determine the key.
    """
    n = len(key)
    h = (seed ^ (n * _P_LEN)) & MASK64
    if n >= 8:
        i = 0
        while i + 8 < n:
            h = _mum(h ^ int.from_bytes(key[i : i + 8], "little"))
            i += 8
        h = _mum(h ^ int.from_bytes(key[n - 8 :], "little"))
    elif n >= 4:
        w = int.from_bytes(key[:4], "little") | (int.from_bytes(key[n - 4 :], "little") << 32)
        h = _mum(h ^ w)
    elif n > 0:
        h = _mum(h ^ (key[0] | (key[n >> 1] << 8) | (key[n - 1] << 16)))
    return _mum(h)


def _bucket(h: int, n_buckets: int) -> int:
    return (h * n_buckets) >> 64


def _slot(h: int, pilot: int, n: int) -> int:
    p = (h ^ pilot) * _P_SLOT
    return (((p ^ (p >> 64)) & MASK64) * n) >> 64


class Placement(NamedTuple):
    """Where one key lands: what a drawing of the table needs."""

    index: int  # position in the keys given to `build`
    key: bytes
    hash: int
    bucket: int
    pilot: int  # the pilot of `bucket`
    slot: int


@dataclass(frozen=True)
class PerfectHash:
    """A minimal perfect hash over `keys`, from `build`. Look keys up with `lookup`."""

    keys: tuple[bytes, ...]  # in the order given to `build`; `lookup` returns positions in it
    seed: int
    pilots: tuple[int, ...]  # one per bucket
    slot_index: tuple[int, ...]  # slot -> position in `keys`; a permutation of range(len(keys))

    @property
    def n_buckets(self) -> int:
        return len(self.pilots)

    @property
    def pilot_bits(self) -> int:
        """Bits needed to store the largest pilot (the table's size is about this x n_buckets)."""
        return max(self.pilots, default=0).bit_length()

    def slot_of(self, key: bytes) -> int:
        """The slot `key` hashes to (any key, present or not; -1 for an empty table)."""
        if not self.keys:
            return -1
        h = hash64(key, self.seed)
        return _slot(h, self.pilots[_bucket(h, self.n_buckets)], len(self.keys))

    def placements(self) -> list[Placement]:
        """Hash, bucket, pilot and slot of every key, in the order of `keys`."""
        out = []
        for index, key in enumerate(self.keys):
            h = hash64(key, self.seed)
            b = _bucket(h, self.n_buckets)
            slot = _slot(h, self.pilots[b], len(self.keys))
            out.append(Placement(index, key, h, b, self.pilots[b], slot))
        return out


def build(keys: Sequence[bytes]) -> PerfectHash:
    """Build a minimal perfect hash over distinct ``keys``; deterministic in ``keys``.

    Raises:
        ValueError: a key appears twice (the message names it).
        TypeError: a key is not bytes.
    """
    for key in keys:
        if not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError(f"Perfect-hash keys must be bytes, got {type(key).__name__}: {key!r}.")
    keys = tuple(bytes(k) for k in keys)
    seen: set[bytes] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"Duplicate key {key!r}: the keys of a perfect hash must be distinct.")
        seen.add(key)
    for seed in range(_MAX_SEEDS):
        found = _search(keys, seed)
        if found is not None:
            pilots, slot_index = found
            return PerfectHash(keys, seed, pilots, slot_index)
    raise RuntimeError(f"No perfect hash found for {len(keys)} keys in {_MAX_SEEDS} seeds (a bug).")


def _search(keys: tuple[bytes, ...], seed: int) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Pilots and slot map for one seed, or None if this seed does not work."""
    n = len(keys)
    hashes = [hash64(k, seed) for k in keys]
    if len(set(hashes)) < n:  # two keys with one 64-bit hash: no pilot can separate them
        return None
    n_buckets = max(1, -(-n // _KEYS_PER_BUCKET))
    buckets: list[list[int]] = [[] for _ in range(n_buckets)]
    for i, h in enumerate(hashes):
        buckets[_bucket(h, n_buckets)].append(i)
    # Largest buckets first, while the table is empty; ties by bucket number, for determinism.
    order = sorted(range(n_buckets), key=lambda b: (-len(buckets[b]), b))
    pilots = [0] * n_buckets
    slot_index = [-1] * n
    mask, p_slot = MASK64, _P_SLOT
    for b in order:
        members = buckets[b]
        if not members:
            break
        bucket_hashes = [hashes[i] for i in members]
        for pilot in range(_MAX_PILOT):
            slots = []
            for h in bucket_hashes:
                p = (h ^ pilot) * p_slot
                s = (((p ^ (p >> 64)) & mask) * n) >> 64
                if slot_index[s] >= 0 or s in slots:
                    break
                slots.append(s)
            else:
                break
        else:
            return None
        pilots[b] = pilot
        for i, s in zip(members, slots):
            slot_index[s] = i
    return tuple(pilots), tuple(slot_index)


def lookup(table: PerfectHash, key: bytes) -> int:
    """Position of ``key`` in the keys given to `build`, or -1 if it is not one of them."""
    n = len(table.keys)
    if n == 0:
        return -1
    h = hash64(key, table.seed)
    index = table.slot_index[_slot(h, table.pilots[_bucket(h, len(table.pilots))], n)]
    return index if table.keys[index] == key else -1


# --- Codon emitter ---------------------------------------------------------------------------
#
# The emitted tables are string literals read with unaligned little-endian loads, not list
# literals: Codon 0.19.3 compiles a list literal in time quadratic in its length (4,000 ints
# add ~20 s to a build, 4,000 tuples ~60 s), while an 80 KB string literal adds ~1 s.

_CODON_HELPERS = """\
# ---------------------------------------------------------------------------------------------
# Perfect-hash helpers, generated by conduit.phf (do not edit): the Codon twin of
# conduit.phf.hash64 and of its slot arithmetic. All arithmetic is on u64, mod 2**64.
# ---------------------------------------------------------------------------------------------

@llvm
def _conduit_phf_load64(p: Ptr[byte]) -> u64:  # 8 bytes at p, little-endian, any alignment
    %0 = load i64, ptr %p, align 1
    ret i64 %0

@llvm
def _conduit_phf_load32(p: Ptr[byte]) -> u64:  # 4 bytes at p, little-endian, any alignment
    %0 = load i32, ptr %p, align 1
    %1 = zext i32 %0 to i64
    ret i64 %1

@llvm
def _conduit_phf_load16(p: Ptr[byte]) -> u64:  # 2 bytes at p, little-endian, any alignment
    %0 = load i16, ptr %p, align 1
    %1 = zext i16 %0 to i64
    ret i64 %1

@llvm
def _conduit_phf_mulhi(a: u64, b: u64) -> u64:  # high 64 bits of the 128-bit product a * b
    %0 = zext i64 %a to i128
    %1 = zext i64 %b to i128
    %2 = mul i128 %0, %1
    %3 = lshr i128 %2, 64
    %4 = trunc i128 %3 to i64
    ret i64 %4

def _conduit_phf_mum(x: u64, k: u64) -> u64:  # the 128-bit product x * k, halves folded by xor
    return (x * k) ^ _conduit_phf_mulhi(x, k)

def _conduit_phf_hash(p: Ptr[byte], n: int, seed: u64) -> u64:  # conduit.phf.hash64
    h = seed ^ (u64(n) * u64({p_len:#x}))
    if n >= 8:  # 8-byte words; the last one overlaps the one before
        i = 0
        while i + 8 < n:
            h = _conduit_phf_mum(h ^ _conduit_phf_load64(p + i), u64({p_word:#x}))
            i += 8
        h = _conduit_phf_mum(h ^ _conduit_phf_load64(p + (n - 8)), u64({p_word:#x}))
    elif n >= 4:  # two overlapping 4-byte halves
        w = _conduit_phf_load32(p) | (_conduit_phf_load32(p + (n - 4)) << u64(32))
        h = _conduit_phf_mum(h ^ w, u64({p_word:#x}))
    elif n > 0:  # first, middle and last byte
        w = u64(int(p[0])) | (u64(int(p[n >> 1])) << u64(8)) | (u64(int(p[n - 1])) << u64(16))
        h = _conduit_phf_mum(h ^ w, u64({p_word:#x}))
    return _conduit_phf_mum(h, u64({p_word:#x}))

def _conduit_phf_equal(p: Ptr[byte], k: Ptr[byte], n: int) -> bool:  # n bytes at p == at k?
    if n >= 8:  # 8-byte words; the last one overlaps the one before
        i = 0
        while i + 8 < n:
            if _conduit_phf_load64(p + i) != _conduit_phf_load64(k + i):
                return False
            i += 8
        return _conduit_phf_load64(p + (n - 8)) == _conduit_phf_load64(k + (n - 8))
    if n >= 4:  # two overlapping 4-byte halves
        if _conduit_phf_load32(p) != _conduit_phf_load32(k):
            return False
        return _conduit_phf_load32(p + (n - 4)) == _conduit_phf_load32(k + (n - 4))
    i = 0
    while i < n:
        if p[i] != k[i]:
            return False
        i += 1
    return True
"""

_CODON_LOOKUP = """\
# ---------------------------------------------------------------------------------------------
# {name}(p, n): perfect-hash lookup of {n} key(s), generated by conduit.phf (do not edit).
# Returns the index of the n bytes at p among the keys (the `index` column of the slot table
# below), or -1 if they are not one of the keys. The hash picks one slot; one compare decides:
{formula}
#   index  = the slot's index if the key equals the slot's key, else -1
# ---------------------------------------------------------------------------------------------

# Pilot of each bucket (u{pilot_bits}, little-endian), chosen at build time so that no two keys
# share a slot. By bucket:
{pilot_comments}
_{name}_pilots = {pilot_blob}

# Slots: one u64 (little-endian) each = offset << {offset_shift} | length << {length_shift} | index,
# where offset and length locate the slot's key in _{name}_keys.
#   {slot_header}
{slot_comments}
_{name}_slots = {slot_blob}

# The keys, in slot order.
_{name}_keys = {key_blob}

def {name}(p: Ptr[byte], n: int) -> int:
    h = _conduit_phf_hash(p, n, u64({seed}))
    bucket = int(_conduit_phf_mulhi(h, u64({n_buckets})))
    pilot = _conduit_phf_load{pilot_bits}(_{name}_pilots.ptr + {pilot_bytes} * bucket)
    slot = int(_conduit_phf_mulhi(_conduit_phf_mum(h ^ pilot, u64({p_slot:#x})), u64({n})))
    entry = _conduit_phf_load64(_{name}_slots.ptr + 8 * slot)
    if int((entry >> u64({length_shift})) & u64({length_mask:#x})) != n:
        return -1
    if not _conduit_phf_equal(p, _{name}_keys.ptr + int(entry >> u64({offset_shift})), n):
        return -1
    return int(entry & u64({index_mask:#x}))

def {name}_str(key: str) -> int:
    return {name}(key.ptr, len(key))
"""

_CODON_EMPTY_LOOKUP = """\
# {name}(p, n): perfect-hash lookup of no keys, generated by conduit.phf (do not edit).
def {name}(p: Ptr[byte], n: int) -> int:
    return -1

def {name}_str(key: str) -> int:
    return -1
"""


def _codon_bytes_literal(data: bytes, *, text: bool = True, indent: str = "    ") -> str:
    """A Codon string literal (Codon strings are bytes) holding exactly ``data``.

    ``text`` keeps printable ASCII readable; otherwise every byte is written as ``\\xNN``.
    Long data is split over several adjacent literals in parentheses.
    """
    out = []
    for c in data:
        if text and c in (0x22, 0x5C):  # " and backslash
            out.append("\\" + chr(c))
        elif text and 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append(f"\\x{c:02x}")  # Codon, like Python, reads exactly two hex digits
    lines, line, width = [], "", 0
    for piece in out:
        if width + len(piece) > 88:
            lines.append(line)
            line, width = "", 0
        line += piece
        width += len(piece)
    lines.append(line)
    if len(lines) == 1:
        return f'"{lines[0]}"'
    return "(\n" + "\n".join(f'{indent}"{s}"' for s in lines) + "\n)"


def emit_codon_helpers() -> str:
    """Codon source of the helpers every `emit_codon` lookup calls (`_conduit_phf_*`)."""
    return _CODON_HELPERS.format(p_len=_P_LEN, p_word=_P_WORD)


def emit_codon(table: PerfectHash, func_name: str, *, helpers: bool = True) -> str:
    """Codon source of ``def func_name(p: Ptr[byte], n: int) -> int`` for ``table``.

    The function returns what ``lookup(table, key)`` returns for the ``n`` bytes at ``p``; its
    tables are module-level string constants (``_func_name_pilots``, ``_slots``, ``_keys``,
    each preceded by a readable listing) and it allocates nothing. ``func_name_str(key: str)``
    is emitted too. With ``helpers`` (the default) the source starts with
    `emit_codon_helpers`, so it compiles on its own; a program with several tables can pass
    ``helpers=False`` after the first (repeating them is harmless: Codon keeps the last of
    identical definitions).

    Raises:
        ValueError: ``func_name`` is not an identifier, or the table does not fit the 64-bit
            slot entries (more than 2**64 bits of offset, length and index: not in practice).

    Example:
        >>> src = emit_codon(build([b"tools/list", b"tools/call"]), "method_index")
    """
    if not func_name.isidentifier() or keyword.iskeyword(func_name):
        raise ValueError(f"{func_name!r} is not a valid Codon function name.")
    n = len(table.keys)
    if n == 0:
        return _CODON_EMPTY_LOOKUP.format(name=func_name)

    slot_keys = [table.keys[i] for i in table.slot_index]
    key_blob = b"".join(slot_keys)
    index_bits = max(1, (n - 1).bit_length())
    length_bits = max(1, max(map(len, slot_keys)).bit_length())
    offset_shift = index_bits + length_bits
    if offset_shift + max(1, len(key_blob).bit_length()) > 64:
        raise ValueError(f"{n} keys of {len(key_blob)} bytes do not fit 64-bit slot entries.")

    columns = ("slot", "offset", "length", "index")
    widths = [max(len(c), len(str(m))) for c, m in zip(columns, (n, len(key_blob), 0, n))]
    slot_header = "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths)) + "  key"
    slot_comments, entries, offset = [], [], 0
    for slot, (index, key) in enumerate(zip(table.slot_index, slot_keys)):
        row = "  ".join(f"{v:>{w}}" for v, w in zip((slot, offset, len(key), index), widths))
        slot_comments.append(f"#   {row}  {repr(key)[1:]}")
        entry = offset << offset_shift | len(key) << index_bits | index
        entries.append(entry.to_bytes(8, "little"))
        offset += len(key)

    pilot_bytes = 2 if table.pilot_bits <= 16 else 4
    pilot_blob = b"".join(p.to_bytes(pilot_bytes, "little") for p in table.pilots)
    pilot_comments = []
    for first in range(0, table.n_buckets, 10):
        last = min(first + 10, table.n_buckets) - 1
        label = f"{first}..{last}:".ljust(2 * len(str(table.n_buckets)) + 3)
        pilot_comments.append(f"#   {label} " + ", ".join(map(str, table.pilots[first : last + 1])))

    formula = [
        (f"h      = hash64(key, seed={table.seed})", "_conduit_phf_hash"),
        (f"bucket = (h * {table.n_buckets}) >> 64", f"{table.n_buckets} bucket(s)"),
        (f"slot   = (mum(h ^ pilots[bucket]) * {n}) >> 64", f"{n} slot(s), one key each"),
    ]
    pad = max(len(code) for code, _ in formula) + 3
    lookup_src = _CODON_LOOKUP.format(
        name=func_name,
        n=n,
        n_buckets=table.n_buckets,
        seed=table.seed,
        p_slot=_P_SLOT,
        formula="\n".join(f"#   {code:<{pad}}{note}" for code, note in formula),
        pilot_bits=8 * pilot_bytes,
        pilot_bytes=pilot_bytes,
        pilot_comments="\n".join(pilot_comments),
        pilot_blob=_codon_bytes_literal(pilot_blob, text=False),
        offset_shift=offset_shift,
        length_shift=index_bits,
        length_mask=(1 << length_bits) - 1,
        index_mask=(1 << index_bits) - 1,
        slot_header=slot_header,
        slot_comments="\n".join(slot_comments),
        slot_blob=_codon_bytes_literal(b"".join(entries), text=False),
        key_blob=_codon_bytes_literal(key_blob),
    )
    return (emit_codon_helpers() + "\n" + lookup_src) if helpers else lookup_src
