"""The search stage and engine: Whoosh indexes per language, queries, ranking, snippets."""
