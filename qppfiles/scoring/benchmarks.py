"""Achievement points of a performance rate against a benchmark (decile interpolation).

A benchmark gives, for deciles 1-10, the bound a rate must reach to enter the
decile.  Up to 2022 the source lists the bounds of deciles 2-10 (ten values
for non-proportion and cost measures: deciles 1-10); from 2023 it gives
percentiles, where decile 1 starts at p1 and decile k at p(10*(k-1)), read from
the other end for inverse measures.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Benchmark

DIRECT_KEYS = (1, 10, 20, 30, 40, 50, 60, 70, 80, 90)
INVERSE_KEYS = (99, 90, 80, 70, 60, 50, 40, 30, 20, 10)


@dataclass(frozen=True)
class DecilePosition:
    """Where a rate falls in a benchmark, before any cap or floor."""

    decile: int                 # 1-10; 0 when the rate is worse than every bound
    points: float               # k + fraction, 10 for decile 10
    bounds: tuple               # entry bound of deciles 1..10 (None where undefined)
    inverse: bool

    @property
    def below_first_decile(self) -> bool:
        return self.decile == 0


def decile_bounds(benchmark: Benchmark, inverse: bool) -> tuple[float | None, ...]:
    """Entry bound of each decile 1..10 (index 0 is decile 1); None where the source has none."""
    if benchmark.percentiles:
        keys = INVERSE_KEYS if inverse else DIRECT_KEYS
        return tuple(_number(benchmark.percentiles.get(k)) for k in keys)
    deciles = tuple(_number(v) for v in (benchmark.deciles or ()))
    if len(deciles) >= 10:
        return deciles[:10]
    if len(deciles) == 9:
        # Decile 1 starts at the implied bottom of the scale.
        return (100.0 if inverse else 0.0,) + deciles
    return (None,) * 10


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _reached(rate: float, bound: float, inverse: bool) -> bool:
    return rate <= bound if inverse else rate >= bound


def position(rate: float, benchmark: Benchmark, inverse: bool) -> DecilePosition | None:
    """Decile and interpolated points of ``rate``; None when the benchmark has no usable bounds."""
    bounds = decile_bounds(benchmark, inverse)
    if all(b is None for b in bounds):
        return None
    # The highest decile reached: empty deciles (equal bounds) are skipped that way.
    decile, low = 0, None
    for k, bound in enumerate(bounds, start=1):
        if bound is not None and _reached(rate, bound, inverse):
            decile, low = k, bound
    if decile == 10:
        return DecilePosition(10, 10.0, bounds, inverse)
    if low is None:  # no decile reached
        return DecilePosition(0, 0.0, bounds, inverse)
    high = next((b for b in bounds[decile:] if b is not None), None)
    fraction = 0.0
    if high is not None and high != low:
        fraction = min(abs(rate - low) / abs(high - low), 0.9999)
    return DecilePosition(decile, decile + fraction, bounds, inverse)
