"""The project's settings: edition, method, country parameters, limits, analysts' judgements."""
