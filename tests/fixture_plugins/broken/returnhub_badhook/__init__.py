"""A plugin with a valid manifest whose hook raises: it fails alone, the others load."""
