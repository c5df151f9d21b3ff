"""A fake marketplace that takes no decisions (like Amazon), on the fake marketplace's emulator."""
