"""Every GraphQL document the plugin sends, named, so tests can validate them against the schema.

Documents that depend on the API version are functions of it. Fields newer than the official
2025-01 schema in specs/ are listed in NEWER_FIELDS (also in the README).
"""
from __future__ import annotations

# type.field -> first API version that has it (from shopify.dev changelog pages, not a schema file)
NEWER_FIELDS = {
    "ExchangeLineItem.processedQuantity": "2025-07",
    "WebhookSubscriptionInput.uri": "2025-10",
}


def at_least(api_version: str, first: str) -> bool:
    """Whether ``api_version`` (YYYY-MM or 'unstable') already has what arrived in ``first``."""
    return api_version == "unstable" or api_version >= first


SHOP = "query Shop { shop { id name myshopifyDomain } }"

FIND_ORDER = """
query FindOrder($q: String!) {
  orders(first: 10, query: $q, sortKey: CREATED_AT, reverse: true) {
    nodes { id name tags sourceIdentifier poNumber customAttributes { key value } }
  }
}"""

FIND_ORDER_METAFIELD = """
query FindOrderByMetafield($q: String!, $ns: String!, $key: String!) {
  orders(first: 10, query: $q, sortKey: CREATED_AT, reverse: true) {
    nodes { id name tags sourceIdentifier poNumber customAttributes { key value }
            metafield(namespace: $ns, key: $key) { value } }
  }
}"""


# One return line item as the plugin reads it (its marker is in a note).
RETURN_LINE = """
fragment ReturnLine on ReturnLineItemType { quantity refundedQuantity customerNote returnReasonNote }"""
RETURNABLE_ITEM = """
fragment ReturnableItem on ReturnableFulfillmentLineItem {
  quantity fulfillmentLineItem { id lineItem { id sku name variant { barcode } } }
}"""

ORDER_RETURNS = """
query OrderReturns($orderId: ID!, $after: String) {
  order(id: $orderId) {
    id
    returns(first: 10, after: $after) {
      nodes { id status returnLineItems(first: 20) { nodes { ...ReturnLine } pageInfo { hasNextPage endCursor } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}""" + RETURN_LINE

# The further pages of a return's line items (a return may have more than 20).
RETURN_LINES = """
query ReturnLines($id: ID!, $after: String) {
  return(id: $id) {
    returnLineItems(first: 20, after: $after) { nodes { ...ReturnLine } pageInfo { hasNextPage endCursor } }
  }
}""" + RETURN_LINE

RETURNABLE = """
query Returnable($orderId: ID!, $after: String) {
  returnableFulfillments(orderId: $orderId, first: 5, after: $after) {
    nodes {
      id
      returnableFulfillmentLineItems(first: 25) { nodes { ...ReturnableItem } pageInfo { hasNextPage endCursor } }
    }
    pageInfo { hasNextPage endCursor }
  }
}""" + RETURNABLE_ITEM

# The further pages of a fulfillment's returnable line items (an order may have more than 25).
RETURNABLE_LINES = """
query ReturnableLines($id: ID!, $after: String) {
  returnableFulfillment(id: $id) {
    returnableFulfillmentLineItems(first: 25, after: $after) {
      nodes { ...ReturnableItem } pageInfo { hasNextPage endCursor }
    }
  }
}""" + RETURNABLE_ITEM

RETURN_REQUEST = """
mutation RequestReturn($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id name status } userErrors { field message code } }
}"""

RETURN_CREATE = """
mutation CreateReturn($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) { return { id name status } userErrors { field message code } }
}"""

_EXCHANGE_LINE = """
fragment ExchangeLine on ExchangeLineItem { id{processed} }"""

_POLL_RETURNS = """
query PollReturns($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on Return {
      id name status
      decline { reason note }
      order { id tags }
      refunds(first: 5) { nodes { id } }
      exchangeLineItems(first: 10) { nodes { ...ExchangeLine } pageInfo { hasNextPage endCursor } }
      returnLineItems(first: 20) { nodes { ...ReturnLine } pageInfo { hasNextPage endCursor } }
    }
  }
}""" + RETURN_LINE + _EXCHANGE_LINE

# The further pages of a return's exchange line items.
_EXCHANGE_LINES = """
query ExchangeLines($id: ID!, $after: String) {
  return(id: $id) {
    exchangeLineItems(first: 10, after: $after) { nodes { ...ExchangeLine } pageInfo { hasNextPage endCursor } }
  }
}""" + _EXCHANGE_LINE


def _processed(api_version: str) -> str:
    return " processedQuantity" if at_least(api_version, NEWER_FIELDS["ExchangeLineItem.processedQuantity"]) else ""


def poll_returns(api_version: str) -> str:
    """Batch read of returns by id; processed exchange quantities where the version has them."""
    return _POLL_RETURNS.replace("{processed}", _processed(api_version))


def exchange_lines(api_version: str) -> str:
    """The further pages of a return's exchange line items, as :func:`poll_returns` reads them."""
    return _EXCHANGE_LINES.replace("{processed}", _processed(api_version))


_WEBHOOK_CREATE = """
mutation SubscribeWebhook($topic: WebhookSubscriptionTopic!, $url: %s!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {%s: $url, format: JSON}) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}"""


def webhook_create(api_version: str) -> str:
    """Subscription mutation; 2025-10 replaced ``callbackUrl`` by ``uri``."""
    if at_least(api_version, NEWER_FIELDS["WebhookSubscriptionInput.uri"]):
        return _WEBHOOK_CREATE % ("String", "uri")
    return _WEBHOOK_CREATE % ("URL", "callbackUrl")


def all_documents(api_version: str) -> dict[str, str]:
    """Every document sent at ``api_version``, by operation name."""
    return {
        "Shop": SHOP, "FindOrder": FIND_ORDER, "FindOrderByMetafield": FIND_ORDER_METAFIELD,
        "OrderReturns": ORDER_RETURNS, "ReturnLines": RETURN_LINES, "Returnable": RETURNABLE,
        "ReturnableLines": RETURNABLE_LINES, "RequestReturn": RETURN_REQUEST, "CreateReturn": RETURN_CREATE,
        "PollReturns": poll_returns(api_version), "ExchangeLines": exchange_lines(api_version),
        "SubscribeWebhook": webhook_create(api_version),
    }
