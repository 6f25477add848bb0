"""Reading data files into raw tables: no instrument is known here (see docs/architecture.md)."""
