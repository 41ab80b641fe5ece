"""The cards stage: a 1200×630 PNG card per paper and published language, for link previews."""
