"""The public website's own pieces: shortlist, feedback from the public, usage counts, forms."""
