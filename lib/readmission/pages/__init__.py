"""What a reader sees: tables, charts, presentation, the notebook templates' sources."""
