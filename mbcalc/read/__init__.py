"""Reading specs: YAML -> positioned nodes -> a validated program (every problem at once)."""
