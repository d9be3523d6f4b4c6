"""Questions: analysed once into a Query (analyse), hybrid retrieval (retrieve), task selection (select)."""
