"""Codes the conversion reports by name (their entries are in ``codes.toml``)."""

NUMBER_WOULD_CHANGE = "F014"
NOT_REPRESENTABLE = "F015"
