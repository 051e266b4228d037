"""The language every spec lowers into: a program of items (operators and block uses), its
expressions, and the built-in block library."""
