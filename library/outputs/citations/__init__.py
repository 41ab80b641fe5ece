"""The citation files stage: each published paper's citation as BibTeX, RIS and CSL-JSON, per language."""
