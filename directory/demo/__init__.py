"""The demo area the product ships: West Norfolk around King's Lynn, and Torbay.

``flask seed-demo`` calls :func:`seed_demo`. Everything here is made up for the demo (names,
venues, phone numbers in Ofcom's drama ranges, example.org and example.com addresses); only the
town and postcode-district centroids are real-world facts.
"""

from directory.demo.seed import seed_demo

__all__ = ["seed_demo"]
