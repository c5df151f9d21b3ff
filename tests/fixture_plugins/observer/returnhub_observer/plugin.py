from hub import hookimpl

SEEN: list = []


@hookimpl
def returnhub_return_transition(ret, event):
    SEEN.append((ret.external_id, ret.state.value, event["from_state"], event["to_state"], event["actor"]))


@hookimpl
def returnhub_register_blueprints():
    return []
