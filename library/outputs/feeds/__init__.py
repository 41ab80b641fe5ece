"""The feeds stage: an Atom feed per language of the papers and translations published in it."""
