"""Everything one assessment reads, loaded once, cached and sliced per country."""
