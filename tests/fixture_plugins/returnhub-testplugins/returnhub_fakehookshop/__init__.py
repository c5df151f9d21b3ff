"""A fake shop whose decisions come by webhook only: the core never polls it, its webhooks carry them."""
