"""Missing input validation: request values used as sizes, counts, indexes,
patterns or object fields without the bounds and allow-lists that make them
safe."""
