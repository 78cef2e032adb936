"""Files to data and codebook: reading and writing labelled survey files."""
