"""Reading documents: files -> text (load), numbering, metadata, the clause tree (structure)."""
