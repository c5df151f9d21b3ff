raise RuntimeError("this module must not be imported when the manifest is invalid")
