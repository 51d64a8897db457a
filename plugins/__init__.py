"""Built-in tlc plugins."""
