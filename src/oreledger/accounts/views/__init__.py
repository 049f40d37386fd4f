"""Pages of accounts: people, tokens and the user list (people); signing in (signin)."""
