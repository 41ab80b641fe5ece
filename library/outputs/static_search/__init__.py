"""The static search stage: a Pagefind index of every passage, per language."""
