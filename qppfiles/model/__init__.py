"""The format-neutral submission, findings and the register of codes."""
