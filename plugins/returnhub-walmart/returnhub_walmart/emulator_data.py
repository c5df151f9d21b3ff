"""Realistic Walmart return orders for the emulator, in the Returns API's shapes (``ReturnOrder``)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from hub import clock

PRODUCTS = [
    ("ANTL_GDL-0700", "Antlion Audio ModMic Wireless Attachable Boom Microphone", 119.95),
    ("HB-BLNDR-58", "Hamilton Beach Power Elite Blender, 40 oz", 29.88),
    ("MS-SNKR-10", "Mainstays Men's Canvas Sneaker, Size 10", 14.98),
    ("OZ-PAN-12", "Ozark Trail 12-inch Cast Iron Skillet", 19.97),
    ("LEGO-60337", "LEGO City Express Passenger Train 60337", 159.99),
    ("ONN-TV-50", "onn. 50\" Class 4K UHD LED Roku Smart TV", 238.00),
]
PEOPLE = [("Jane", "Doe"), ("Marcus", "Hill"), ("Priya", "Patel"), ("Luis", "Romero")]
REASONS = ["ARRIVED_LATE", "DAMAGED", "DEFECTIVE", "INCORRECT_ITEM", "NO_LONGER_WANTED", "NOT_AS_DESCRIBED",
           "WRONG_SIZE/POOR_FIT", "MISSING_PARTS"]


def stamp(moment: datetime) -> str:
    """Walmart's timestamp form: ``2019-02-21T01:01:08.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def money(amount: float) -> dict:
    return {"currencyAmount": round(amount, 2), "currencyUnit": "USD"}


def _line(rnd: random.Random, number: int, quantity: int, status: str, product, created: datetime) -> dict:
    sku, name, price = product
    tax = round(price * 0.0625, 2)
    return {
        "returnOrderLineNumber": number, "salesOrderLineNumber": number, "sellerOrderId": f"S{rnd.randrange(10**6)}",
        "returnReason": rnd.choice(REASONS), "purchaseOrderId": str(rnd.randrange(10**12, 10**13)),
        "purchaseOrderLineNumber": number, "isReturnForException": False,
        "item": {"sku": sku, "productName": name, "itemWeight": {"unitOfMeasure": "POUND", "measurementValue": 2}},
        "charges": [{"chargeCategory": "PRODUCT", "chargeName": "ItemPrice", "chargePerUnit": money(price),
                     "isDiscount": False, "isBillable": True,
                     "tax": [{"taxName": "Tax1", "excessTax": money(0), "taxPerUnit": money(tax)}],
                     "excessCharge": money(0)}],
        "unitPrice": money(price),
        "chargeTotals": [{"name": "lineUnitPrice", "value": money(price)},
                         {"name": "lineTotal", "value": money((price + tax) * quantity)}],
        "quantity": {"unitOfMeasure": "EACH", "measurementValue": quantity},
        "returnExpectedFlag": True, "isKeepIt": False, "lastItem": False, "refundedQty": 0,
        "refundChannel": "SELLER_MANUAL_REFUND",
        "returnTrackingDetail": [{"sequenceNo": 1, "eventTag": "RETURN_INITIATED",
                                  "eventDescription": "A MARKET_PLACE Return Initiated", "eventTime": stamp(created)}],
        "status": status, "statusTime": stamp(created), "currentDeliveryStatus": "NOT_SHIPPED",
        "currentRefundStatus": "REFUND_PENDING",
    }


def make_return(state, *, lines: int | None = None, quantity: int | None = None, status: str = "DELIVERED",
                age: timedelta = timedelta(0), return_type: str = "REFUND") -> dict:
    """Add one return order to ``state`` (its id sequence seeds the randomness); give it."""
    rnd = random.Random(state.next_id)
    number = state.take_id()
    created = clock.now() - age
    first, last = PEOPLE[rnd.randrange(len(PEOPLE))]
    count = lines or rnd.randint(1, 2)
    products = rnd.sample(PRODUCTS, count)
    rows = [_line(rnd, n, quantity or rnd.randint(1, 3), status, products[n - 1], created)
            for n in range(1, count + 1)]
    ret = {
        "returnOrderId": str(number), "customerEmailId": f"{first.lower()}.{number % 100000}@relay.walmart.com",
        "customerName": {"firstName": first, "lastName": last},
        "customerOrderId": str(2000000000000 + number % 10**12), "refundMode": "POST_DELIVERY",
        "returnOrderDate": stamp(created), "returnByDate": stamp(created + timedelta(days=30)),
        "returnType": return_type,
        "totalRefundAmount": money(sum(r["unitPrice"]["currencyAmount"] * r["quantity"]["measurementValue"]
                                       for r in rows)),
        "returnLineGroups": [{"groupNo": 1, "returnLines": [{"returnOrderLineNumber": r["returnOrderLineNumber"]}
                                                            for r in rows],
                              "labels": [{"labelImageURL": "https://i5.walmartimages.com/asr/label.png",
                                          "carrierInfoList": [{"carrierId": "11", "carrierName": "FEDEX",
                                                               "serviceType": "FedEx Ground",
                                                               "trackingNo": f"7856{number % 10**8:08d}"}]}],
                              "returnExpectedFlag": True}],
        "returnOrderLines": rows,
        "returnChannel": {"channelName": "ONLINE"},
    }
    state.returns[ret["returnOrderId"]] = ret
    return ret
