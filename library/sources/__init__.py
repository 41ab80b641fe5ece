"""The sources, read strictly: English papers and their segments and anchors, PO files, the glossary."""
