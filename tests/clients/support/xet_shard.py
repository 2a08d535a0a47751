"""Hand-built Xet upload shards (the layout of xet-core's `metadata_shard`), for tests that must send a shard no real
client would send: one whose file entry claims a sha256 that its bytes do not have.

A shard is a header (a 32-byte tag, the version and the footer's size), a file section (per file: a header with its
Xet hash, flags and term count, one entry per term, then the sha256 extension) ended by a bookend, and a xorb section
ended by a bookend. The server reads no footer, so none is written. Hashes are stored as their 32 raw bytes; their
string form (in URLs and JSON) prints those bytes as four little-endian u64 words of 16 hex digits, and the sha256 of
the extension reads as its ordinary hex in that form.
"""

from __future__ import annotations

import struct

_TAG = bytes(
    [72, 70, 82, 101, 112, 111, 77, 101, 116, 97, 68, 97, 116, 97, 0, 85]
    + [105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74, 169]
)
_HEADER_VERSION = 2
_FOOTER_SIZE = 200
_WITH_METADATA_EXT = 1 << 30
_BOOKEND = b"\xff" * 32 + bytes(16)


def hash_bytes(hash_string: str) -> bytes:
    """The 32 raw bytes of a hash string."""
    if len(hash_string) != 64:
        raise ValueError(f"a hash string has 64 hex digits, not {len(hash_string)}")
    return b"".join(int(hash_string[i : i + 16], 16).to_bytes(8, "little") for i in range(0, 64, 16))


def file_shard(file_hash: str, terms: list[dict], sha256_hex: str) -> bytes:
    """A shard describing one file: its Xet hash, its terms as a v1 reconstruction answer lists them (`hash`,
    `unpacked_length`, `range: {start, end}`) and the sha256 it claims, without verification entries or xorbs."""
    out = bytearray(_TAG + struct.pack("<QQ", _HEADER_VERSION, _FOOTER_SIZE))
    out += hash_bytes(file_hash) + struct.pack("<IIQ", _WITH_METADATA_EXT, len(terms), 0)
    for term in terms:
        start, end = term["range"]["start"], term["range"]["end"]
        out += hash_bytes(term["hash"]) + struct.pack("<IIII", 0, term["unpacked_length"], start, end)
    out += hash_bytes(sha256_hex) + bytes(16)
    return bytes(out + _BOOKEND + _BOOKEND)
