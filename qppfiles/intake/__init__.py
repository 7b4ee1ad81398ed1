"""Where the files to check come from: discovery, sniffing, configuration."""
