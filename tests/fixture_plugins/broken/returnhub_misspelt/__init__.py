"""A plugin with a misspelt hook name (returnhub_regster_shops): it fails alone, the others load."""
