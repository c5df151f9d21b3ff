"""The returns pipeline: the state machine, the steps that move returns, and the RQ jobs that run them."""
