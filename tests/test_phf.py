"""conduit.phf: the minimal perfect hash, and its Codon twin agreeing with it."""

from __future__ import annotations

import random
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conduit.codegen import phf


def random_keys(n: int, seed: int, max_len: int = 40, min_len: int = 0) -> list[bytes]:
    rng = random.Random(seed)
    keys: dict[bytes, None] = {}
    while len(keys) < n:
        keys[rng.randbytes(rng.randint(min_len, max_len))] = None
    return list(keys)


def assert_minimal_perfect(table: phf.PerfectHash, keys: list[bytes]) -> None:
    assert table.keys == tuple(keys)
    assert sorted(table.slot_index) == list(range(len(keys)))
    for index, key in enumerate(keys):
        assert phf.lookup(table, key) == index


def one_byte_changes(key: bytes) -> list[bytes]:
    return [key[:i] + bytes([key[i] ^ 1]) + key[i + 1 :] for i in range(len(key))]


# --- Python ----------------------------------------------------------------------------------


def test_no_keys() -> None:
    table = phf.build([])
    assert table.slot_index == () and table.keys == ()
    assert phf.lookup(table, b"") == -1
    assert phf.lookup(table, b"tools/call") == -1
    assert table.placements() == []


def test_one_key() -> None:
    table = phf.build([b"tools/call"])
    assert phf.lookup(table, b"tools/call") == 0
    for miss in [b"", b"tools/cal", b"tools/calls", b"tools/calm", b"x"]:
        assert phf.lookup(table, miss) == -1


def test_empty_key_is_a_key() -> None:
    table = phf.build([b"", b"a"])
    assert phf.lookup(table, b"") == 0
    assert phf.lookup(table, b"a") == 1
    assert phf.lookup(table, b"b") == -1


def test_two_keys() -> None:
    table = phf.build([b"ping", b"initialize"])
    assert_minimal_perfect(table, [b"ping", b"initialize"])
    assert phf.lookup(table, b"pong") == -1


def test_duplicate_key_is_named() -> None:
    with pytest.raises(ValueError, match="tools/list"):
        phf.build([b"tools/list", b"ping", b"tools/list"])


def test_keys_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        phf.build(["tools/list"])  # type: ignore[list-item]


def test_deterministic() -> None:
    keys = random_keys(500, seed=1)
    assert phf.build(keys) == phf.build(list(keys))


def test_hash_is_fixed() -> None:
    # The generated Codon must compute these same numbers; change them only together with it.
    assert phf.hash64(b"") == 0
    assert phf.hash64(b"a") == 0x93F3B3219C75EC2C
    assert phf.hash64(b"ping") == 0x92C2D20E12C1C89F
    assert phf.hash64(b"tools/call") == 0x1261BB0EEB1DD035
    assert phf.hash64(b"notifications/initialized") == 0xF08D6D2A091D76C9
    assert phf.hash64(b"tools/call", seed=1) != phf.hash64(b"tools/call")


def test_misses() -> None:
    keys = random_keys(300, seed=2, max_len=24, min_len=1)
    keyset = set(keys)
    table = phf.build(keys)
    misses = set(random_keys(2000, seed=3, max_len=24))
    for key in keys:
        misses.update(key[:i] for i in range(len(key)))  # prefixes, the empty key among them
        misses.update(one_byte_changes(key))
        misses.add(key + b"\x00")
    misses -= keyset
    assert b"" in misses
    for miss in misses:
        assert phf.lookup(table, miss) == -1


