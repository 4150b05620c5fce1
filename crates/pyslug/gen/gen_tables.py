"""Writes the data tables of the `pyslug` crate (crates/pyslug/data/).

Run it with the interpreter that gen/pyenv.sh prints (Python 3.11, whose
`unicodedata` is Unicode 14.0.0, plus text-unidecode 1.3 from PyPI):

    py=$(bash crates/pyslug/gen/pyenv.sh target/pyslug-venv)
    "$py" crates/pyslug/gen/gen_tables.py

Tables written, all taken from the running Python and text-unidecode:

- unidecode.bin   text-unidecode's replacement of every code point 1..=U+FFFF,
                  in order, each followed by a NUL byte (ASCII only; beyond the
                  BMP text-unidecode has no entry and drops the character).
- entities.txt    html.entities.name2codepoint: `name hex` per line.
- nfkd.txt        `cp: d1 d2 ...` (hex): unicodedata.normalize('NFKD', chr(cp))
                  for every code point where it differs, except the Hangul
                  syllables (decomposed by the algorithm of Unicode §3.12).
- ccc.txt         `first last ccc` (hex, hex, decimal): ranges of code points
                  with a non-zero canonical combining class.
- decimal.txt     `first last value-of-first` (hex, hex, decimal): ranges of
                  characters Python's `\\d` and int() treat as decimal digits.
"""

import html.entities
import importlib.metadata
import os
import sys
import unicodedata

import text_unidecode

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data")

UNICODE = "14.0.0"
TEXT_UNIDECODE = "1.3"


def main():
    if unicodedata.unidata_version != UNICODE:
        sys.exit(f"need Python's unicodedata {UNICODE}, found {unicodedata.unidata_version}")
    found = importlib.metadata.version("text-unidecode")
    if found != TEXT_UNIDECODE:
        sys.exit(f"need text-unidecode {TEXT_UNIDECODE}, found {found}")
    os.makedirs(OUT, exist_ok=True)

    table = text_unidecode._replaces
    assert len(table) == 0xFFFF, len(table)
    assert all(s.isascii() and "\0" not in s for s in table)
    with open(os.path.join(OUT, "unidecode.bin"), "wb") as f:
        f.write(b"".join(s.encode("ascii") + b"\0" for s in table))

    with open(os.path.join(OUT, "entities.txt"), "w") as f:
        for name, cp in html.entities.name2codepoint.items():
            f.write(f"{name} {cp:x}\n")

    with open(os.path.join(OUT, "nfkd.txt"), "w") as f:
        for cp in range(0x110000):
            if 0xD800 <= cp <= 0xDFFF or 0xAC00 <= cp <= 0xD7A3:
                continue
            d = unicodedata.normalize("NFKD", chr(cp))
            if d != chr(cp):
                f.write(f"{cp:x}: " + " ".join(f"{ord(c):x}" for c in d) + "\n")

    with open(os.path.join(OUT, "ccc.txt"), "w") as f:
        runs = []
        for cp in range(0x110000):
            ccc = unicodedata.combining(chr(cp))
            if not ccc:
                continue
            if runs and runs[-1][1] == cp - 1 and runs[-1][2] == ccc:
                runs[-1][1] = cp
            else:
                runs.append([cp, cp, ccc])
        for first, last, ccc in runs:
            f.write(f"{first:x} {last:x} {ccc}\n")

    with open(os.path.join(OUT, "decimal.txt"), "w") as f:
        runs = []
        for cp in range(0x110000):
            c = chr(cp)
            if not c.isdecimal():
                continue
            val = unicodedata.decimal(c)
            if runs and runs[-1][1] == cp - 1 and runs[-1][2] + (cp - runs[-1][0]) == val:
                runs[-1][1] = cp
            else:
                runs.append([cp, cp, val])
        for first, last, val in runs:
            f.write(f"{first:x} {last:x} {val}\n")


if __name__ == "__main__":
    main()
