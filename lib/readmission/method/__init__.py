"""The Article 25a(2) method: indicators, ratings, disclosure, findings; what a statistician reviews."""
