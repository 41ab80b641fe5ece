"""The PDF stage: plan, typeset with WeasyPrint, tag for PDF/UA, check conformance."""
