"""Runtime mode, the only code that imports torch: `run` builds the user's model for real and runs a
dummy tensor through it; `compare` turns its verdicts into findings beside the static ones."""
