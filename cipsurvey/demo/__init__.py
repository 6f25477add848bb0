"""The synthetic demo waves (see docs/demo-data.md): SYNTHETIC, not the study's data."""
