"""Trends across waves: stack waves into one survey, estimate each wave's shares, test the changes."""
