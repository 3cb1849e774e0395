"""Files as a regional office uploads them, made here: a PDF, photos, and executables
renamed to look like them. Each takes `unique` bytes, so one test's files are its own."""

from __future__ import annotations

import os
import struct
import zlib

PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def pdf(unique: bytes = b"") -> bytes:
    body = b"1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + unique.hex().encode() + b"\n"
    return PDF_HEAD + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png(unique: bytes = b"", padding: int = 0) -> bytes:
    """A 1x1 PNG; `unique` in a text chunk, `padding` bytes more in another."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + unique)
        + (chunk(b"zTXt", b"\x00" * padding) if padding else b"")
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpeg(unique: bytes = b"") -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + (
        b"\xff\xfe" + struct.pack(">H", len(unique) + 2) + unique + b"\xff\xd9"
    )


def elf(unique: bytes = b"") -> bytes:
    """The start of a Linux executable: what a renamed `program` uploaded as `sk.pdf` holds."""
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + unique + b"\x00" * 64


def pe(unique: bytes = b"") -> bytes:
    """The start of a Windows executable (`setup.exe` renamed `foto.jpg`)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + unique + b"\x00" * 64


def nonce() -> bytes:
    """32 random bytes: a chunk no other file, and no history, holds by chance."""
    return os.urandom(32)
