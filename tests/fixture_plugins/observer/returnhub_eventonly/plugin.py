from hub import hookimpl

SEEN: list = []


@hookimpl
def returnhub_return_transition(event):
    SEEN.append((event["from_state"], event["to_state"]))
