"""tlc's version, in one place (``pyproject.toml`` reads it too): caches key their
entries by it, so a new tlc asks again."""

VERSION = "0.1.0"
__version__ = VERSION
