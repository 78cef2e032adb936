"""The arrays of a sampling design: building, describing, converting to replicate weights."""
