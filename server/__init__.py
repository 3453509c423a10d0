"""draftguard language server: pygls glue between editors and the analyzers."""
