from hub import hookimpl

SEEN: list = []


@hookimpl
def returnhub_regster_shops():
    return []


@hookimpl
def returnhub_return_transition(event):
    SEEN.append(event["to_state"])  # must never run: the plugin failed to load
