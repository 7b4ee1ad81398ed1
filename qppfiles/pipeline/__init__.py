"""One file end to end, and many files over processes."""
