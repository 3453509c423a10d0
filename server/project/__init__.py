"""The project's dependency picture, gathered from disk for the dependency
rules: manifests (manifests.py), the project's own modules and aliases
(layout.py), the selected environment (environment.py), composed per file and
cached (index.py). Analysis only ever sees the plain-data result."""
