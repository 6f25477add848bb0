"""Reading raw files into tables and writing cleaned waves."""
