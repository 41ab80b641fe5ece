"""The translators' work: extract, update and compile the catalogs, the memory, exchange formats."""
