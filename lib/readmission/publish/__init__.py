"""The sites: sources, the publish gate, Quarto's render, the bundle and the Council document."""
