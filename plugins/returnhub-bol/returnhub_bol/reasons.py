"""bol's return reasons (mainReason, and detailedReason where it decides) -> Returnhub's canonical
reasons (hub.model.Reason values); the original Dutch text stays on the line."""

REASONS = {
    # mainReason
    "Verkeerde maat of afmeting": "other",
    "Verkeerd besteld": "changed_mind",
    "Artikel werkt niet": "defective",
    "Klacht over artikel": "not_as_described",
    "Klacht over de bezorging": "damaged_in_transit",
    "Elders goedkoper": "found_cheaper",
    "Ander artikel ontvangen dan besteld": "wrong_item",
    "Anders": "other",
    # detailedReason (unambiguous)
    "Te groot": "too_big",
    "Te klein": "too_small",
    "Dubbel besteld": "ordered_twice",
    "Ik heb me bedacht": "changed_mind",
    "Artikel had ik toch niet nodig": "changed_mind",
    "Artikel cadeau ontvangen": "changed_mind",
    "Andere kleur dan gedacht": "not_as_described",
    "Pasvorm valt tegen": "not_as_described",
    "Kwaliteit valt tegen": "not_as_described",
    "Artikel doet niet wat het belooft": "not_as_described",
    "Onduidelijke productinformatie": "not_as_described",
    "Onduidelijke afbeelding": "not_as_described",
    "Artikel is incompleet": "defective",
    "Artikel werkt niet op mijn apparatuur": "not_as_described",
    "Artikel is te laat bezorgd": "late_delivery",
    "Verpakking is beschadigd": "damaged_in_transit",
    # detailedReason whose meaning depends on mainReason
    ("Klacht over artikel", "Artikel is beschadigd"): "defective",
    ("Klacht over artikel", "Artikel werkt niet"): "defective",
    ("Klacht over de bezorging", "Artikel is beschadigd"): "damaged_in_transit",
    "Artikel is beschadigd": "damaged_in_transit",
}
