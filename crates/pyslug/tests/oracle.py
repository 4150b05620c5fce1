"""The reference for tests/differential.rs: python-slugify 8.0.4 itself.

Reads one input per line (the UTF-8 bytes of the input, in hex) from argv[1] and
writes one slug per line to argv[2].
"""

import importlib.metadata
import sys
import unicodedata

import slugify

impl = sys.modules["slugify.slugify"]  # the module, not the function it exports

versions = (
    importlib.metadata.version("python-slugify"),
    importlib.metadata.version("text-unidecode"),
    impl.unidecode.__name__,
    unicodedata.unidata_version,
)
if versions != ("8.0.4", "1.3", "text_unidecode", "14.0.0"):
    sys.exit(f"oracle: wrong reference {versions}")

with open(sys.argv[1], encoding="ascii") as src, open(sys.argv[2], "w", encoding="ascii") as out:
    out.writelines(slugify.slugify(bytes.fromhex(line).decode("utf-8")) + "\n" for line in src)
