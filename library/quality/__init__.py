"""Reports and checks: status of the translations, the quality gate."""
