"""TikTok Shop's return reasons (``return_reason`` of a return order; its ``return_reason_text`` is kept
as the line's comment) -> Returnhub's canonical reasons (hub.model.Reason values); the original name
stays on the line.

TikTok publishes its reason names per region and category, not as one list (README.md, UNVERIFIED): the
names here are the ones its Return and Refund API is known to send; any other shows as "other"."""

REASONS = {
    "ecom_order_delivered_refund_and_return_reason_damaged": "damaged_in_transit",
}
