"""Privacy budgets per dataset and the ledger of the differentially private queries that
spend them."""
