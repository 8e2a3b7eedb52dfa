"""Carts. Generated from specs/cart.spec.md#cart."""

from dataclasses import dataclass, field

from shop.catalog import CATALOG


@dataclass
class Cart:
    owner: str
    items: dict[str, int] = field(default_factory=dict)

    def add(self, sku: str, quantity: int = 1) -> None:
        if sku not in CATALOG:
            raise KeyError(f"unknown product: {sku}")
        self.items[sku] = self.items.get(sku, 0) + quantity

    def total_cents(self) -> int:
        return sum(CATALOG[sku].price_cents * n for sku, n in self.items.items())
