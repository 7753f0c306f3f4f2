"""The labs' sections and caches, imported once per process (a page script runs on every rerun)."""
