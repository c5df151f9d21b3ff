"""A plugin whose manifest is invalid: it must be listed as failed, never imported."""
