"""Reports built from a TOML spec: items, rendering, the demo spec, starter specs."""
