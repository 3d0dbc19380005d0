"""Domain services for bills, customers, amounts, links and imports."""
