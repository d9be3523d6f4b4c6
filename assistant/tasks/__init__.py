"""Task fields: roles, agencies, deadlines and targets of each clause, and the document rules that carry across clauses."""
