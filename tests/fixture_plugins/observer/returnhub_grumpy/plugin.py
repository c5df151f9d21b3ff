from hub import hookimpl

CALLS: list = []


@hookimpl
def returnhub_return_transition(ret):
    CALLS.append(ret.external_id)
    raise RuntimeError("observer out of order")