@pytest.mark.parametrize("n", [1, 2, 3, 10, 100, 1000, 10_000])
def test_sizes(n: int) -> None:
    keys = random_keys(n, seed=n)
    table = phf.build(keys)
    assert_minimal_perfect(table, keys)
    assert table.n_buckets == max(1, -(-n // 4))


def test_structured_keys() -> None:
    # Names that differ in one place, as tool names and routes do.
    keys = [f"tool_{i}".encode() for i in range(2000)]
    keys += [f"/api/v1/items/{i:05d}/detail".encode() for i in range(2000)]
    assert_minimal_perfect(phf.build(keys), keys)


def test_tables_stay_small() -> None:
    table = phf.build(random_keys(10_000, seed=4))
    assert table.pilot_bits <= 22  # pilots are stored as u16 or u32 per bucket, 4 keys a bucket


def test_placements_describe_the_table() -> None:
    keys = [b"tools/list", b"tools/call", b"initialize", b"ping", b"resources/list"]
    table = phf.build(keys)
    placements = table.placements()
    assert [p.key for p in placements] == keys
    for p in placements:
        assert p.hash == phf.hash64(p.key, table.seed)
        assert 0 <= p.bucket < table.n_buckets
        assert p.pilot == table.pilots[p.bucket]
        assert table.slot_index[p.slot] == p.index
        assert table.slot_of(p.key) == p.slot


@settings(max_examples=200, deadline=None)
@given(st.sets(st.binary(max_size=24), max_size=300), st.lists(st.binary(max_size=24), max_size=50))
def test_any_key_set(keys: set[bytes], others: list[bytes]) -> None:
    keys_list = sorted(keys)
    table = phf.build(keys_list)
    assert_minimal_perfect(table, keys_list)
    for other in others:
        assert phf.lookup(table, other) == (keys_list.index(other) if other in keys else -1)


def test_emit_refuses_bad_names() -> None:
    with pytest.raises(ValueError, match="valid Codon function name"):
        phf.emit_codon(phf.build([b"a"]), "tool-index")


# --- Codon: the generated lookup agrees with the Python one ----------------------------------


# Keys that would break a careless string-literal encoder or a careless tail read.
AWKWARD_KEYS = [
    *[b"", b"\x00", b'"', b"\\", b"\\x41", b"\xffab", b"\n\r\t", b'a"b\\c\xff\x00'],
    *[b"x" * n for n in (7, 8, 9, 15, 16, 17, 300)],
]

HARNESS = """
import sys

data = open(sys.argv[1], "rb").read()
offset = 0
for line in open(sys.argv[2]):
    n = int(line.strip())
    p = data.ptr + offset
    print(_conduit_phf_hash(p, n, u64(0)), big_index(p, n), one_index(p, n), two_index(p, n),
          no_index(p, n))
    offset += n
print(big_index_str("tools/call"), one_index_str("tools/call"))
"""


@pytest.fixture(scope="module")
def codon_run(tmp_path_factory: pytest.TempPathFactory, build_codon):
    """Build one Codon program with four generated lookups; return a function that runs it."""
    big = phf.build(list(dict.fromkeys(random_keys(1000, seed=5) + AWKWARD_KEYS + [b"tools/call"])))
    tables = {
        "big_index": big,
        "one_index": phf.build([b"tools/call"]),
        "two_index": phf.build([b"ping", b"initialize"]),
        "no_index": phf.build([]),
    }
    parts = [phf.emit_codon(table, name, helpers=(i == 0)) for i, (name, table) in enumerate(tables.items())]
    directory = tmp_path_factory.mktemp("phf")
    binary = build_codon("\n".join(parts) + HARNESS, "phf_lookup")

    def run(queries: list[bytes]) -> list[list[int]]:
        (directory / "queries.bin").write_bytes(b"".join(queries))
        (directory / "lengths.txt").write_text("".join(f"{len(q)}\n" for q in queries))
        out = subprocess.run(
            [str(binary), str(directory / "queries.bin"), str(directory / "lengths.txt")],
            check=True,
            capture_output=True,
            timeout=60,
        ).stdout.decode()
        return [[int(field) for field in line.split()] for line in out.splitlines()]

    return tables, run


def test_codon_agrees_with_python(codon_run) -> None:
    tables, run = codon_run
    big = tables["big_index"]
    queries = list(big.keys)
    queries += random_keys(1000, seed=6)
    for key in big.keys[:200]:
        queries += [key[:-1], key + b"!", *one_byte_changes(key)[:3]]
    queries += [b"tools/call", b"ping", b"initialize", b"pong", b"tools/cal"]

    rows = run(queries)
    assert rows[-1] == [big.keys.index(b"tools/call"), 0]  # the str wrappers
    assert len(rows) == len(queries) + 1
    names = ["big_index", "one_index", "two_index", "no_index"]
    for query, row in zip(queries, rows):
        expected = [phf.hash64(query)] + [phf.lookup(tables[name], query) for name in names]
        assert row == expected, f"Codon and Python disagree on {query!r}"
    assert sum(1 for row in rows[:-1] if row[1] >= 0) >= len(big.keys)  # hits were exercised
    assert sum(1 for row in rows[:-1] if row[1] < 0) >= 1000  # and misses
