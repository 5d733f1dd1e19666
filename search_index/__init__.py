"""Finding services: the search index, query handling and places (postcodes, outcodes, towns)."""
