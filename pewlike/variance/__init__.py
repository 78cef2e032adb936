"""Design-based variance: arrays in, arrays out (linearization, replication, calibration)."""
