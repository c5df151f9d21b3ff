"""TikTok Shop buyer return reasons (the return's ``return_reason`` code, its text as ``customer_comment``) ->
Returnhub's canonical reasons (hub.model.Reason values). TikTok publishes no reason list here; the code below is the
one the emulator sends (UNVERIFIED spelling); anything unmapped shows as "other"."""

REASONS = {
    "ecom_order_delivered_refund_and_return_reason_damaged": "damaged_in_transit",
}
