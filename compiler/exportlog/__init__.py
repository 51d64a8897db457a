"""exportlog: the export log (one JSON line per export) and ``tlc stats``.

``record`` writes it: every export, from the CLI or the API, appends one line to
``exports.jsonl`` in the user's data directory (``TLC_LOG`` names another file;
``--no-log``, ``log=False`` or the config's ``log = false`` turn it off). ``stats``
reads it back. Nothing leaves the machine. Imports :mod:`tlc.config` and below.
"""
