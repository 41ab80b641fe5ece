"""The site stage: every page of build/html, its assets and web fonts."""
