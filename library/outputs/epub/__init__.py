"""The EPUB stage: an accessible EPUB 3 of each paper and a volume per language, beside the PDFs."""
