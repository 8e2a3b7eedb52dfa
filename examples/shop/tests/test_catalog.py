from shop.catalog import CATALOG


def test_label_uses_euros() -> None:
    assert CATALOG["mug"].label() == "Mug ☕ — 12,50 €"
