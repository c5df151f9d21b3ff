from hub import hookimpl


@hookimpl
def returnhub_register_shops():
    raise RuntimeError("boom while registering")
