"""``python -m tlc.cli``: the ``tlc`` command."""

from tlc.cli import main

main()
