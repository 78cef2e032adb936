"""The partitioned (Dask) backend: per-partition weighted sums, combined in the client."""
